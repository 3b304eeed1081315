"""Reads of the timetables: which day or week a request asks for, who a trainer's timetable may
be opened by, and the sessions of a cohort, a trainee, a trainer or a resource in that time.

A timetable lists cancelled sessions too (marked, not hidden): whoever planned around a session
must see that it is off. Days run from midnight to midnight in the viewer's time zone (the
middleware activates it), weeks from Monday.
"""

import datetime as dt
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import BooleanField, Count, Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from trainees import progress_cache
from trainees.models import AbsenceNotice, Cohort, Resource, Trainee, TrainingSession
from trainees.models.absences import notice_open
from trainees.models.common import _can
from trainingtracker import inputs

DAY, WEEK = "day", "week"
VIEWS = (DAY, WEEK)


@dataclass(frozen=True)
class Period:
    """The days a timetable shows: one day, or the week from Monday that holds `day`."""

    view: str
    day: dt.date
    problems: list[str] = field(default_factory=list, compare=False)

    @property
    def first(self) -> dt.date:
        if self.view == DAY:
            return self.day
        return max(self.day - dt.timedelta(days=self.day.weekday()), inputs.EARLIEST)

    @property
    def days(self) -> list[dt.date]:
        length = 1 if self.view == DAY else 7
        days = (self.first + dt.timedelta(days=n) for n in range(length))
        return [day for day in days if day <= inputs.LATEST]

    @property
    def step(self) -> dt.timedelta:
        return dt.timedelta(days=1 if self.view == DAY else 7)

    @property
    def previous(self) -> dt.date:
        return max(self.day - self.step, inputs.EARLIEST)

    @property
    def next(self) -> dt.date:
        return min(self.day + self.step, inputs.LATEST)

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """From the first day's midnight to the midnight after the last, in the current time
        zone (a day of 23 or 25 hours where the clocks change)."""
        end = self.days[-1] + dt.timedelta(days=1)
        return _midnight(self.first), _midnight(end)


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def timetable_period(*, view: str | None, on: str | None, today: dt.date) -> Period:
    """The period `?view=` and `?on=` ask for; a value that is not one is replaced (the week,
    today) and said so in `problems`, and a date past the range the tracker takes is brought
    within it."""
    problems = []
    if view in (None, ""):
        view = WEEK
    elif view not in VIEWS:
        problems.append(_("The view is “day” or “week”: the week is shown."))
        view = WEEK
    day = today
    if on:
        day = inputs.query_date(on)
        if day is None:
            problems.append(_("The date is not a date in the form YYYY-MM-DD: today is shown."))
            day = today
        elif day != dt.date.fromisoformat(on):
            problems.append(
                _("Dates from %(first)s to %(last)s can be shown: the nearest is shown.")
                % {"first": inputs.EARLIEST.isoformat(), "last": inputs.LATEST.isoformat()}
            )
    return Period(view=view, day=day, problems=problems)


def trainers_visible_to(user) -> QuerySet:
    """The people whose timetable as trainer `user` may open: their own (if they lead
    training), and everyone who holds the trainer role or has led a session for those who see
    every session (programme admins, the medical officer)."""
    scopes = []
    if _can(user, "log_training"):
        scopes.append(Q(pk=user.pk))
    if _can(user, "manage_people") or _can(user, "manage_medical"):
        leads = Q(groups__name=Role.TRAINER) | Q(pk__in=TrainingSession.objects.values("trainer"))
        # A subquery, so that a person in several groups is one row.
        scopes.append(Q(pk__in=User.objects.filter(leads).values("pk")))
    return User.objects.filter(reduce(or_, scopes)) if scopes else User.objects.none()


def _listed(sessions: QuerySet) -> QuerySet:
    return (
        sessions.select_related("module", "cohort", "trainer")
        .prefetch_related("resources")
        .order_by("starts_at", "pk")
    )


def notices_annotated(sessions: QuerySet, *, viewer) -> QuerySet:
    """Each session with `notices_ahead`, how many standing notices of absence `viewer` may
    see for it (a trainer: the cohort's; a trainee: their own), and `noticed_by_viewer`,
    whether `viewer` gave one: subqueries, so a timetable costs no query more."""
    notices = AbsenceNotice.objects.visible_to(viewer).standing().filter(session=OuterRef("pk"))
    counted = notices.order_by().values("session").annotate(n=Count("pk")).values("n")[:1]
    return sessions.annotate(
        notices_ahead=Coalesce(Subquery(counted), 0),
        noticed_by_viewer=Exists(notices.filter(trainee__user=viewer.pk)),
    )


def _mine(subject: Cohort | Trainee | User | Resource, period: Period) -> Q:
    """The subject's sessions that start in `period`. A trainee's and a resource's through
    their bookings alone, which hold their sessions' times (`_Booking`, kept in step on every
    save, as the no-overlap constraints need): the index of the trainee's or resource's
    bookings by start finds the week's few among thousands, and the sessions are read by id."""
    starts, ends = period.bounds()
    if isinstance(subject, Trainee | Resource):
        booked = subject.bookings.filter(starts_at__gte=starts, starts_at__lt=ends)
        return Q(pk__in=booked.values("session"))
    mine = Q(starts_at__gte=starts, starts_at__lt=ends)
    if isinstance(subject, Cohort):
        return mine & Q(cohort=subject)
    return mine & Q(trainer=subject)


def timetable_stamp(
    *, subject: Cohort | Trainee | User | Resource, period: Period
) -> tuple[str, ...] | None:
    """The stamp of the subject's sessions in `period` as a timetable shows them, read before
    them (`progress_cache.sessions_stamp`): of every session of the subject's in that time,
    those the viewer may not see too, so that one they come to see changes it. What the viewer
    may see is in the entry's key (`progress_cache.reader`)."""
    return progress_cache.sessions_stamp(TrainingSession.objects.filter(_mine(subject, period)))


def notice_flips(days: list[tuple[dt.date, list[TrainingSession]]]) -> dt.datetime | None:
    """When the first session of `days` that notice may still be given for starts: from then
    the timetable no longer offers it (`notice_open`)."""
    starts = [s.starts_at for _, sessions in days for s in sessions if s.notice_open]
    return min(starts, default=None)


def timetable_days(
    *, viewer, subject: Cohort | Trainee | User | Resource, period: Period
) -> list[tuple[dt.date, list[TrainingSession]]]:
    """Each day of `period` with the subject's sessions starting on it, in one query (and one
    for their resources). Each session carries `openable`: whether `viewer` may open it, and
    the notices of absence given for it (`notices_annotated`) and `notice_open`, whether notice
    may still be given.

    A cohort's, a trainee's and a trainer's timetable list the sessions `viewer` may see
    (`TrainingSession.objects.visible_to`). A resource's lists every session booking it, of any
    cohort, as the resource's page does: a booking is what the next booking clashes with; the
    sessions the viewer may not open are shown without a link."""
    visible = TrainingSession.objects.visible_to(viewer)
    if isinstance(subject, Resource):
        sessions = TrainingSession.objects.filter(_mine(subject, period)).annotate(
            openable=Exists(visible.filter(pk=OuterRef("pk")))
        )
    else:
        sessions = visible.filter(_mine(subject, period)).annotate(
            openable=Value(True, BooleanField())
        )
    by_day: dict[dt.date, list[TrainingSession]] = {day: [] for day in period.days}
    sessions = notices_annotated(sessions, viewer=viewer)
    for session in _listed(sessions):
        # Whether notice may still be given for it, by the one rule (`notice_open`).
        session.notice_open = notice_open(session)
        by_day[timezone.localdate(session.starts_at)].append(session)
    return list(by_day.items())
