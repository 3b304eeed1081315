"""What the records tell the apps that stand on them, without importing them.

`trainees` may not import `notifications` (pyproject.toml's contracts), yet a change to the
timetable or a trainee's notice of absence must reach the people it concerns. The writes send
these signals inside their transaction, once their rows are saved; `notifications/receivers.py`
turns them into notifications, so a change and the notices of it are written together or not
at all.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.dispatch import Signal


class ChangeKind:
    """What happened to the sessions a `TimetableChange` names."""

    MOVED = "moved"  # new times (and perhaps a new module or places)
    CHANGED = "changed"  # same times, another module or other places
    CANCELLED = "cancelled"
    ADDED = "added"  # a trainee newly expected at a session
    REMOVED = "removed"  # a trainee no longer expected at it


@dataclass(frozen=True)
class TimetableChange:
    """One change to the timetable as the people it touches are told of it: which sessions (as
    they are now), what they were, and who is to be told (user ids; the person who made the
    change is not told of it).

    A series moved or cancelled from a date on is one change of many sessions, so each person
    hears of it once."""

    kind: str
    sessions: tuple  # the TrainingSessions, saved, in time order
    recipients: frozenset[int]
    by: object  # the User who made it
    before: dict[int, tuple[dt.datetime, dt.datetime]] = field(default_factory=dict)
    reason: str = ""
    series: object = None  # the SessionSeries, for a change made to a series from a date on


# Sent with `change=TimetableChange(...)`.
timetable_changed = Signal()

# Sent with `notice=AbsenceNotice(...)` when a trainee gives notice that they will miss a
# session, and again when they withdraw it.
absence_noticed = Signal()
