"""Writes to the training records. Each is atomic: a record is saved whole or not at all."""

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history as _bulk_create_with_history
from simple_history.utils import bulk_update_with_history as _bulk_update_with_history

from accounts.models import User
from curriculum.models import (
    GRADE_MAX,
    GRADE_MIN,
    AssessmentDefinition,
    Competency,
    Module,
    ProgrammeRevision,
)

from .models import (
    AssessmentAllowance,
    AssessmentAmendment,
    AssessmentResult,
    Cohort,
    CohortPlanEntry,
    CohortRevisionMove,
    CompetencyGrade,
    Measurement,
    MedicalCertificate,
    MedicalHold,
    QualificationGrant,
    SessionAttendance,
    SessionLogDraft,
    SignatureMeaning,
    SubmissionKey,
    Trainee,
    TraineeStatusChange,
    TrainingSession,
)
from .progress_cache import progress_changed
from .selectors import trainee_progress


def _progress_changing(write):
    """A bulk write sends no `post_save`: raise the progress generation (progress_cache) too."""

    def wrapped(*args, **kwargs):
        result = write(*args, **kwargs)
        progress_changed()
        return result

    return wrapped


bulk_create_with_history = _progress_changing(_bulk_create_with_history)
bulk_update_with_history = _progress_changing(_bulk_update_with_history)


class AlreadySubmitted(Exception):
    """The form was submitted before: `target` is the address of what that submission saved."""

    def __init__(self, target: str):
        super().__init__(target)
        self.target = target


def submission_claim(*, key: uuid.UUID, user: User) -> SubmissionKey:
    """Claim a form's one-time key, inside the caller's transaction, before writing anything.

    A second submission of the same form (a double click, a resent request) finds the key taken
    and raises `AlreadySubmitted` with what the first one saved, so nothing is created twice.
    On PostgreSQL the second insert waits for the first transaction and then fails; SQLite
    serialises writers. Record the saved object's address with `submission_done`.
    """
    try:
        with transaction.atomic():
            return SubmissionKey.objects.create(key=key, user=user)
    except IntegrityError:
        earlier = SubmissionKey.objects.filter(key=key, user=user).first()
        raise AlreadySubmitted(earlier.target if earlier else "") from None


def submission_done(*, claim: SubmissionKey, target: str) -> None:
    claim.target = target
    claim.save(update_fields=["target"])


@transaction.atomic
def trainee_enrol(
    *,
    user: User,
    cohort: Cohort,
    agency: str,
    nationality: str,
    crew_role: str,
    by: User,
    on: dt.date | None = None,
) -> Trainee:
    """Make `user` a trainee of `cohort`, opening their status history with "in training"."""
    on = on or timezone.localdate()
    trainee = Trainee.objects.create(
        user=user,
        cohort=cohort,
        agency=agency,
        nationality=nationality,
        crew_role=crew_role,
        status=Trainee.Status.IN_TRAINING,
        status_since=on,
    )
    TraineeStatusChange.objects.create(
        trainee=trainee,
        status=Trainee.Status.IN_TRAINING,
        effective_on=on,
        reason=_("Enrolled in %(cohort)s.") % {"cohort": cohort},
        recorded_by=by,
    )
    return trainee


@transaction.atomic
def trainee_status_change(
    *, trainee: Trainee, status: str, effective_on: dt.date, reason: str, by: User
) -> TraineeStatusChange:
    """Change a trainee's status with a date and a reason, both kept in the status history."""
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the change.")})
    if status == trainee.status:
        raise ValidationError({"status": _("The trainee already has this status.")})
    change = TraineeStatusChange.objects.create(
        trainee=trainee, status=status, effective_on=effective_on, reason=reason, recorded_by=by
    )
    trainee.status = status
    trainee.status_since = effective_on
    trainee._history_user, trainee._change_reason = by, reason
    trainee.save(update_fields=["status", "status_since"])
    return change


@transaction.atomic
def module_qualifications_grant(
    *, trainee: Trainee, module: Module, on: dt.date, by: User
) -> list[QualificationGrant]:
    """Grant what completing `module` confers (qualifications with no assessment of their own).

    Idempotent: a qualification already granted that day is not granted twice (a unique
    constraint). Called once the module's hours are complete.
    """
    grants = []
    for qualification in module.qualifications_conferred.all():
        grant, _created = QualificationGrant.objects.get_or_create(
            trainee=trainee,
            qualification=qualification,
            granted_on=on,
            defaults={"expires_on": qualification.expiry_for(on), "granted_by": by},
        )
        grants.append(grant)
    return grants


