"""Cached summaries of progress, invalidated on write (docs/benchmarks.md).

Progress is worked out from every record a trainee has and from the day, which made the board
(100 trainees by 60 modules) and the dashboard spend most of their time recomputing what had not
changed. Here a computed summary (or a rendered part of a page) is cached with the **stamp** it
was computed at, and used only while the stamp is still the current one:

- the **generation**: one database row (`ProgressGeneration`) whose counter every committed
  write to a model that progress, the board or the dashboard read raises by one. The signals
  below catch each `save` and `delete` (and roster changes) of the trainees', curriculum's and
  accounts' models; the bulk writes of the services call `progress_changed()` themselves. The
  raise is written inside the writing transaction, as its last statement before the commit
  (trainingtracker/db): the records and the generation commit together, so once the records
  are visible the old stamp is never current again, and a crash loses both or neither. A
  reader reads the generation before the records, so whatever it caches with a generation was
  read no earlier than that generation. A write outside a transaction commits on its own, and
  the raise follows it at once (the services write in transactions);
- the **day** (`timezone.localdate()`): currencies, holds, certificates and pace depend on it;
- the database's **epoch** (in the generation), so that two databases sharing one cache never
  read each other's entries.

The entry's key names what it is: the kind, the trainee or cohort, the **reader** and their
permissions where it is per reader, and the **language and time zone** where it is rendered.
Not the stamp: a new generation overwrites an entry rather than adding one, so the cache holds
at most one entry per page and reader however often the records change.

A generation is global: any write invalidates every summary. That keeps the rule simple and
provable (no write can be missed by working out whom it affects); reads far outnumber writes.
Entries expire after `PROGRESS_CACHE_SECONDS`. Off when `settings.PROGRESS_CACHE` is false (the
test suite, except the tests of this module).
"""

import datetime as dt
import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone, translation

from trainees.models import ProgressGeneration
from trainingtracker.db import before_commit

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


def stamp(*, rendered: bool = True) -> tuple[str, ...] | None:
    """The generation and the day, and the language and time zone if what is cached is
    rendered, read now; None when the cache is off. A view that caches what it builds from
    records it has read itself calls this *before* reading them: a write committed between its
    reads and a later generation read would otherwise be cached, unseen, under the new one."""
    if not enabled():
        return None
    fields = (generation(), timezone.localdate().isoformat())
    if rendered:
        fields += (translation.get_language() or "", timezone.get_current_timezone_name())
    return fields


def reader(user) -> tuple[int, str]:
    """What a value rendered for `user` depends on of them: who they are and what they may do
    (a role changed is a change of permissions, which the generation does not follow). Their
    permissions are loaded already by the view's access check."""
    permissions = "|".join(sorted(user.get_all_permissions()))
    return user.pk, hashlib.sha256(permissions.encode()).hexdigest()


def _name(kind: str, stamp: tuple[str, ...], parts) -> str:
    """The entry's key: what it is and, if rendered, its language and time zone, but not the
    generation and day, which are kept in the entry: a new generation overwrites the entry
    instead of adding one, so the cache holds one entry per page and reader, however often the
    records change."""
    text = "|".join([kind, *stamp[2:], *map(str, parts)])
    return "progress:" + hashlib.sha256(text.encode()).hexdigest()


def _read(name: str, stamp: tuple[str, ...]):
    entry = cache.get(name)
    return entry[1] if entry is not None and entry[0] == stamp[:2] else None


def _write(name: str, stamp: tuple[str, ...], value, seconds: int | None = None) -> None:
    seconds = settings.PROGRESS_CACHE_SECONDS if seconds is None else seconds
    cache.set(name, (stamp[:2], value), seconds)


@dataclass
class Fragment:
    """A part of a page built from records read after `stamp`, for `{% progress_fragment %}`
    (trainees/templatetags/progress.py). `until`, if given, is called once the part is rendered
    and returns when it stops being true by itself (None: not before the day ends)."""

    name: str
    stamp: tuple[str, ...] | None
    until: Callable[[], dt.datetime | None] | None = None
    entry: tuple | None = field(default=None, repr=False)  # from `prefetch`
    prefetched: bool = False

    def read(self) -> str | None:
        if self.stamp is None:
            return None
        entry = self.entry if self.prefetched else cache.get(self.name)
        return entry[1] if entry is not None and entry[0] == self.stamp[:2] else None

    def write(self, html: str) -> None:
        if self.stamp is None:
            return
        seconds = settings.PROGRESS_CACHE_SECONDS
        until = self.until() if self.until else None
        if until is not None:
            # Whole seconds, rounded down: the entry is gone by `until`, never after it.
            seconds = min(seconds, int((until - timezone.now()).total_seconds()))
        if seconds > 0:
            _write(self.name, self.stamp, html, seconds)


def fragment(stamp: tuple[str, ...] | None, kind: str, *parts, until=None) -> Fragment:
    return Fragment(name=_name(kind, stamp or (), parts), stamp=stamp, until=until)


def prefetch(*fragments: Fragment) -> None:
    """Read the fragments of one page in one cache round trip."""
    live = [f for f in fragments if f.stamp is not None]
    found = cache.get_many([f.name for f in live]) if live else {}
    for f in live:
        f.entry, f.prefetched = found.get(f.name), True


def cached(kind: str, parts: tuple, compute, *, rendered: bool = False):
    """`compute()`, or its value cached for `kind` and `parts` at this generation and day.
    `compute` reads the records itself, after the generation (see `stamp`)."""
    now = stamp(rendered=rendered)
    if now is None:
        return compute()
    name = _name(kind, now, parts)
    value = _read(name, now)
    if value is None:
        value = compute()
        _write(name, now, value)
    return value


def cached_many(kind: str, parts: dict, compute_missing, *, stamp: tuple[str, ...] | None) -> dict:
    """For each `id: parts` of `parts`, its cached value; the missing ones are computed together
    by `compute_missing(ids)` (returning {id: value}) and cached. `stamp` (see there) was read
    before the records that `compute_missing` uses. One cache round trip when all are cached."""
    if stamp is None:
        return compute_missing(list(parts))
    names = {pk: _name(kind, stamp, p) for pk, p in parts.items()}
    found = cache.get_many(list(names.values()))
    values = {
        pk: entry[1]
        for pk, name in names.items()
        if (entry := found.get(name)) is not None and entry[0] == stamp[:2]
    }
    missing = [pk for pk in parts if pk not in values]
    if missing:
        computed = compute_missing(missing)
        cache.set_many(
            {names[pk]: (stamp[:2], computed[pk]) for pk in missing},
            settings.PROGRESS_CACHE_SECONDS,
        )
        values |= computed
    return values
