"""Scheduling, logging and drafting training sessions. Each write is atomic."""

import datetime as dt
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from curriculum.models import (
    Module,
)
from trainees.models import (
    Cohort,
    CompetencyGrade,
    Measurement,
    QualificationGrant,
    SessionAttendance,
    SessionLogDraft,
    Trainee,
    TrainingSession,
)
from trainees.progress_cache import versions_raise
from trainees.services import (
    bulk_create_with_history,
    bulk_update_with_history,
    submission_claim,
    submission_done,
)
from trainees.sessions.bookings import booking_clashes, resources_locked, scheduling_warnings
from trainees.signals import ChangeKind, TimetableChange, timetable_changed
from trainingtracker.helpers import refused_when_raced


class SessionLogErrors(ValidationError):
    """Lines of a session log that cannot be saved: trainee id -> field name -> reason."""

    def __init__(self, by_trainee: dict[int, dict[str, str]]):
        super().__init__([m for fields in by_trainee.values() for m in fields.values()])
        self.by_trainee = by_trainee


class StaleVersion(ValidationError):
    """Someone saved the record after this form was loaded: the save is refused, not merged."""

    def __init__(self):
        super().__init__(
            _(
                "Someone else saved this session after you opened it. Nothing of yours was "
                "saved; your input is kept below. Open the session again to see their changes."
            ),
            code="stale",
        )


def _people(session: TrainingSession, trainees=None) -> set[int]:
    """The user ids of a session's trainer and of `trainees` (its expected trainees)."""
    trainees = session.trainees.all() if trainees is None else trainees
    return {session.trainer_id, *(trainee.user_id for trainee in trainees)}


def timetable_change_tell(
    *,
    kind: str,
    sessions: list[TrainingSession],
    recipients: set[int],
    by: User,
    before: dict | None = None,
    reason: str = "",
    series=None,
) -> None:
    """Tell the apps above (`trainees.signals`) that `sessions` changed, for `recipients` (user
    ids; whoever made the change is left out). Called inside the write's transaction."""
    recipients = frozenset(recipients - {by.pk})
    if not sessions or not recipients:
        return
    timetable_changed.send(
        sender=TrainingSession,
        change=TimetableChange(
            kind=kind,
            sessions=tuple(sessions),
            recipients=recipients,
            by=by,
            before=before or {},
            reason=reason,
            series=series,
        ),
    )


def _reschedule_tell(
    session: TrainingSession, *, was: dict, trainees: list[Trainee], by: User
) -> None:
    """Tell the people a reschedule touches: those still expected and the trainer of new
    times, or of another module or places; a trainee added that they are expected now, one
    taken off that they are not any more. A change of notes alone tells nobody."""
    roster = {trainee.user_id for trainee in trainees}
    added, removed = roster - was["roster"], was["roster"] - roster
    if (session.starts_at, session.ends_at) != was["times"]:
        kind = ChangeKind.MOVED
    elif session.module_id != was["module"] or was["resources"] != {
        resource.pk for resource in session.resources.all()
    }:
        kind = ChangeKind.CHANGED
    else:
        kind = None
    if kind:
        timetable_change_tell(
            kind=kind,
            sessions=[session],
            recipients={session.trainer_id} | (roster - added),
            by=by,
            before={session.pk: was["times"]},
        )
    timetable_change_tell(kind=ChangeKind.ADDED, sessions=[session], recipients=added, by=by)
    timetable_change_tell(kind=ChangeKind.REMOVED, sessions=[session], recipients=removed, by=by)


def _version_claim(*, session: TrainingSession, version: int) -> None:
    """Move the session to its next version, or refuse if it is no longer at `version`.

    A conditional UPDATE, so that of two trainers saving the same version exactly one wins, on
    SQLite as on PostgreSQL (where select_for_update would also do, but SQLite ignores it).
    This is the one write that bypasses the history on purpose: the save that follows records
    the new version with the rest of the change.
    """
    claimed = TrainingSession.objects.filter(pk=session.pk, version=version).update(
        version=F("version") + 1
    )
    if not claimed:
        raise StaleVersion()
    session.version = version + 1