@transaction.atomic
def drill_renewals_grant(*, attendance: SessionAttendance, by: User) -> list[QualificationGrant]:
    """Renew what attending a drill keeps current, from the day of the drill.

    Only for a trainee who was there (present or late) at a completed session. Idempotent: one
    grant per attendance and qualification (a unique constraint).
    """
    session = attendance.session
    if session.status != session.Status.COMPLETED or attendance.hours_credited <= 0:
        return []
    on = timezone.localdate(session.starts_at)
    grants = []
    for qualification in session.module.qualifications_renewed.all():
        grant, _created = QualificationGrant.objects.get_or_create(
            attendance=attendance,
            qualification=qualification,
            defaults={
                "trainee": attendance.trainee,
                "granted_on": on,
                "expires_on": qualification.expiry_for(on),
                "granted_by": by,
            },
        )
        grants.append(grant)
    return grants


@transaction.atomic
def medical_hold_open(
    *, trainee: Trainee, opened_on: dt.date, reason: str, by: User
) -> MedicalHold:
    """Put a trainee on medical hold. Only one hold is open at a time (a database constraint)."""
    hold = MedicalHold(trainee=trainee, opened_on=opened_on, reason=reason, opened_by=by)
    hold.full_clean()
    hold.save()
    return hold


@transaction.atomic
def medical_hold_close(
    *, hold: MedicalHold, closed_on: dt.date, note: str, by: User
) -> MedicalHold:
    """Close an open hold, keeping who closed it, when and why.

    Reads the hold again inside the transaction (locked on PostgreSQL; SQLite's immediate
    transactions serialise writers), so a copy loaded before another officer closed it cannot
    overwrite their closing.
    """
    hold = MedicalHold.objects.select_for_update().get(pk=hold.pk)
    if not hold.is_open:
        raise ValidationError(_("This hold is already closed."))
    hold.closed_on = closed_on
    hold.closed_by = by
    hold.closing_note = note
    hold.full_clean()
    hold.save()
    return hold


# Sessions: scheduling, logging, cancelling ----------------------------------------------------


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


@transaction.atomic
def session_schedule(
    *,
    cohort: Cohort,
    module: Module,
    trainer: User,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    location: str,
    trainees,
    notes: str = "",
    by: User,
    key: uuid.UUID,
) -> TrainingSession:
    """Schedule a session of `module` for `cohort`, led by `trainer`, expecting `trainees`."""
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
        location=location,
        notes=notes,
    )
    session.full_clean(exclude=["version"])
    session.save()
    session.trainees.set(trainees)
    submission_done(claim=claim, target=session.get_absolute_url())
    return session


@transaction.atomic
def session_reschedule(
    *,
    session: TrainingSession,
    version: int,
    module: Module,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    location: str,
    trainees,
    notes: str,
    by: User,
) -> TrainingSession:
    """Change a scheduled session's module, time, place, roster or notes."""
    if session.status != TrainingSession.Status.SCHEDULED:
        raise ValidationError(_("Only a scheduled session can be changed here."))
    trainees = list(trainees)
    _roster_check(cohort=session.cohort, trainees=trainees)
    _version_claim(session=session, version=version)
    session.module = module
    session.starts_at = starts_at
    session.ends_at = ends_at
    session.location = location
    session.notes = notes
    session.full_clean(exclude=["version"])
    session._change_reason = _("Rescheduled by %(name)s") % {"name": by}
    session.save()
    session.trainees.set(trainees)
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
    session.starts_at = starts_at
    session.ends_at = ends_at
    session.status = TrainingSession.Status.COMPLETED
    session.full_clean(exclude=["version"])
    # Hours are checked against the new times here, so that the session and its attendances
    # are judged together (TrainingSession.save would compare with the hours stored before).
    errors = {}
    for entry in entries:
        if entry.hours > session.creditable_hours:
            errors[entry.trainee.pk] = {
                "hours_credited": _(
                    "No more than the session lasted (%(hours)s hours) can be credited."
                )
                % {"hours": session.creditable_hours}
            }
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


# Assessments: attempts, allowances, sign-off, amendments --------------------------------------


class StaleResult(ValidationError):
    """Someone changed the result after this form was loaded: the write is refused, not merged."""

    def __init__(self):
        super().__init__(
            _("Someone else changed this record meanwhile; reload it. Nothing was saved."),
            code="stale",
        )


