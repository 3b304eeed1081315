"""Qualifications granted by progress: a module completed, a drill attended."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from curriculum.models import (
    Module,
)
from trainees.models import (
    QualificationGrant,
    SessionAttendance,
    Trainee,
)


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
