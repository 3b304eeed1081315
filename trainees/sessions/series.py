"""Series of sessions: a repeating session written as its occurrences, each an ordinary
session, once every one of them is free; then moved or cancelled from a date on.

Every occurrence is checked before any is written (`booking_clashes_many`: the same four
queries whatever their number), and a refusal names each clashing date. An occurrence moved or
cancelled on its own goes through the session pages (`session_reschedule`, `session_cancel`).
"""

import datetime as dt
import uuid
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.models import User
from curriculum.models import Module
from trainees.models import Cohort, SessionSeries, SessionStatus, TrainingSession
from trainees.services import submission_claim, submission_done
from trainees.sessions.bookings import (
    booking_clashes_many,
    holds_during,
    resources_locked,
    scheduling_warnings,
)
from trainees.sessions.services import (
    RACED,
    SchedulingWarnings,
    _book,
    _roster_check,
    timetable_change_tell,
)
from trainees.signals import ChangeKind
from trainingtracker.helpers import refused_when_raced

DATES_NAMED = 10  # clashing dates named in a refusal; the rest are counted


def series_times(
    *,
    first_day: dt.date,
    weeks: int,
    weekdays: int,
    starts: dt.time,
    ends: dt.time,
    zone: str,
) -> list[tuple[dt.datetime, dt.datetime]]:
    """The occurrences' times: each chosen day of the week (bits, Monday 1 ... Sunday 64) in
    the `weeks` weeks from `first_day`, from `starts` to `ends` by the clock of `zone` (so an
    occurrence keeps its wall-clock time when summer time begins or ends)."""
    tz = zoneinfo.ZoneInfo(zone)
    times = []
    for offset in range(weeks * 7):
        day = first_day + dt.timedelta(days=offset)
        if weekdays & (1 << day.weekday()):
            times.append(
                (
                    timezone.make_aware(dt.datetime.combine(day, starts), tz),
                    timezone.make_aware(dt.datetime.combine(day, ends), tz),
                )
            )
    return times


def occurrences_counted(*, first_day: dt.date, weeks: int, weekdays: int) -> int:
    """How many occurrences the pattern makes (`series_times` without the times)."""
    days = (first_day + dt.timedelta(days=n) for n in range(weeks * 7))
    return sum(1 for day in days if weekdays & (1 << day.weekday()))


def occurrence_count_refusal(count: int) -> str | None:
    """Why a series of `count` occurrences cannot be written, or None."""
    if count == 0:
        return _("None of the chosen days of the week falls within these weeks.")
    if count > SessionSeries.MAX_OCCURRENCES:
        return _(
            "A series has at most %(most)s occurrences; this one would have %(count)s. "
            "Make it shorter, or two series."
        ) % {"most": SessionSeries.MAX_OCCURRENCES, "count": count}
    return None


def _dated(day: dt.datetime, line: str) -> str:
    local = timezone.localtime(day)
    return _("On %(weekday)s %(date)s: %(clash)s") % {
        "weekday": formats.date_format(local, "l"),
        "date": formats.date_format(local, "DATE_FORMAT"),
        "clash": line,
    }


def _clashes_named(times, clashes: list[dict[str, list[str]]]) -> dict[str, list[str]]:
    """Each clashing occurrence's lines, by field, prefixed with its date; after DATES_NAMED
    dates, a count of the rest."""
    named: dict[str, list[str]] = {}
    dates = [index for index, found in enumerate(clashes) if found]
    for index in dates[:DATES_NAMED]:
        for field, lines in clashes[index].items():
            named.setdefault(field, []).extend(_dated(times[index][0], line) for line in lines)
    if len(dates) > DATES_NAMED:
        named.setdefault(None, []).append(
            _("%(count)s more dates clash as well.") % {"count": len(dates) - DATES_NAMED}
        )
    if dates:
        named.setdefault(None, []).insert(
            0,
            _("%(count)s of the %(total)s occurrences clash; nothing was saved.")
            % {"count": len(dates), "total": len(times)},
        )
    return {field or "__all__": lines for field, lines in named.items()}


class Booked:
    """One occurrence as it would be booked: its time, trainer, trainees and resources."""

    def __init__(self, starts_at, ends_at, *, trainer, trainees, resources):
        self.starts_at, self.ends_at = starts_at, ends_at
        self.trainer, self.trainees, self.resources = trainer, list(trainees), list(resources)

    @property
    def people_and_things(self) -> tuple:
        return (
            self.trainer.pk,
            tuple(sorted(t.pk for t in self.trainees)),
            tuple(sorted(r.pk for r in self.resources)),
        )