@dataclass
class AttemptCheck:
    """Whether a trainee may make their next attempt at an assessment, and if not, why."""

    used: int
    allowed: int
    refusals: list[str] = field(default_factory=list)

    @property
    def permitted(self) -> bool:
        return not self.refusals

    @property
    def next_attempt(self) -> int:
        return self.used + 1


def assessment_attempt_check(
    *, trainee: Trainee, definition: AssessmentDefinition, on: dt.date | None = None
) -> AttemptCheck:
    """Why `trainee` may not make another attempt at `definition` on day `on` (default today).

    Refused when the assessment is not of the trainee's revision, when the trainee has withdrawn,
    while a prerequisite of the assessment's module is incomplete (by the progress rule,
    `ModuleProgress.complete`) and not waived by an allowance, and once every attempt is used:
    the definition's maximum plus one per extra attempt allowed. An empty `refusals`: it may go.
    """
    refusals = []
    if definition.module.revision_id != trainee.cohort.revision_id:
        refusals.append(_("This assessment is not part of the trainee's programme revision."))
    if trainee.status == Trainee.Status.WITHDRAWN:
        refusals.append(_("The trainee has withdrawn from training."))
    allowances = list(AssessmentAllowance.objects.filter(trainee=trainee, definition=definition))
    waiver = AssessmentAllowance.Kind.PREREQUISITE_WAIVER
    waived = {a.prerequisite_id for a in allowances if a.kind == waiver}
    required = [
        link.required_module
        for link in definition.module.prerequisite_links.select_related("required_module")
        if link.required_module_id not in waived
    ]
    if required:
        progress = {p.module.pk: p for p in trainee_progress(trainee=trainee, on=on).modules}
        for module in required:
            if module.pk not in progress or not progress[module.pk].complete:
                refusals.append(
                    _("The prerequisite %(module)s is not complete.")
                    % {"module": f"{module.code} {module.title}"}
                )
    used = AssessmentResult.objects.filter(trainee=trainee, definition=definition).count()
    allowed = definition.max_attempts + sum(
        1 for a in allowances if a.kind == AssessmentAllowance.Kind.EXTRA_ATTEMPT
    )
    if used >= allowed:
        refusals.append(_("All %(n)s attempts at this assessment have been used.") % {"n": allowed})
    return AttemptCheck(used=used, allowed=allowed, refusals=refusals)


def assessment_signer_authorised(*, definition: AssessmentDefinition, user: User) -> bool:
    """Whether `user` may sign results of `definition`: one of its authorised assessors, with
    the capability to sign. A programme admin or an operator is no exception."""
    return bool(
        user.is_active
        and user.has_perm("accounts.sign_assessment")
        and definition.assessors.filter(pk=user.pk).exists()
    )


def result_signature_meaning_due(*, result: AssessmentResult) -> str:
    """What the next signature of `result` attests: the attempt, or once amended, the amendment."""
    if result.amendments.exists():
        return SignatureMeaning.AMENDMENT
    return SignatureMeaning.ASSESSED


def _values_check(
    *,
    definition: AssessmentDefinition,
    score: Decimal | None,
    grades: Mapping[Competency, int | None],
) -> None:
    """The score within 0 and the maximum, given when a pass mark judges it; grades 1-5 or not
    observed, of competencies of the assessment's module."""
    errors = {}
    if score is None and definition.pass_score is not None:
        errors["score"] = _("This assessment is judged by its score: enter it.")
    elif score is not None and score < 0:
        errors["score"] = _("The score cannot be negative.")
    elif score is not None and definition.max_score is not None and score > definition.max_score:
        errors["score"] = _("The score is between 0 and %(max)s.") % {"max": definition.max_score}
    for competency, grade in grades.items():
        if competency.module_id != definition.module_id:
            errors["grades"] = _("Grade only the competencies of the assessment's module.")
        elif grade is not None and not GRADE_MIN <= grade <= GRADE_MAX:
            errors["grades"] = _("A grade is from 1 to 5, or not observed.")
    if errors:
        raise ValidationError(errors)


def _result_version_claim(*, result: AssessmentResult, version: int | None) -> None:
    """Move the result to its next version, or refuse if the row, or the copy in hand, is no
    longer at `version` (None: the copy's). A conditional UPDATE, so that of two people writing
    the same version exactly one wins, on SQLite as on PostgreSQL. It bypasses the history: the
    save that follows records the change with the new version. Callers check everything they
    can refuse for before claiming, so that a refusal leaves the copy in hand as stored."""
    version = result.version if version is None else version
    if version != result.version or not AssessmentResult.objects.filter(
        pk=result.pk, version=version
    ).update(version=F("version") + 1):
        raise StaleResult()
    result.version = version + 1


