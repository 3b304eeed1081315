"""Parts of pages and computed summaries cached under the versions of the rows they show
(shared/STYLE.md habit 12; Rails' recyclable cache keys work the same way).

A cached value is kept with its **stamp**: a digest of the versions of the rows it was built
from, and the day (currencies, holds and pace change at midnight with no write), read *before*
the records it is built from. It is used only while the stamp is still the current one;
otherwise it is built again and overwritten. Each write to what such a value shows gives the
rows it depends on a new version inside the writing transaction (trainees/progress_cache.py
says which rows each write raises): the records and the versions commit together or not at
all, so once the records are visible no stamp read after them matches a value built before
them, whatever happens to the process after the commit. No commit hook is needed.

The entry's key names what it is: the kind, the page's object, the **reader** and their
permissions where it is per reader, and the **language and time zone** where it is rendered.
Not the stamp, which is kept in the entry: a newer stamp overwrites the entry rather than adding
one, so the cache holds one entry per page and reader however often the records change.

A version is a random UUID, not a counter: two databases sharing one cache (a restored backup,
a test database, staging beside production) never reach each other's entries, and a version
never comes back. Entries expire after `PROGRESS_CACHE_SECONDS`; all of it is off when
`settings.PROGRESS_CACHE` is false.
"""

import datetime as dt
import hashlib
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.utils import timezone, translation


class CacheVersioned(models.Model):
    """An abstract model with `cache_version`, which only `QuerySet.update()` writes.

    `save()` leaves the column out: a copy of the row read before another transaction raised
    the version would otherwise write the old version back, and the entries built under it
    would be reachable again."""

    cache_version = models.UUIDField(default=uuid.uuid4, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, update_fields=None, **kwargs):
        if update_fields is not None:
            update_fields = [name for name in update_fields if name != "cache_version"]
        elif not self._state.adding:
            deferred = self.get_deferred_fields()
            update_fields = [
                field.attname
                for field in self._meta.concrete_fields
                if not field.primary_key
                and field.attname not in deferred
                and field.name != "cache_version"
            ]
        super().save(*args, update_fields=update_fields, **kwargs)


def enabled() -> bool:
    return getattr(settings, "PROGRESS_CACHE", True)


def stamp(versions: Iterable, *, rendered: bool = True) -> tuple[str, ...] | None:
    """The stamp of a value built from rows whose versions are `versions`, read before the
    records; with the language and time zone if the value is rendered. None when off."""
    if not enabled():
        return None
    digest = hashlib.sha256("|".join(map(str, versions)).encode()).hexdigest()[:32]
    fields = (digest, timezone.localdate().isoformat())
    if rendered:
        fields += (translation.get_language() or "", timezone.get_current_timezone_name())
    return fields


def reader(user) -> tuple[int, str]:
    """What a value rendered for `user` depends on of them: who they are and what they may do
    (their roles, which no version follows). Their permissions are loaded already by the view's
    access check."""
    permissions = "|".join(sorted(user.get_all_permissions()))
    return user.pk, hashlib.sha256(permissions.encode()).hexdigest()


# Entries --------------------------------------------------------------------------------------


def _name(kind: str, stamp: tuple[str, ...], parts) -> str:
    """The entry's key: what it is and, if rendered, its language and time zone, but not the
    versions and day, which are kept in the entry: a newer stamp overwrites the entry instead
    of adding one, so the cache holds one entry per page and reader."""
    text = "|".join([kind, *stamp[2:], *map(str, parts)])
    return "progress:" + hashlib.sha256(text.encode()).hexdigest()


def _current(entry, stamp: tuple[str, ...]):
    return entry[1] if entry is not None and entry[0] == stamp[:2] else None


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
        return _current(self.entry if self.prefetched else cache.get(self.name), self.stamp)

    def write(self, html: str) -> None:
        if self.stamp is None:
            return
        seconds = settings.PROGRESS_CACHE_SECONDS
        until = self.until() if self.until else None
        if until is not None:
            # Whole seconds, rounded down: the entry is gone by `until`, never after it.
            seconds = min(seconds, int((until - timezone.now()).total_seconds()))
        if seconds > 0:
            cache.set(self.name, (self.stamp[:2], html), seconds)


def fragment(stamp: tuple[str, ...] | None, kind: str, *parts, until=None) -> Fragment:
    return Fragment(name=_name(kind, stamp or (), parts), stamp=stamp, until=until)


def prefetch(*fragments: Fragment) -> None:
    """Read the fragments of one page in one cache round trip."""
    live = [f for f in fragments if f.stamp is not None]
    found = cache.get_many([f.name for f in live]) if live else {}
    for f in live:
        f.entry, f.prefetched = found.get(f.name), True


def cached_many(kind: str, stamped: dict, compute_missing) -> dict:
    """For each `id: (stamp, parts)` of `stamped`, its value cached under its stamp; the missing
    ones are computed together by `compute_missing(ids)` (returning {id: value}) and cached.
    Each stamp was read before the records that `compute_missing` uses. One cache round trip
    when all are cached; all computed when the cache is off."""
    live = {
        pk: (stamp, _name(kind, stamp, parts))
        for pk, (stamp, parts) in stamped.items()
        if stamp is not None
    }
    found = cache.get_many([name for _, name in live.values()]) if live else {}
    values = {
        pk: value
        for pk, (stamp, name) in live.items()
        if (value := _current(found.get(name), stamp)) is not None
    }
    missing = [pk for pk in stamped if pk not in values]
    if missing:
        computed = compute_missing(missing)
        cache.set_many(
            {live[pk][1]: (live[pk][0][:2], computed[pk]) for pk in missing if pk in live},
            settings.PROGRESS_CACHE_SECONDS,
        )
        values |= computed
    return values


def cached(kind: str, parts: tuple, stamp: tuple[str, ...] | None, compute):
    """`compute()`, or its value cached for `kind` and `parts` under `stamp`, which was read
    before the records that `compute` reads."""
    return cached_many(kind, {None: (stamp, parts)}, lambda missing: {None: compute()})[None]
