"""Cached summaries of progress, invalidated on write (issue 12; docs/benchmarks.md).

Progress is worked out from every record a trainee has and from the day, which made the board
(100 trainees by 60 modules) and the dashboard spend most of their time recomputing what had not
changed. Here a computed summary is cached under a key that holds:

- the **generation**: one database row (`ProgressGeneration`) whose counter every committed
  write to a model that progress, the board or the dashboard read raises by one. The signals
  below catch each `save` and `delete` (and roster changes) of the trainees', curriculum's and
  accounts' models; the bulk writes of the services call `progress_changed()` themselves. The
  raise is written inside the writing transaction, as its last statement before the commit
  (trainingtracker/db): the records and the generation commit together, so once the records
  are visible the old key is never built again, and a crash loses both or neither. A reader
  reads the generation before the records, so whatever it caches under a generation was read
  no earlier than that generation. A write outside a transaction commits on its own, and the
  raise follows it at once (the services write in transactions);
- the **day** (`timezone.localdate()`): currencies, holds, certificates and pace depend on it;
- the **reader** and the **language and time zone** where what is cached is per reader or
  rendered;
- the database's **epoch**, so that two databases sharing one cache never mix entries.

A generation is global: any write invalidates every summary. That keeps the rule simple and
provable (no write can be missed by working out whom it affects); reads far outnumber writes.
Entries also expire after `PROGRESS_CACHE_SECONDS` so that old generations do not accumulate.
Off when `settings.PROGRESS_CACHE` is false (the test suite, except the tests of this module).
"""

import hashlib
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone, translation

from trainingtracker.db import before_commit

from .models import ProgressGeneration

WATCHED_APPS = ("trainees", "curriculum", "accounts")
# Written often, read by no progress: skipping them keeps the generation (and the cache) stable.
IGNORED_MODELS = {"submissionkey", "sessionlogdraft", "progressgeneration"}


def enabled() -> bool:
    return getattr(settings, "PROGRESS_CACHE", True)


def generation() -> str:
    """The current generation, "epoch:counter"; one query."""
    row = ProgressGeneration.objects.values_list("epoch", "counter").first()
    if row is None:
        row = ProgressGeneration.objects.get_or_create(pk=ProgressGeneration.SINGLETON)[0]
        return f"{row.epoch}:{row.counter}"
    return f"{row[0]}:{row[1]}"


def _bump(connection) -> None:
    """Raise the generation by one, creating its row if a flush removed it. One statement, so
    that two writers committing together both raise it (no lost update, no duplicate row)."""
    table = connection.ops.quote_name(ProgressGeneration._meta.db_table)
    epoch = ProgressGeneration._meta.get_field("epoch").get_db_prep_value(uuid.uuid4(), connection)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (id, epoch, counter) VALUES (%s, %s, 1) "  # noqa: S608 (names only)
            f"ON CONFLICT (id) DO UPDATE SET counter = {table}.counter + 1",
            [ProgressGeneration.SINGLETON, epoch],
        )


def progress_changed(using: str = DEFAULT_DB_ALIAS) -> None:
    """Something progress reads is being written: raise the generation inside the writing
    transaction, just before it commits (trainingtracker/db), so the new records and the new
    generation become visible together or not at all; once per transaction. Outside a
    transaction, at once."""
    before_commit(_bump, using)


def _watched(sender) -> bool:
    meta = sender._meta
    return (
        meta.app_label in WATCHED_APPS
        and meta.model_name not in IGNORED_MODELS
        and not meta.model_name.startswith("historical")
    )


def _on_write(sender, using, update_fields=None, **kwargs) -> None:
    # A sign-in saves `last_login`, which no progress reads: every sign-in would empty the cache.
    if _watched(sender) and update_fields != frozenset({"last_login"}):
        progress_changed(using)


def _on_m2m(sender, action, using, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear") and _watched(kwargs["model"]):
        progress_changed(using)


def connect() -> None:
    """Called from TraineesConfig.ready()."""
    post_save.connect(_on_write, dispatch_uid="progress_cache_save")
    post_delete.connect(_on_write, dispatch_uid="progress_cache_delete")
    m2m_changed.connect(_on_m2m, dispatch_uid="progress_cache_m2m")


def _context(rendered: bool) -> list[str]:
    """The generation and the day, and the language and time zone if the value is rendered."""
    fields = [generation(), timezone.localdate().isoformat()]
    if rendered:
        fields += [translation.get_language() or "", timezone.get_current_timezone_name()]
    return fields


def stamp(*, rendered: bool = True) -> list[str] | None:
    """The generation and the day (and language and time zone), read now; None when the cache
    is off. A view that caches what it builds from records it has read itself calls this
    *before* reading them: a write committed between its reads and a later generation read
    would otherwise be cached, unseen, under the new generation."""
    return _context(rendered) if enabled() else None


def reader(user) -> tuple[int, str]:
    """What a value rendered for `user` depends on of them: who they are and what they may do
    (a role changed is a change of permissions, which the generation does not follow). Their
    permissions are loaded already by the view's access check."""
    permissions = "|".join(sorted(user.get_all_permissions()))
    return user.pk, hashlib.sha256(permissions.encode()).hexdigest()


def fragment(stamp: list[str] | None, kind: str, *parts) -> dict:
    """What a `{% cache seconds name key using=cache %}` fragment built from records read
    after `stamp` needs: its key, its lifetime, and the cache, one that keeps nothing (settings
    "uncached") when the cache is off."""
    if stamp is None:
        return {"key": kind, "seconds": 0, "cache": "uncached"}
    return {
        "key": _name(kind, stamp, parts),
        "seconds": settings.PROGRESS_CACHE_SECONDS,
        "cache": "default",
    }


def _name(kind: str, context: list[str], parts) -> str:
    return (
        "progress:"
        + hashlib.sha256("|".join([kind, *context, *map(str, parts)]).encode()).hexdigest()
    )


def cached(kind: str, parts: tuple, compute, *, rendered: bool = False):
    """`compute()`, or its value cached for `kind` and `parts` at this generation and day.
    `compute` reads the records itself, after the generation (see `stamp`)."""
    if not enabled():
        return compute()
    name = _name(kind, _context(rendered), parts)
    value = cache.get(name)
    if value is None:
        value = compute()
        cache.set(name, value, settings.PROGRESS_CACHE_SECONDS)
    return value


def cached_until(kind: str, parts: tuple, compute, *, stamp: list[str] | None):
    """Like `cached`, for a value that also changes with the hour: `compute()` returns the value
    and the moment it stops being true (None: not before the day ends), and the entry expires
    by then. `stamp` (see there) was read before the records that `compute` reads."""
    if stamp is None:
        return compute()[0]
    name = _name(kind, stamp, parts)
    value = cache.get(name)
    if value is None:
        value, until = compute()
        seconds = settings.PROGRESS_CACHE_SECONDS
        if until is not None:
            # Whole seconds, rounded down: the entry is gone by `until`, never after it.
            seconds = min(seconds, int((until - timezone.now()).total_seconds()))
        if seconds > 0:
            cache.set(name, value, seconds)
    return value