def _grants_activate(*, result: AssessmentResult, by: User) -> None:
    """Grant what a signed pass confers or renews, dated from the attempt; a grant suspended by
    an amendment is re-activated (one grant per result and qualification, a constraint)."""
    definition = result.definition
    on = timezone.localdate(result.taken_at)
    qualifications = {
        q.pk: q
        for q in [
            *definition.qualifications_conferred.all(),
            *definition.qualifications_renewed.all(),
        ]
    }
    existing = {g.qualification_id: g for g in QualificationGrant.objects.filter(result=result)}
    for qualification in qualifications.values():
        grant = existing.get(qualification.pk)
        if grant is not None:
            if grant.revoked_at is not None:
                grant.revoked_at, grant.revoked_reason, grant.granted_by = None, "", by
                grant.save()
            continue
        # Held from that very day already (another attempt, a drill): nothing more to grant.
        if QualificationGrant.objects.filter(
            trainee_id=result.trainee_id, qualification=qualification, granted_on=on
        ).exists():
            continue
        QualificationGrant.objects.create(
            trainee_id=result.trainee_id,
            qualification=qualification,
            granted_on=on,
            expires_on=qualification.expiry_for(on),
            result=result,
            granted_by=by,
        )


@transaction.atomic
def assessment_record(
    *,
    trainee: Trainee,
    definition: AssessmentDefinition,
    assessor: User,
    taken_at: dt.datetime,
    score: Decimal | None = None,
    grades: Mapping[Competency, int | None] | None = None,
    remarks: str = "",
    sign: bool = False,
    signed_at: dt.datetime | None = None,
) -> AssessmentResult:
    """Record the trainee's next attempt at an assessment, judged by its definition.

    The attempt number is counted and `passed` computed (`AssessmentDefinition.outcome`), never
    given. Refused, writing nothing, for the reasons of `assessment_attempt_check` on the day of
    the attempt, for an attempt in the future, or for a score or grade out of range.
    The result is unsigned, and grants nothing, until an authorised assessor signs it; `sign`
    lets the assessor sign at once (they must be authorised: `assessment_signer_authorised`).
    `signed_at` dates that signature for records entered afterwards (the demo); pages never
    pass it.
    """
    grades = dict(grades or {})
    # Lock the trainee's row so that two simultaneous recordings count attempts one at a time
    # (on PostgreSQL; SQLite serialises writers anyway). The unique constraint is the backstop.
    Trainee.objects.select_for_update().filter(pk=trainee.pk).first()
    if taken_at > timezone.now():
        raise ValidationError({"taken_at": _("An attempt is recorded once it has been taken.")})
    _values_check(definition=definition, score=score, grades=grades)
    check = assessment_attempt_check(
        trainee=trainee, definition=definition, on=timezone.localdate(taken_at)
    )
    if check.refusals:
        raise ValidationError(check.refusals, code="refused")
    if sign and not assessment_signer_authorised(definition=definition, user=assessor):
        raise ValidationError(_("Only an authorised assessor of this assessment can sign it."))
    passed = definition.outcome(
        score=score, grades={competency.pk: grade for competency, grade in grades.items()}
    )
    result = AssessmentResult.objects.create(
        trainee=trainee,
        definition=definition,
        attempt=check.next_attempt,
        taken_at=taken_at,
        score=score,
        passed=passed,
        assessor=assessor,
        remarks=remarks,
    )
    bulk_create_with_history(
        [
            CompetencyGrade(result=result, competency=competency, grade=grade)
            for competency, grade in grades.items()
        ],
        CompetencyGrade,
        default_user=assessor,
    )
    if sign:
        result.signed_by, result.signed_at = assessor, signed_at or timezone.now()
        result.signature_meaning = SignatureMeaning.ASSESSED
        result.save()
        if passed:
            _grants_activate(result=result, by=assessor)
    return result


