"""Cached summaries of progress, invalidated on write (issue 12; docs/benchmarks.md).

Progress is worked out from every record a trainee has and from the day, which made the board
(100 trainees by 60 modules) and the dashboard spend most of their time recomputing what had not
changed. Here a computed summary is cached under a key that holds:

- the **generation**: one database row (`ProgressGeneration`) whose counter every committed
  write to a model that progress, the board or the dashboard read raises by one. The signals
  below catch each `save` and `delete` (and roster changes) of the trainees', curriculum's and
  accounts' models; the bulk writes of the services call `progress_changed()` themselves. The
  bump runs right after the transaction commits, in the writing request, before its response:
  the next read by anyone builds a new key, so nothing cached before a write is read after it;
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

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone, translation

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


def _bump() -> None:
    if not ProgressGeneration.objects.filter(pk=ProgressGeneration.SINGLETON).update(
        counter=F("counter") + 1
    ):
        ProgressGeneration.objects.get_or_create(pk=ProgressGeneration.SINGLETON)


def progress_changed() -> None:
    """Something progress reads is being written: raise the generation once this transaction
    commits (at once outside a transaction). Several writes in one transaction raise it once."""
    if not connection.in_atomic_block:
        _bump()
        return
    # Django drops the callbacks of a rolled-back savepoint from this list, so looking here is
    # exact: a rollback leaves no pending bump behind, and a commit runs the one registered.
    if any(callback is _bump for _sids, callback, _robust in connection.run_on_commit):
        return
    transaction.on_commit(_bump)


def _watched(sender) -> bool:
    meta = sender._meta
    return (
        meta.app_label in WATCHED_APPS
        and meta.model_name not in IGNORED_MODELS
        and not meta.model_name.startswith("historical")
    )


def _on_write(sender, **kwargs) -> None:
    if _watched(sender):
        progress_changed()


def _on_m2m(sender, action, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear") and _watched(kwargs["model"]):
        progress_changed()


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


def _name(kind: str, context: list[str], parts) -> str:
    return (
        "progress:"
        + hashlib.sha256("|".join([kind, *context, *map(str, parts)]).encode()).hexdigest()
    )


def cached(kind: str, parts: tuple, compute, *, rendered: bool = False):
    """`compute()`, or its value cached for `kind` and `parts` at this generation and day."""
    if not enabled():
        return compute()
    name = _name(kind, _context(rendered), parts)
    value = cache.get(name)
    if value is None:
        value = compute()
        cache.set(name, value, settings.PROGRESS_CACHE_SECONDS)
    return value


def cached_many(kind: str, parts: dict, compute_missing, *, rendered: bool = False) -> dict:
    """For each `id: parts` of `parts`, its cached value; the missing ones are computed together
    by `compute_missing(ids)` (returning {id: value}) and cached. One generation query and one
    cache round trip when everything is cached."""
    if not enabled():
        return compute_missing(list(parts))
    context = _context(rendered)
    names = {pk: _name(kind, context, p) for pk, p in parts.items()}
    found = cache.get_many(list(names.values()))
    values = {pk: found[name] for pk, name in names.items() if name in found}
    missing = [pk for pk in parts if pk not in values]
    if missing:
        computed = compute_missing(missing)
        cache.set_many({names[pk]: computed[pk] for pk in missing}, settings.PROGRESS_CACHE_SECONDS)
        values |= computed
    return values