def _series_check(
    *, occurrences: list[Booked], cohort, module, excluding, override_reason, by
) -> str:
    """Every occurrence checked before any is written: clashes refused, by date; the warnings
    of scheduling judged on the first and the last occurrence's day, and medical holds over
    the whole series; a programme admin goes on with a reason. Occurrences booking the same
    people and resources (all of them, unless some were changed on their own) are checked
    together, four queries for each such group. Returns the history's note of an override."""
    groups: dict[tuple, list[int]] = {}
    for index, occurrence in enumerate(occurrences):
        groups.setdefault(occurrence.people_and_things, []).append(index)
    locked = {r.pk: r for r in resources_locked([r for o in occurrences for r in o.resources])}
    clashes: list[dict] = [{} for _occurrence in occurrences]
    warnings: list[str] = []
    for indexes in groups.values():
        sample = occurrences[indexes[0]]
        resources = [locked[r.pk] for r in sample.resources]
        found = booking_clashes_many(
            times=[(occurrences[i].starts_at, occurrences[i].ends_at) for i in indexes],
            trainer=sample.trainer,
            trainees=sample.trainees,
            resources=resources,
            excluding=excluding,
        )
        for index, lines in zip(indexes, found, strict=True):
            clashes[index] = lines
        for i in sorted({indexes[0], indexes[-1]}):
            warnings += scheduling_warnings(
                cohort=cohort,
                module=module,
                trainer=sample.trainer,
                starts_at=occurrences[i].starts_at,
                ends_at=occurrences[i].ends_at,
                trainees=sample.trainees,
                resources=resources,
            )
        warnings += holds_during(
            trainees=sample.trainees,
            first=timezone.localdate(occurrences[indexes[0]].starts_at),
            last=timezone.localdate(occurrences[indexes[-1]].starts_at),
        )
    if any(clashes):
        times = [(o.starts_at, o.ends_at) for o in occurrences]
        raise ValidationError(_clashes_named(times, clashes))
    warnings = list(dict.fromkeys(warnings))  # each once, in order
    if not warnings:
        return ""
    if not override_reason.strip():
        raise SchedulingWarnings(warnings)
    if not by.has_perm("accounts.manage_people"):
        raise ValidationError(
            {"override_reason": _("Only a programme admin can schedule despite these warnings.")}
        )
    return _("Scheduled despite: %(warnings)s Reason: %(reason)s") % {
        "warnings": " ".join(warnings),
        "reason": override_reason.strip(),
    }


@refused_when_raced(RACED)
@transaction.atomic
def series_schedule(
    *,
    cohort: Cohort,
    module: Module,
    trainer: User,
    first_day: dt.date,
    weeks: int,
    weekdays: int,
    starts: dt.time,
    ends: dt.time,
    zone: str,
    resources=(),
    trainees,
    notes: str = "",
    override_reason: str = "",
    by: User,
    key: uuid.UUID,
) -> SessionSeries:
    """Schedule a repeating session: all its occurrences, or none of them if any one clashes
    (the refusal names each clashing date) or, unless a programme admin gives a reason, if
    scheduling it raises a warning."""
    claim = submission_claim(key=key, user=by)
    if cohort.closed_on is not None:
        raise ValidationError(_("This cohort is closed; no more sessions can be scheduled."))
    trainees = list(trainees)
    _roster_check(cohort=cohort, trainees=trainees)
    series = SessionSeries(
        cohort=cohort,
        module=module,
        trainer=trainer,
        first_day=first_day,
        weeks=weeks,
        weekdays=weekdays,
        starts_at_time=starts,
        ends_at_time=ends,
        time_zone=zone,
        notes=notes,
        created_by=by,
    )
    series.full_clean()
    times = series_times(
        first_day=first_day, weeks=weeks, weekdays=weekdays, starts=starts, ends=ends, zone=zone
    )
    if refusal := occurrence_count_refusal(len(times)):
        raise ValidationError(refusal)
    resources = resources_locked(resources)
    note = _series_check(
        occurrences=[
            Booked(s, e, trainer=trainer, trainees=trainees, resources=resources) for s, e in times
        ],
        cohort=cohort,
        module=module,
        excluding=(),
        override_reason=override_reason,
        by=by,
    )
    series._history_user = by
    series.save()
    for starts_at, ends_at in times:
        session = TrainingSession(
            cohort=cohort,
            module=module,
            trainer=trainer,
            starts_at=starts_at,
            ends_at=ends_at,
            notes=notes,
            series=series,
        )
        session.full_clean(exclude=["version"])
        session._history_user = by
        session._change_reason = note or _("Scheduled as part of a series by %(name)s") % {
            "name": by
        }
        session.save()
        _book(session, trainees=trainees, resources=resources)
    submission_done(claim=claim, target=series.get_absolute_url())
    return series