def _roster_check(*, cohort: Cohort, trainees) -> None:
    if any(trainee.cohort_id != cohort.pk for trainee in trainees):
        raise ValidationError({"trainees": _("Only trainees of the session's cohort can attend.")})


class SchedulingWarnings(ValidationError):
    """Reasons the session should not be held as planned (a hold, prerequisites, a lapsed
    qualification, an unauthorised trainer): only a programme admin goes on, with a reason."""

    def __init__(self, warnings: list[str]):
        super().__init__(warnings, code="warnings")
        self.warnings = warnings


RACED = _(
    "Someone booked one of these people or resources for the same time a moment ago. Nothing "
    "was saved; your input is kept below. Check the timetable and try again."
)


def _bookings_check(
    *,
    session: TrainingSession | None,
    cohort: Cohort,
    module: Module,
    trainer: User,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    trainees: list,
    resources: list,
    override_reason: str,
    by: User,
) -> tuple[list, str]:
    """Refuse a clash (naming it); refuse warnings unless a programme admin gives a reason.
    Returns the resources as locked and the history's note of an override ("" if none).
    Runs inside the write transaction, after the lock: the check and the write are one."""
    resources = resources_locked(resources)
    if ends_at > starts_at:
        clashes = booking_clashes(
            session=session,
            trainer=trainer,
            starts_at=starts_at,
            ends_at=ends_at,
            trainees=trainees,
            resources=resources,
        )
        if clashes:
            raise ValidationError(clashes)
    warnings = scheduling_warnings(
        cohort=cohort,
        module=module,
        trainer=trainer,
        starts_at=starts_at,
        ends_at=ends_at,
        trainees=trainees,
        resources=resources,
    )
    if not warnings:
        return resources, ""
    if not override_reason.strip():
        raise SchedulingWarnings(warnings)
    if not by.has_perm("accounts.manage_people"):
        raise ValidationError(
            {"override_reason": _("Only a programme admin can schedule despite these warnings.")}
        )
    note = _("Scheduled despite: %(warnings)s Reason: %(reason)s") % {
        "warnings": " ".join(warnings),
        "reason": override_reason.strip(),
    }
    return resources, note


def _book(session: TrainingSession, *, trainees: list, resources: list) -> None:
    """The session's booking rows, its roster and resources; each row takes the session's
    times as it is added (`bookings_fill`)."""
    session.trainees.set(trainees)
    session.resources.set(resources)


@refused_when_raced(RACED)
@transaction.atomic
def session_schedule(
    *,
    cohort: Cohort,
    module: Module,
    trainer: User,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    resources=(),
    trainees,
    notes: str = "",
    override_reason: str = "",
    by: User,
    key: uuid.UUID,
) -> TrainingSession:
    """Schedule a session of `module` for `cohort`, led by `trainer`, expecting `trainees`, in
    `resources`. Refused if any of them is booked elsewhere at the time or a resource is
    unavailable; refused with the warnings if someone should not be booked (only a programme
    admin goes on, giving `override_reason`, which the history keeps)."""
    claim = submission_claim(key=key, user=by)
    if cohort.closed_on is not None:
        raise ValidationError(_("This cohort is closed; no more sessions can be scheduled."))
    trainees = list(trainees)
    _roster_check(cohort=cohort, trainees=trainees)
    session = TrainingSession(
        cohort=cohort,
        module=module,
        trainer=trainer,
        starts_at=starts_at,
        ends_at=ends_at,
        notes=notes,
    )
    # The clashes first, by name: the model's own check of its constraints (PostgreSQL's
    # exclusion among them) would only say that one is violated.
    resources, note = _bookings_check(
        session=None,
        cohort=cohort,
        module=module,
        trainer=trainer,
        starts_at=starts_at,
        ends_at=ends_at,
        trainees=trainees,
        resources=list(resources),
        override_reason=override_reason,
        by=by,
    )
    session.full_clean(exclude=["version"])
    session._history_user = by
    if note:
        session._change_reason = note
    session.save()
    _book(session, trainees=trainees, resources=resources)
    submission_done(claim=claim, target=session.get_absolute_url())
    return session


