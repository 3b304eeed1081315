"""Writes to the training records. Each is atomic: a record is saved whole or not at all."""

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from curriculum.models import AssessmentDefinition, Competency, Module

from .models import (
    AssessmentResult,
    Cohort,
    CompetencyGrade,
    MedicalCertificate,
    MedicalHold,
    QualificationGrant,
    SessionAttendance,
    Trainee,
    TraineeStatusChange,
)


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
    trainee.save(update_fields=["status", "status_since"])
    return change


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
    signed: bool = True,
) -> AssessmentResult:
    """Record the trainee's next attempt at an assessment, judged by its definition.

    The attempt number is counted, not given; a trainee with every attempt used is refused.
    A pass grants the qualifications the assessment confers or renews, dated from the attempt.
    """
    grades = dict(grades or {})
    # Lock the trainee's row so that two simultaneous recordings count attempts one at a time
    # (on PostgreSQL; SQLite serialises writers anyway). The unique constraint is the backstop.
    Trainee.objects.select_for_update().filter(pk=trainee.pk).first()
    used = AssessmentResult.objects.filter(trainee=trainee, definition=definition).count()
    if used >= definition.max_attempts:
        raise ValidationError(
            _("All %(n)s attempts at this assessment have been used.")
            % {"n": definition.max_attempts}
        )
    passed = definition.outcome(
        score=score, grades={competency.pk: grade for competency, grade in grades.items()}
    )
    result = AssessmentResult.objects.create(
        trainee=trainee,
        definition=definition,
        attempt=used + 1,
        taken_at=taken_at,
        score=score,
        passed=passed,
        assessor=assessor,
        remarks=remarks,
        signed_by=assessor if signed else None,
        signed_at=taken_at if signed else None,
    )
    CompetencyGrade.objects.bulk_create(
        CompetencyGrade(result=result, competency=competency, grade=grade)
        for competency, grade in grades.items()
    )
    if passed:
        on = timezone.localdate(taken_at)
        qualifications = list(definition.qualifications_conferred.all()) + list(
            definition.qualifications_renewed.all()
        )
        for qualification in {q.pk: q for q in qualifications}.values():
            QualificationGrant.objects.create(
                trainee=trainee,
                qualification=qualification,
                granted_on=on,
                expires_on=qualification.expiry_for(on),
                result=result,
                granted_by=assessor,
            )
    return result


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