def _from(series: SessionSeries, day: dt.date):
    """The series' occurrences still scheduled from `day` on (by the series' own clock), in
    order, locked (PostgreSQL) against another change meanwhile."""
    tz = zoneinfo.ZoneInfo(series.time_zone)
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min), tz)
    return list(
        series.occurrences.select_for_update(of=("self",))
        .filter(status=SessionStatus.SCHEDULED, starts_at__gte=start)
        .select_related("cohort", "module", "trainer")
        .prefetch_related("trainees__user", "resources")
        .order_by("starts_at")
    )


@transaction.atomic
def series_cancel_from(
    *, series: SessionSeries, from_day: dt.date, reason: str, by: User
) -> list[TrainingSession]:
    """Cancel every occurrence still scheduled from `from_day` on, with the reason; held and
    already cancelled ones keep their record. Returns those cancelled."""
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for cancelling.")})
    occurrences = _from(series, from_day)
    if not occurrences:
        raise ValidationError(
            {"from_day": _("No occurrence of the series is scheduled from this day on.")}
        )
    for session in occurrences:
        TrainingSession.objects.filter(pk=session.pk).update(version=F("version") + 1)
        session.version += 1
        session.status = SessionStatus.CANCELLED
        session.cancellation_reason = reason
        session._history_user, session._change_reason = by, reason
        session.save()
    _series_tell(ChangeKind.CANCELLED, occurrences, series=series, by=by, reason=reason)
    return occurrences


def _series_tell(kind: str, occurrences, *, series, by: User, before=None, reason="") -> None:
    """One notice per person for a change of many occurrences: each trainer and expected
    trainee of any of them."""
    recipients = set()
    for session in occurrences:
        recipients |= {session.trainer_id, *(t.user_id for t in session.trainees.all())}
    timetable_change_tell(
        kind=kind,
        sessions=occurrences,
        recipients=recipients,
        by=by,
        before=before,
        reason=reason,
        series=series,
    )


@refused_when_raced(RACED)
@transaction.atomic
def series_move_from(
    *,
    series: SessionSeries,
    from_day: dt.date,
    days: int,
    starts: dt.time,
    ends: dt.time,
    override_reason: str = "",
    by: User,
) -> list[TrainingSession]:
    """Move every occurrence still scheduled from `from_day` on by `days` days (-6 to 6) and to
    the times of day `starts` to `ends` (by the series' clock), all of them or none: each new
    time is checked for clashes, and the warnings asked, before any occurrence moves."""
    if not -6 <= days <= 6:
        raise ValidationError({"days": _("Move by at most six days either way.")})
    if ends <= starts:
        raise ValidationError({"ends": _("An occurrence must end after it starts.")})
    occurrences = _from(series, from_day)
    if not occurrences:
        raise ValidationError(
            {"from_day": _("No occurrence of the series is scheduled from this day on.")}
        )
    tz = zoneinfo.ZoneInfo(series.time_zone)
    times = []
    for session in occurrences:
        day = timezone.localtime(session.starts_at, tz).date() + dt.timedelta(days=days)
        times.append(
            (
                timezone.make_aware(dt.datetime.combine(day, starts), tz),
                timezone.make_aware(dt.datetime.combine(day, ends), tz),
            )
        )
    # Each occurrence keeps its own trainer, roster and resources (one changed on its own too).
    note = _series_check(
        occurrences=[
            Booked(
                starts_at,
                ends_at,
                trainer=session.trainer,
                trainees=session.trainees.all(),
                resources=session.resources.all(),
            )
            for session, (starts_at, ends_at) in zip(occurrences, times, strict=True)
        ],
        cohort=series.cohort,
        module=series.module,
        excluding=[session.pk for session in occurrences],
        override_reason=override_reason,
        by=by,
    )
    before = {session.pk: (session.starts_at, session.ends_at) for session in occurrences}
    for session, (starts_at, ends_at) in zip(occurrences, times, strict=True):
        TrainingSession.objects.filter(pk=session.pk).update(version=F("version") + 1)
        session.version += 1
        session.starts_at, session.ends_at = starts_at, ends_at
        session.full_clean(exclude=["version"])
        session._history_user = by
        session._change_reason = note or _("Moved with its series by %(name)s") % {"name": by}
        session.save()
    _series_tell(ChangeKind.MOVED, occurrences, series=series, by=by, before=before)
    return occurrences
