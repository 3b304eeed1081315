"""What the API reads and writes, field by field. Every input is bounded (lengths, NUL, dates,
numbers, list sizes) before a service or the database sees it; times leave in UTC, ISO 8601."""

import datetime as dt
import re
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from curriculum.models import GRADE_MAX, GRADE_MIN, Module
from trainees.models import (
    MAX_CAPACITY,
    METRIC_SPECS,
    AbsenceNotice,
    AssessmentResult,
    Cohort,
    MedicalHold,
    QualificationGrant,
    Resource,
    ResourceUnavailability,
    SessionAttendance,
    Trainee,
    TrainingSession,
)
from trainingtracker.helpers import ID_LIMIT
from trainingtracker.inputs import year_check

TEXT_LIMIT = 10_000  # remarks and notes: more than a page of text
LIST_LIMIT = 500  # ids in one request: more than any cohort has trainees


# As the schema says (RFC 3339): what JSON Schema calls a date and a date-time, and no more.
DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
DATE_TIME = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?([Zz]|[+-][0-9]{2}:[0-9]{2})$"
)


class UtcDateTimeField(serializers.DateTimeField):
    """A moment: read in ISO 8601 with its offset (RFC 3339), written in UTC with `Z`."""

    def __init__(self, **kwargs):
        kwargs.setdefault("validators", []).append(year_check)
        super().__init__(default_timezone=dt.UTC, **kwargs)

    def to_internal_value(self, value):
        if not isinstance(value, str) or not DATE_TIME.match(value):
            raise serializers.ValidationError(
                _("Give a date and time with its offset, e.g. 2026-03-09T08:30:00Z.")
            )
        return super().to_internal_value(value)


class Day(serializers.DateField):
    """A day, YYYY-MM-DD, within the years a programme can mean."""

    def __init__(self, **kwargs):
        super().__init__(validators=[year_check], **kwargs)

    def to_internal_value(self, value):
        if not isinstance(value, str) or not DATE.match(value):
            raise serializers.ValidationError(_("Give a day as YYYY-MM-DD."))
        return super().to_internal_value(value)


class Text(serializers.CharField):
    """Free text: a JSON string, bounded, no NUL (PostgreSQL refuses it), no lone surrogate."""

    def __init__(self, *, max_length=TEXT_LIMIT, **kwargs):
        super().__init__(max_length=max_length, **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        value = super().to_internal_value(data)
        if "\x00" in value or any(0xD800 <= ord(c) <= 0xDFFF for c in value):
            raise serializers.ValidationError(_("Text may not hold NUL or lone surrogates."))
        return value


def _json_number(field, data) -> None:
    """A body's number is a JSON number, not a string or true/false."""
    if isinstance(data, bool) or not isinstance(data, int | float):
        field.fail("invalid")


class Id(serializers.IntegerField):
    """A record's id in a query: a positive whole number a bigint holds."""

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=ID_LIMIT, **kwargs)


class BodyId(Id):
    """A record's id in a body: a JSON integer."""

    def to_internal_value(self, data):
        _json_number(self, data)
        return super().to_internal_value(data)


class Whole(serializers.IntegerField):
    def to_internal_value(self, data):
        _json_number(self, data)
        return super().to_internal_value(data)


class Number(serializers.DecimalField):
    """A decimal in a body: a JSON number, within the column's digits."""

    def __init__(self, **kwargs):
        super().__init__(coerce_to_string=False, **kwargs)

    def to_internal_value(self, data):
        if data is not None:
            _json_number(self, data)
        return super().to_internal_value(data)


class Key(serializers.UUIDField):
    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid", value=data)
        return super().to_internal_value(data)


# Reads -----------------------------------------------------------------------------------------


