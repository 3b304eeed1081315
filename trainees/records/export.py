"""A trainee's own records, whole, as JSON (data ownership).

Everything the tracker holds about the trainee: their account (never the password), their
trainee record and status history, attendance, results with grades, amendments and allowances,
qualifications, measurements, medical holds and certificates, and what the apps standing on
trainees/ add to `PERSONAL_SECTIONS` (notifications adds the ones sent to them: trainees/ may not
import notifications/, so notifications registers its section when it loads). Each record is
written with Django's serializer (every field, ids for references), so a field added to a model
is exported without a change here. A fixed number of queries: one per kind.
"""

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q, QuerySet
from django.utils import timezone

from trainees.models import (
    AssessmentAllowance,
    AssessmentAmendment,
    AssessmentResult,
    CompetencyGrade,
    Measurement,
    MedicalCertificate,
    MedicalHold,
    QualificationGrant,
    SessionAttendance,
    Trainee,
    TraineeStatusChange,
)

ACCOUNT_FIELDS = [
    "username",
    "display_name",
    "native_name",
    "email",
    "preferred_language",
    "time_zone",
    "date_joined",
    "last_login",
]
BY_TRAINEE = {
    "status_changes": TraineeStatusChange,
    "attendance": SessionAttendance,
    "assessment_results": AssessmentResult,
    "assessment_allowances": AssessmentAllowance,
    "qualification_grants": QualificationGrant,
    "measurements": Measurement,
    "medical_holds": MedicalHold,
    "medical_certificates": MedicalCertificate,
}
# Section name -> a function from the user to their rows; filled by the apps' ready().
PERSONAL_SECTIONS: dict[str, Callable[[Any], QuerySet]] = {}


def _plain(value):
    """A value JSON can hold: a time zone as its name."""
    return str(value) if isinstance(value, dt.tzinfo) else value


def _records(queryset) -> list[dict]:
    return [
        {"id": row["pk"], **row["fields"]}
        for row in serializers.serialize("python", queryset.order_by("pk"))
    ]


def trainee_records_export(*, trainee: Trainee) -> str:
    """The trainee's records as a JSON document (UTC timestamps, ISO 8601)."""
    user = trainee.user
    data = {
        "exported_at": timezone.now(),
        "account": {name: _plain(getattr(user, name)) for name in ACCOUNT_FIELDS},
        "trainee": _records(Trainee.objects.filter(pk=trainee.pk))[0],
    }
    for key, model in BY_TRAINEE.items():
        data[key] = _records(model.objects.filter(trainee=trainee))
    data["competency_grades"] = _records(
        CompetencyGrade.objects.filter(Q(attendance__trainee=trainee) | Q(result__trainee=trainee))
    )
    data["assessment_amendments"] = _records(
        AssessmentAmendment.objects.filter(result__trainee=trainee)
    )
    for key, rows_of in PERSONAL_SECTIONS.items():
        data[key] = _records(rows_of(user))
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