@transaction.atomic
def result_sign(
    *,
    result: AssessmentResult,
    by: User,
    meaning: str,
    version: int | None = None,
    at: dt.datetime | None = None,
) -> AssessmentResult:
    """An authorised assessor signs a result, stating what the signature means.

    Records who, when (`at`, default now) and the meaning, which must be the one due
    (`result_signature_meaning_due`: the attempt, or the amendment once amended). The outcome is
    computed again from the recorded values, and a signed pass grants, or re-activates, what the
    assessment confers or renews. Refused for anyone but an authorised assessor, for a result
    already signed, and when the result changed since `version` (default: as loaded) was read.
    """
    if not assessment_signer_authorised(definition=result.definition, user=by):
        raise ValidationError(
            _("Only an authorised assessor of this assessment can sign it."), code="not_assessor"
        )
    if result.is_signed:
        raise ValidationError(_("This result is already signed."), code="signed")
    due = result_signature_meaning_due(result=result)
    if meaning != due:
        raise ValidationError(
            _("This signature must state: %(meaning)s") % {"meaning": SignatureMeaning(due).label},
            code="meaning",
        )
    _result_version_claim(result=result, version=version)
    definition = result.definition
    result.passed = definition.outcome(
        score=result.score, grades=dict(result.grades.values_list("competency_id", "grade"))
    )
    result.signed_by, result.signed_at, result.signature_meaning = by, at or timezone.now(), due
    result.save()
    if result.passed:
        _grants_activate(result=result, by=by)
    return result


@transaction.atomic
def result_amend(
    *,
    result: AssessmentResult,
    by: User,
    reason: str,
    score: Decimal | None,
    grades: Mapping[Competency, int | None],
    remarks: str,
    version: int | None = None,
) -> AssessmentAmendment:
    """Change a result's score, grades or remarks, keeping what they replaced and why.

    Needs a reason. The amendment keeps the previous score, outcome, remarks, grades (by
    competency code, None for not observed) and signature; `passed` is computed again. The
    signature and the debrief acknowledgement are cleared: the result needs a new signature,
    meaning the amendment, and until then the grants made from it are suspended (never deleted).
    Refused when the result changed since `version` (default: as loaded) was read.
    """
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the amendment.")})
    grades = dict(grades)
    definition = result.definition
    _values_check(definition=definition, score=score, grades=grades)
    _result_version_claim(result=result, version=version)
    current = {g.competency_id: g for g in result.grades.select_related("competency")}
    previous = {
        "score": None if result.score is None else str(result.score),
        "passed": result.passed,
        "remarks": result.remarks,
        "grades": {g.competency.code: g.grade for g in current.values()},
        "signed_by": str(result.signed_by) if result.signed_by_id else None,
        "signed_at": result.signed_at.isoformat() if result.signed_at else None,
        "signature_meaning": result.signature_meaning,
    }
    for competency, grade in grades.items():
        row = current.get(competency.pk)
        if row is None:
            current[competency.pk] = CompetencyGrade.objects.create(
                result=result, competency=competency, grade=grade
            )
        elif row.grade != grade:
            row.grade = grade
            row.save()
    result.score, result.remarks = score, remarks
    result.passed = definition.outcome(
        score=score, grades={pk: row.grade for pk, row in current.items()}
    )
    result.signed_by, result.signed_at, result.signature_meaning = None, None, ""
    result.debrief_acknowledged_at = None
    result._history_user, result._change_reason = by, reason
    result.save()
    now = timezone.now()
    suspended = _("The result was amended and awaits a new signature: %(reason)s") % {
        "reason": reason
    }
    for grant in result.grants.filter(revoked_at__isnull=True):
        grant.revoked_at, grant.revoked_reason = now, suspended
        grant.save()
    return AssessmentAmendment.objects.create(
        result=result, reason=reason, amended_by=by, amended_at=now, previous=previous
    )


@transaction.atomic
def result_debrief_acknowledge(
    *, result: AssessmentResult, by: User, version: int | None = None
) -> AssessmentResult:
    """The trainee acknowledges the debrief of their own signed result, once.

    Acknowledging again changes nothing. Refused for anyone else, for an unsigned result, and
    when the result changed (say, was amended) since `version` was read.
    """
    if result.trainee.user_id != by.pk:
        raise ValidationError(_("Only the trainee can acknowledge the debrief of their result."))
    if result.debrief_acknowledged_at is not None:
        return result
    if not result.is_signed:
        raise ValidationError(_("A debrief is acknowledged once the result is signed."))
    _result_version_claim(result=result, version=version)
    result.debrief_acknowledged_at = timezone.now()
    result.save()
    return result