@refused_when_raced(RACED)
@transaction.atomic
def session_reschedule(
    *,
    session: TrainingSession,
    version: int,
    module: Module,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    resources=(),
    trainees,
    notes: str,
    override_reason: str = "",
    by: User,
) -> TrainingSession:
    """Change a scheduled session's module, time, resources, roster or notes, by the same
    rules as scheduling it."""
    if session.status != TrainingSession.Status.SCHEDULED:
        raise ValidationError(_("Only a scheduled session can be changed here."))
    trainees = list(trainees)
    _roster_check(cohort=session.cohort, trainees=trainees)
    _version_claim(session=session, version=version)
    was = {
        "times": (session.starts_at, session.ends_at),
        "module": session.module_id,
        "resources": set(session.resources.values_list("pk", flat=True)),
        "roster": set(session.trainees.values_list("user_id", flat=True)),
    }
    session.module = module
    session.starts_at = starts_at
    session.ends_at = ends_at
    session.notes = notes
    resources, note = _bookings_check(
        session=session,
        cohort=session.cohort,
        module=module,
        trainer=session.trainer,
        starts_at=starts_at,
        ends_at=ends_at,
        trainees=trainees,
        resources=list(resources),
        override_reason=override_reason,
        by=by,
    )
    session.full_clean(exclude=["version"])
    session._history_user = by
    session._change_reason = note or _("Rescheduled by %(name)s") % {"name": by}
    # The roster first: a trainee taken off must not be moved to the new times on the way out.
    _book(session, trainees=trainees, resources=resources)
    session.save()
    _reschedule_tell(session, was=was, trainees=trainees, by=by)
    return session