class Person(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")


class ModuleRef(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()


class TraineeOut(serializers.ModelSerializer):
    name = serializers.CharField(source="user.display_name")
    native_name = serializers.CharField(source="user.native_name")

    class Meta:
        model = Trainee
        fields = [
            "id",
            "name",
            "native_name",
            "cohort",
            "agency",
            "nationality",
            "crew_role",
            "status",
            "status_since",
        ]


class CohortOut(serializers.ModelSerializer):
    programme = serializers.CharField(source="revision.programme.code")
    revision = serializers.IntegerField(source="revision.number")
    trainers = Person(many=True)

    class Meta:
        model = Cohort
        fields = [
            "id",
            "name",
            "programme",
            "revision",
            "starts_on",
            "ends_on",
            "closed_on",
            "trainers",
        ]


class ResourceOut(serializers.ModelSerializer):
    class Meta:
        model = Resource
        fields = ["id", "name", "kind", "capacity", "required_qualification", "notes", "retired_on"]


class UnavailableOut(serializers.ModelSerializer):
    starts_at = UtcDateTimeField()
    ends_at = UtcDateTimeField()

    class Meta:
        model = ResourceUnavailability
        fields = ["id", "resource", "starts_at", "ends_at", "reason"]


class SessionOut(serializers.ModelSerializer):
    module = ModuleRef()
    trainer = Person()
    starts_at = UtcDateTimeField()
    ends_at = UtcDateTimeField()
    expected_trainees = serializers.ListField(
        child=serializers.IntegerField(), source="roster", help_text="Ids of the trainees expected."
    )
    resources = serializers.ListField(
        child=serializers.IntegerField(), source="booked", help_text="Ids of the resources booked."
    )

    class Meta:
        model = TrainingSession
        fields = [
            "id",
            "cohort",
            "module",
            "trainer",
            "starts_at",
            "ends_at",
            "resources",
            "status",
            "notes",
            "cancellation_reason",
            "expected_trainees",
            "version",
        ]


class GradeOut(serializers.Serializer):
    competency = serializers.IntegerField(source="competency_id")
    code = serializers.CharField(source="competency.code")
    grade = serializers.IntegerField(allow_null=True, help_text="1-5; null: not observed")


class AttendanceOut(serializers.ModelSerializer):
    session_starts_at = UtcDateTimeField(source="session.starts_at")
    grades = GradeOut(many=True)

    class Meta:
        model = SessionAttendance
        fields = [
            "id",
            "session",
            "session_starts_at",
            "trainee",
            "attendance",
            "hours_credited",
            "remarks",
            "grades",
        ]


class ResultOut(serializers.ModelSerializer):
    assessment = ModuleRef(source="definition")
    module = serializers.IntegerField(source="definition.module_id")
    taken_at = UtcDateTimeField()
    signed_at = UtcDateTimeField(allow_null=True)
    assessor = Person()
    signed_by = Person(allow_null=True)
    grades = GradeOut(many=True)

    class Meta:
        model = AssessmentResult
        fields = [
            "id",
            "trainee",
            "assessment",
            "module",
            "attempt",
            "taken_at",
            "score",
            "passed",
            "assessor",
            "remarks",
            "signed_by",
            "signed_at",
            "signature_meaning",
            "grades",
            "version",
        ]


class GrantOut(serializers.ModelSerializer):
    qualification = ModuleRef()
    revoked_at = UtcDateTimeField(allow_null=True)
    currency = serializers.SerializerMethodField(
        help_text="valid, expiring, in_grace or expired on `on`; null while suspended"
    )

    class Meta:
        model = QualificationGrant
        fields = [
            "id",
            "trainee",
            "qualification",
            "granted_on",
            "expires_on",
            "revoked_at",
            "currency",
        ]

    @extend_schema_field(OpenApiTypes.STR)
    def get_currency(self, grant) -> str | None:
        if grant.revoked_at is not None:
            return None
        return grant.currency(self.context["on"])


class HoldOut(serializers.ModelSerializer):
    """A medical hold: its dates for whoever sees the trainee; the reason, the closing note and
    who opened and closed it for the medical officer alone (null for everyone else)."""

    reason = serializers.CharField(allow_null=True)
    closing_note = serializers.CharField(allow_null=True)
    opened_by = Person(allow_null=True)
    closed_by = Person(allow_null=True)

    MEDICAL_ONLY = ("reason", "closing_note", "opened_by", "closed_by")

    class Meta:
        model = MedicalHold
        fields = [
            "id",
            "trainee",
            "opened_on",
            "closed_on",
            "reason",
            "closing_note",
            "opened_by",
            "closed_by",
        ]

    def to_representation(self, hold):
        if self.context["medical"]:
            return super().to_representation(hold)
        # A row of `MedicalHold.objects.status_visible_to`: the dates, no more.
        return {
            "id": hold["pk"],
            "trainee": hold["trainee_id"],
            "opened_on": hold["opened_on"].isoformat(),
            "closed_on": hold["closed_on"].isoformat() if hold["closed_on"] else None,
            **dict.fromkeys(self.MEDICAL_ONLY),
        }


class CompetencyOut(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()
    behaviours = serializers.ListField(child=serializers.CharField(), source="behaviour_list")


class AssessmentOut(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()
    kind = serializers.CharField()
    max_score = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True)
    pass_score = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True)
    max_attempts = serializers.IntegerField()


class ModuleOut(serializers.ModelSerializer):
    programme = serializers.CharField(source="revision.programme.code")
    revision_number = serializers.IntegerField(source="revision.number")
    prerequisites = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    competencies = CompetencyOut(many=True)
    assessments = AssessmentOut(many=True)

    class Meta:
        model = Module
        fields = [
            "id",
            "programme",
            "revision",
            "revision_number",
            "code",
            "title",
            "category",
            "description",
            "required_hours",
            "order",
            "prerequisites",
            "competencies",
            "assessments",
        ]


class ModuleProgressOut(serializers.Serializer):
    module = ModuleRef()
    status = serializers.CharField()
    hours = serializers.DecimalField(max_digits=8, decimal_places=2)
    required_hours = serializers.DecimalField(
        max_digits=8, decimal_places=2, source="module.required_hours"
    )
    assessments_passed = serializers.SerializerMethodField()
    assessments = serializers.SerializerMethodField()
    attempts = serializers.IntegerField()
    due_on = serializers.DateField(allow_null=True)
    complete = serializers.BooleanField()

    def get_assessments_passed(self, progress) -> int:
        return len(progress.passed)

    def get_assessments(self, progress) -> int:
        return len(progress.assessments)


class StandingOut(serializers.Serializer):
    qualification = ModuleRef()
    currency = serializers.CharField(allow_null=True, help_text="null: never held")
    granted_on = serializers.DateField(source="grant.granted_on", allow_null=True, default=None)
    expires_on = serializers.DateField(source="grant.expires_on", allow_null=True, default=None)


class LackOut(serializers.Serializer):
    kind = serializers.CharField()
    expired_on = serializers.DateField(allow_null=True)


class ReadinessOut(serializers.Serializer):
    ready = serializers.BooleanField()
    withdrawn = serializers.BooleanField()
    medical_hold = serializers.BooleanField()
    missing_modules = ModuleRef(many=True)
    failed_assessments = ModuleRef(many=True)
    lapsed_qualifications = StandingOut(many=True)
    lacking_certificates = LackOut(many=True)


class ProgressOut(serializers.Serializer):
    trainee = serializers.IntegerField(source="trainee.pk")
    on = serializers.DateField()
    percent_complete = serializers.IntegerField()
    pace = serializers.CharField(allow_null=True)
    projected_completion = serializers.DateField(allow_null=True)
    readiness = ReadinessOut()
    modules = ModuleProgressOut(many=True)
    qualifications = StandingOut(many=True)


# Filters ---------------------------------------------------------------------------------------


class Dates(serializers.Serializer):
    """`from` and `to`, days (inclusive), in the site's time zone for times."""

    def get_fields(self):
        fields = super().get_fields()
        # `from` is a Python keyword: declared here rather than as a class attribute.
        fields["from"] = Day(required=False, help_text="On or after this day.")
        fields["to"] = Day(required=False, help_text="On or before this day.")
        return fields

    def validate(self, data):
        if data.get("from") and data.get("to") and data["to"] < data["from"]:
            raise serializers.ValidationError({"to": _("The last day comes after the first.")})
        return data


class CohortFilter(serializers.Serializer):
    cohort = Id(required=False, help_text="Only this cohort's.")


class DatedCohortFilter(CohortFilter, Dates):
    pass


class TraineeRecordFilter(DatedCohortFilter):
    trainee = Id(required=False, help_text="Only this trainee's.")


class TraineeFilter(CohortFilter):
    status = serializers.ChoiceField(choices=Trainee.Status.choices, required=False)


class SessionFilter(DatedCohortFilter):
    status = serializers.ChoiceField(choices=TrainingSession.Status.choices, required=False)
    trainee = Id(required=False, help_text="Only sessions this trainee attended or is expected at.")


class ModuleFilter(serializers.Serializer):
    revision = Id(required=False, help_text="Only this programme revision's.")
    category = serializers.ChoiceField(choices=Module.Category.choices, required=False)


class ResourceFilter(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Resource.Kind.choices, required=False)


class OnDay(serializers.Serializer):
    on = Day(required=False, help_text="The day to judge on; default today.")


# Writes ----------------------------------------------------------------------------------------


class OneTimeKey(serializers.Serializer):
    key = Key(
        help_text="A new UUID per submission: the same request sent again saves nothing twice "
        "and answers what the first one saved."
    )


def _ends_after(data: dict) -> None:
    """The session's CheckConstraint, in its own words, beside `ends_at`."""
    if data["ends_at"] <= data["starts_at"]:
        refusal = next(
            c for c in TrainingSession._meta.constraints if c.name == "session_ends_after_start"
        )
        raise serializers.ValidationError({"ends_at": refusal.violation_error_message})


class SessionScheduleIn(OneTimeKey):
    module = BodyId()
    trainer = BodyId(required=False, help_text="Who leads it; default the token's person.")
    starts_at = UtcDateTimeField()
    ends_at = UtcDateTimeField()
    resources = serializers.ListField(
        child=BodyId(),
        max_length=LIST_LIMIT,
        required=False,
        help_text="Ids of the resources to book (GET /api/v1/resources/).",
    )
    trainees = serializers.ListField(child=BodyId(), max_length=LIST_LIMIT, required=False)
    notes = Text(required=False, allow_blank=True, default="")
    override_reason = Text(
        required=False,
        allow_blank=True,
        default="",
        max_length=1000,
        help_text="Programme admins only: why to schedule despite the warnings the answer "
        "listed (a medical hold, prerequisites, a lapsed qualification, the trainer's "
        "authorisation). The session's history keeps it.",
    )

    def validate(self, data):
        _ends_after(data)
        return data


class GradeIn(serializers.Serializer):
    competency = BodyId()
    grade = Whole(
        min_value=GRADE_MIN, max_value=GRADE_MAX, allow_null=True, help_text="null: not observed"
    )


HOURS_MAX = Decimal("999.99")


class MeasurementIn(serializers.Serializer):
    metric = serializers.ChoiceField(choices=sorted(METRIC_SPECS))
    value = Number(max_digits=7, decimal_places=2)


class EntryIn(serializers.Serializer):
    trainee = BodyId()
    attendance = serializers.ChoiceField(choices=SessionAttendance.Attendance.choices)
    hours_credited = Number(
        max_digits=5, decimal_places=2, min_value=Decimal(0), max_value=HOURS_MAX
    )
    remarks = Text(required=False, allow_blank=True, default="")
    grades = GradeIn(many=True, required=False, default=list, max_length=100)
    measurements = MeasurementIn(many=True, required=False, default=list, max_length=20)


class SessionLogIn(OneTimeKey):
    version = Whole(min_value=1, max_value=2**31 - 1, help_text="The session's version as read.")
    starts_at = UtcDateTimeField()
    ends_at = UtcDateTimeField()
    entries = EntryIn(many=True, max_length=LIST_LIMIT)

    def validate(self, data):
        _ends_after(data)
        return data


class AttemptIn(OneTimeKey):
    assessment = BodyId()
    taken_at = UtcDateTimeField()
    score = Number(
        max_digits=6,
        decimal_places=1,
        min_value=Decimal(0),
        required=False,
        allow_null=True,
        default=None,
    )
    grades = GradeIn(many=True, max_length=100, help_text="Every competency of the module, once.")
    remarks = Text(required=False, allow_blank=True, default="")


def _column(model, name: str) -> int:
    return model._meta.get_field(name).max_length


class ResourceFields(serializers.Serializer):
    """A resource as the resource page's form takes it (PATCH: any of them)."""

    name = Text(max_length=_column(Resource, "name"))
    kind = serializers.ChoiceField(choices=Resource.Kind.choices)
    capacity = Whole(
        min_value=1,
        max_value=MAX_CAPACITY,
        help_text="How many sessions can use it at once: 1 for a device one session uses.",
    )
    required_qualification = Text(
        max_length=_column(Resource, "required_qualification"),
        required=False,
        allow_blank=True,
        help_text="The code of a qualification of the curriculum a trainee must hold to be "
        "booked into it; blank for none.",
    )
    notes = Text(required=False, allow_blank=True)


class ResourceIn(OneTimeKey, ResourceFields):
    pass


class UnavailableIn(serializers.Serializer):
    starts_at = UtcDateTimeField()
    ends_at = UtcDateTimeField()
    reason = Text(max_length=_column(ResourceUnavailability, "reason"))

    def validate(self, data):
        if data["ends_at"] <= data["starts_at"]:
            refusal = next(
                c
                for c in ResourceUnavailability._meta.constraints
                if c.name == "unavailable_ends_after_start"
            )
            raise serializers.ValidationError({"ends_at": refusal.violation_error_message})
        return data


class AbsenceNoticeIn(serializers.Serializer):
    """A trainee's notice that they will miss a session, as the notice page's form takes it."""

    category = serializers.ChoiceField(choices=AbsenceNotice.Category.choices)
    reason = Text(max_length=AbsenceNotice.REASON_MAX)


class AbsenceNoticeOut(serializers.ModelSerializer):
    created_at = UtcDateTimeField()
    withdrawn_at = UtcDateTimeField(allow_null=True)

    class Meta:
        model = AbsenceNotice
        fields = ["id", "session", "trainee", "category", "reason", "created_at", "withdrawn_at"]