@transaction.atomic
def allowance_grant(
    *,
    trainee: Trainee,
    definition: AssessmentDefinition,
    kind: str,
    prerequisite: Module | None = None,
    reason: str,
    by: User,
) -> AssessmentAllowance:
    """A programme admin's reasoned exception for one trainee and assessment: one more attempt
    than the definition allows, or one prerequisite of its module waived (once: a constraint).
    Kept in the trainee's record with who granted it, when and why."""
    errors = {}
    if not reason.strip():
        errors["reason"] = _("Give the reason for the allowance.")
    if definition.module.revision_id != trainee.cohort.revision_id:
        errors["definition"] = _("This assessment is not part of the trainee's programme revision.")
    if kind == AssessmentAllowance.Kind.PREREQUISITE_WAIVER:
        if (
            prerequisite is None
            or not definition.module.prerequisite_links.filter(
                required_module=prerequisite
            ).exists()
        ):
            errors["prerequisite"] = _("Choose a prerequisite of the assessment's module.")
    elif kind == AssessmentAllowance.Kind.EXTRA_ATTEMPT:
        if prerequisite is not None:
            errors["prerequisite"] = _("An extra attempt waives no prerequisite.")
    else:
        errors["kind"] = _("Choose an extra attempt or a waiver.")
    if errors:
        raise ValidationError(errors)
    allowance = AssessmentAllowance(
        trainee=trainee,
        definition=definition,
        kind=kind,
        prerequisite=prerequisite,
        reason=reason,
        granted_by=by,
    )
    allowance.full_clean()
    allowance.save()
    return allowance


# Cohort revision moves (issue 6) ---------------------------------------------------------------


@transaction.atomic
def cohort_revision_move(
    *,
    cohort: Cohort,
    from_revision: ProgrammeRevision,
    to_revision: ProgrammeRevision,
    reason: str,
    by: User,
) -> CohortRevisionMove:
    """Pin `cohort` to a newer published revision of its programme, and record the move.

    `from_revision` is the revision the admin saw the preview for: if the cohort was moved
    meanwhile (or the form is submitted twice) the move is refused rather than made on a
    preview that no longer holds. Records stay as they were and count by code (see
    `trainees.selectors`); the plan and the sessions still to come follow the modules by code,
    and those of modules the new revision no longer requires are dropped from the plan and
    cancelled.
    """
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the move.")})
    cohort = Cohort.objects.select_for_update().select_related("revision").get(pk=cohort.pk)
    if cohort.revision_id != from_revision.pk:
        raise ValidationError(
            _("This cohort is no longer on revision %(number)s: it was moved meanwhile.")
            % {"number": from_revision.number}
        )
    if (
        not to_revision.is_published
        or to_revision.programme_id != from_revision.programme_id
        or to_revision.number <= from_revision.number
    ):
        raise ValidationError(
            {"revision": _("Choose a newer published revision of the same programme.")}
        )
    modules = {m.code: m for m in Module.objects.filter(revision=to_revision).active()}
    cohort.revision = to_revision
    cohort._history_user, cohort._change_reason = by, reason
    cohort.save(update_fields=["revision"])
    # Row by row, so that the history of every plan entry and session keeps the change.
    for entry in CohortPlanEntry.objects.filter(cohort=cohort).select_related("module"):
        module = modules.get(entry.module.code)
        if module is None:
            entry.delete()
        else:
            entry.module = module
            entry.save(update_fields=["module"])
    for session in TrainingSession.objects.filter(
        cohort=cohort, status=TrainingSession.Status.SCHEDULED
    ).select_related("module"):
        module = modules.get(session.module.code)
        if module is None:
            session.status = TrainingSession.Status.CANCELLED
            session.cancellation_reason = _(
                "The module is no longer in the programme revision the cohort moved to."
            )
        else:
            session.module = module
        session.version += 1
        session.save()
    return CohortRevisionMove.objects.create(
        cohort=cohort,
        from_revision=from_revision,
        to_revision=to_revision,
        reason=reason.strip(),
        moved_by=by,
    )


@transaction.atomic
def medical_certificate_record(
    *,
    trainee: Trainee,
    kind: str,
    issued_on: dt.date,
    expires_on: dt.date,
    examiner: str,
    restrictions: str = "",
    by: User,
) -> MedicalCertificate:
    """Record a medical or fitness certificate; a current one of each kind is needed for flight
    assignment (`MedicalCertificate.objects.lacking`). One per kind and issue day."""
    certificate = MedicalCertificate(
        trainee=trainee,
        kind=kind,
        issued_on=issued_on,
        expires_on=expires_on,
        examiner=examiner,
        restrictions=restrictions,
        recorded_by=by,
    )
    certificate.full_clean()
    certificate.save()
    return certificate
