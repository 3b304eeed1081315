"""Writes to the medical records: holds and certificates."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from trainees.models import (
    MedicalCertificate,
    MedicalHold,
    Trainee,
)
from trainees.models.medical import CERTIFICATE_RECORDED, ONE_OPEN_HOLD
from trainingtracker.helpers import refused_when_raced


@refused_when_raced(ONE_OPEN_HOLD)
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


@refused_when_raced(CERTIFICATE_RECORDED)
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