@transaction.atomic
def session_cancel(
    *, session: TrainingSession, version: int, reason: str, by: User
) -> TrainingSession:
    """Cancel a session that has not been held. It keeps its record, with the reason."""
    if session.status != TrainingSession.Status.SCHEDULED:
        raise ValidationError(_("Only a scheduled session can be cancelled."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for cancelling.")})
    _version_claim(session=session, version=version)
    session.status = TrainingSession.Status.CANCELLED
    session.cancellation_reason = reason
    session._history_user, session._change_reason = by, reason
    session.save()
    timetable_change_tell(
        kind=ChangeKind.CANCELLED,
        sessions=[session],
        recipients=_people(session),
        by=by,
        reason=reason,
    )
    return session


@dataclass
class AttendanceEntry:
    """One trainee's line of a session log."""

    trainee: Trainee
    attendance: str
    hours: Decimal
    grades: dict[int, int | None] = field(default_factory=dict)  # competency id -> grade
    remarks: str = ""
    measurements: dict[str, Decimal] = field(default_factory=dict)  # metric -> value


ATTENDED = (SessionAttendance.Attendance.PRESENT, SessionAttendance.Attendance.LATE)


@transaction.atomic
def session_log(
    *,
    session: TrainingSession,
    version: int,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    entries: list[AttendanceEntry],
    by: User,
    key: uuid.UUID,
) -> TrainingSession:
    """Record a held session for its whole crew at once: attendance, hours, grades,
    measurements and remarks, all saved or none.

    Logging again corrects the earlier log (every change is in the history). The number of
    queries does not grow with the crew: rows are written in bulk, with their history. A drill
    renews what it keeps current for everyone who attended; a module without assessments
    confers its qualifications on whoever now has its hours.
    """
    claim = submission_claim(key=key, user=by)
    if session.status == TrainingSession.Status.CANCELLED:
        raise ValidationError(_("A cancelled session cannot be logged."))
    if ends_at > timezone.now():
        raise ValidationError({"ends_at": _("A completed session cannot end in the future.")})
    _roster_check(cohort=session.cohort, trainees=[entry.trainee for entry in entries])
    _version_claim(session=session, version=version)
    # The cohort's and the crew's rows, locked now in the order every writer takes them
    # (progress_cache.VERSIONED), not in the order of the writes below: two logs, or a log and
    # a schedule, of one cohort never wait for each other in a circle.
    versions_raise(
        {
            Cohort: Q(pk=session.cohort_id),
            Trainee: Q(pk__in=[entry.trainee.pk for entry in entries]),
        }
    )
    session.starts_at = starts_at
    session.ends_at = ends_at
    session.status = TrainingSession.Status.COMPLETED
    session.full_clean(exclude=["version"])
    # Hours are checked against the new times here, so that the session and its attendances
    # are judged together (TrainingSession.save would compare with the hours stored before).
    errors = {}
    for entry in entries:
        if refusal := session.hours_credit_refusal(entry.hours):
            errors[entry.trainee.pk] = {"hours_credited": refusal}
        elif entry.attendance not in ATTENDED and entry.hours:
            errors[entry.trainee.pk] = {
                "hours_credited": _("An absent or excused trainee is credited no hours.")
            }
    if errors:
        raise SessionLogErrors(errors)
    # Attendances first: saving the session checks that no one is credited more than it lasts.
    attendances = _attendances_save(session=session, entries=entries, by=by)
    session._change_reason = _("Logged by %(name)s") % {"name": by}
    session.save()
    _grades_save(entries=entries, attendances=attendances, by=by)
    _measurements_save(session=session, entries=entries, attendances=attendances, by=by)
    _log_grants(session=session, attendances=list(attendances.values()), by=by)
    SessionLogDraft.objects.filter(session=session).delete()
    submission_done(claim=claim, target=session.get_absolute_url())
    return session


def _attendances_save(
    *, session: TrainingSession, entries: list[AttendanceEntry], by: User
) -> dict[int, SessionAttendance]:
    """Create or correct each trainee's attendance, in bulk. Returns them by trainee id."""
    existing = {a.trainee_id: a for a in SessionAttendance.objects.filter(session=session)}
    new, changed = [], []
    for entry in entries:
        attendance = existing.get(entry.trainee.pk)
        if attendance is None:
            attendance = SessionAttendance(session=session, trainee=entry.trainee)
            existing[entry.trainee.pk] = attendance
            new.append(attendance)
        elif (attendance.attendance, attendance.hours_credited, attendance.remarks) != (
            entry.attendance,
            entry.hours,
            entry.remarks,
        ):
            changed.append(attendance)
        attendance.attendance = entry.attendance
        attendance.hours_credited = entry.hours
        attendance.remarks = entry.remarks
    if new:
        bulk_create_with_history(new, SessionAttendance, default_user=by)
    if changed:
        bulk_update_with_history(
            changed,
            SessionAttendance,
            ["attendance", "hours_credited", "remarks"],
            default_user=by,
        )
    return existing


def _grades_save(
    *, entries: list[AttendanceEntry], attendances: dict[int, SessionAttendance], by: User
) -> None:
    """Each competency graded 1-5 or, explicitly, not observed, for those who attended."""
    attended = [e for e in entries if e.attendance in ATTENDED]
    existing = {
        (g.attendance_id, g.competency_id): g
        for g in CompetencyGrade.objects.filter(
            attendance__in=[attendances[e.trainee.pk].pk for e in entries]
        )
    }
    new, changed = [], []
    for entry in attended:
        attendance = attendances[entry.trainee.pk]
        for competency_id, grade in entry.grades.items():
            row = existing.get((attendance.pk, competency_id))
            if row is None:
                new.append(
                    CompetencyGrade(attendance=attendance, competency_id=competency_id, grade=grade)
                )
            elif row.grade != grade:
                row.grade = grade
                changed.append(row)
    if new:
        bulk_create_with_history(new, CompetencyGrade, default_user=by)
    if changed:
        bulk_update_with_history(changed, CompetencyGrade, ["grade"], default_user=by)


def _measurements_save(
    *,
    session: TrainingSession,
    entries: list[AttendanceEntry],
    attendances: dict[int, SessionAttendance],
    by: User,
) -> None:
    """One measurement per metric and attendance; logging again corrects its value."""
    existing = {
        (m.attendance_id, m.metric): m
        for m in Measurement.objects.filter(
            attendance__in=[attendances[e.trainee.pk].pk for e in entries]
        )
    }
    new, changed, errors = [], [], {}
    for entry in entries:
        attendance = attendances[entry.trainee.pk]
        for metric, value in entry.measurements.items():
            unit, low, high = Measurement.SPECS[metric]
            if not low <= value <= high:
                errors.setdefault(entry.trainee.pk, {})[f"m_{metric}"] = _(
                    "Expected between %(low)s and %(high)s %(unit)s."
                ) % {"low": low, "high": high, "unit": unit}
                continue
            row = existing.get((attendance.pk, metric))
            if row is None:
                new.append(
                    Measurement(
                        trainee=entry.trainee,
                        attendance=attendance,
                        metric=metric,
                        value=value,
                        unit=unit,
                        taken_at=session.ends_at,
                        recorded_by=by,
                    )
                )
            elif row.value != value:
                row.value = value
                changed.append(row)
    if errors:
        raise SessionLogErrors(errors)
    if new:
        bulk_create_with_history(new, Measurement, default_user=by)
    if changed:
        bulk_update_with_history(changed, Measurement, ["value"], default_user=by)


def _log_grants(*, session: TrainingSession, attendances: list[SessionAttendance], by: User):
    """What a logged session confers, in a fixed number of queries whatever the crew's size.

    - A drill renews its qualifications for each trainee who attended, from the day of the drill
      (one grant per attendance and qualification, as `drill_renewals_grant`).
    - A module with no assessment confers its qualifications on completion, which is then its
      hours alone; a module with assessments confers through them instead.
    """
    module = session.module
    on = timezone.localdate(session.starts_at)
    attended = [a for a in attendances if a.attendance in ATTENDED and a.hours_credited > 0]
    grants = []
    renewed = list(module.qualifications_renewed.all())
    if renewed and attended:
        held = set(
            QualificationGrant.objects.filter(attendance__in=attended).values_list(
                "attendance_id", "qualification_id"
            )
        )
        grants += [
            QualificationGrant(
                trainee_id=a.trainee_id,
                qualification=q,
                granted_on=on,
                expires_on=q.expiry_for(on),
                attendance=a,
                granted_by=by,
            )
            for a in attended
            for q in renewed
            if (a.pk, q.pk) not in held
        ]
    conferred = list(module.qualifications_conferred.all())
    if conferred and attended and not module.assessments.exists():
        trainee_ids = [a.trainee_id for a in attended]
        hours = dict(
            SessionAttendance.objects.filter(
                trainee_id__in=trainee_ids,
                session__module=module,
                session__status=TrainingSession.Status.COMPLETED,
            )
            .values_list("trainee_id")
            .annotate(total=Sum("hours_credited"))
        )
        held = set(
            QualificationGrant.objects.filter(
                trainee_id__in=trainee_ids, qualification__in=conferred, revoked_at__isnull=True
            ).values_list("trainee_id", "qualification_id")
        )
        grants += [
            QualificationGrant(
                trainee_id=trainee_id,
                qualification=q,
                granted_on=on,
                expires_on=q.expiry_for(on),
                granted_by=by,
            )
            for trainee_id in trainee_ids
            if hours.get(trainee_id, 0) >= module.required_hours
            for q in conferred
            if (trainee_id, q.pk) not in held
        ]
    if grants:
        bulk_create_with_history(grants, QualificationGrant, default_user=by)


@transaction.atomic
def session_log_draft_save(
    *, session: TrainingSession, author: User, data: dict, version: int | None = None
) -> SessionLogDraft | None:
    """Keep what the trainer has typed so far; saving the log drops it.

    With `version` (the session's version the form was loaded at), nothing is kept once the
    session has moved on: a draft request still in flight when the log is saved must not bring
    back a draft of what is already recorded. The session row is locked for the check (on
    PostgreSQL; SQLite's immediate transactions serialise writers).
    """
    current = (
        TrainingSession.objects.select_for_update()
        .filter(pk=session.pk)
        .values_list("version", flat=True)
        .first()
    )
    if version is not None and version != current:
        return None
    draft, _created = SessionLogDraft.objects.update_or_create(
        session=session, author=author, defaults={"data": data}
    )
    return draft
