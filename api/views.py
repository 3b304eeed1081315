"""The API's endpoints: thin, as the pages' views are. Each lets in the roles of the page it
mirrors (`trainees.access`), fetches through the models' `visible_to(user)` (404 for what the
person may not see), reads through the areas' selectors and writes through their services.

Listings are paginated (`page`, `page_size`) and filtered by cohort and by day (`from`, `to`:
days in UTC, inclusive); their query count does not grow with the page (tests/api).
"""

import datetime as dt

from django.db import transaction
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from api import serializers as s
from api.permissions import TokenScope, roles
from curriculum.models import AssessmentDefinition, Competency, Module
from trainees.absences import services as absence_services
from trainees.access import (
    MANAGES_MEDICAL,
    MANAGES_PEOPLE,
    SEES_BOARD,
    SEES_RESOURCES,
    SEES_TRAINEES,
)
from trainees.assessments.services import assessment_record
from trainees.models import (
    AbsenceNotice,
    AssessmentResult,
    Cohort,
    CompetencyGrade,
    MedicalHold,
    QualificationGrant,
    Resource,
    SessionAttendance,
    SessionResource,
    SessionTrainee,
    Trainee,
    TrainingSession,
)
from trainees.progress.selectors import cohort_board_trainees, trainees_progress
from trainees.resources import services as resource_services
from trainees.services import AlreadySubmitted, submission_claim, submission_done
from trainees.sessions.services import AttendanceEntry, SessionLogErrors
from trainees.sessions.services import session_log as session_log_write
from trainees.sessions.services import session_schedule as session_schedule_write

OWN = "accounts.view_own_progress"
LOGS = "accounts.log_training"
# Who opens a trainee's record, a session or a result on the pages: staff who see trainees, and
# the trainee for their own.
SEES_RECORDS = roles(*SEES_TRAINEES, OWN)


def _day_range(params: dict, field: str) -> Q:
    """`from` and `to` (days, inclusive) on a date and time field, in UTC."""
    condition = Q()
    if day := params.get("from"):
        condition &= Q(**{f"{field}__gte": dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)})
    if day := params.get("to"):
        end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
        condition &= Q(**{f"{field}__lt": end})
    return condition


def _date_range(params: dict, field: str) -> Q:
    condition = Q()
    if day := params.get("from"):
        condition &= Q(**{f"{field}__gte": day})
    if day := params.get("to"):
        condition &= Q(**{f"{field}__lte": day})
    return condition


def _query(serializer_class, request) -> dict:
    """The query parameters, checked: a bad one is a 400 naming it."""
    # A plain dict (the last of repeated values): an empty value is then refused, not skipped.
    params = serializer_class(data=request.query_params.dict())
    params.is_valid(raise_exception=True)
    return params.validated_data


class Listing(generics.ListAPIView):
    """A paginated listing whose query parameters are checked by `filters`."""

    filters: type[serializers.Serializer]

    def get_queryset(self):
        return self.records(_query(self.filters, self.request))

    def records(self, params: dict):
        raise NotImplementedError


# Trainees and cohorts --------------------------------------------------------------------------


def _trainees(user):
    return Trainee.objects.visible_to(user).select_related("user")


@extend_schema(parameters=[s.TraineeFilter], summary="Trainees you may see")
class TraineeList(Listing):
    permission_classes = [roles(*SEES_TRAINEES)]
    serializer_class = s.TraineeOut
    filters = s.TraineeFilter

    def records(self, params):
        trainees = _trainees(self.request.user).order_by("user__display_name", "pk")
        if "cohort" in params:
            trainees = trainees.filter(cohort_id=params["cohort"])
        if "status" in params:
            trainees = trainees.filter(status=params["status"])
        return trainees


@extend_schema(summary="A trainee")
class TraineeDetail(generics.RetrieveAPIView):
    permission_classes = [SEES_RECORDS]
    serializer_class = s.TraineeOut

    def get_queryset(self):
        return _trainees(self.request.user)


@extend_schema(parameters=[s.OnDay], responses=s.ProgressOut, summary="A trainee's progress")
class TraineeProgress(APIView):
    """Progress and readiness as the trainee's record shows them, on a day (default today)."""

    permission_classes = [SEES_RECORDS]

    def get(self, request, pk: int):
        params = _query(s.OnDay, request)
        trainee = get_object_or_404(
            _trainees(request.user).select_related("cohort__revision"), pk=pk
        )
        progress = trainees_progress(trainees=[trainee], on=params.get("on"))[0]
        return Response(s.ProgressOut(progress).data)


def _cohorts(user):
    return (
        Cohort.objects.visible_to(user)
        .select_related("revision__programme")
        .prefetch_related("trainers")
    )


@extend_schema(parameters=[s.Dates], summary="Cohorts you may see")
class CohortList(Listing):
    """Cohorts; `from` and `to` choose those training on any of those days."""

    permission_classes = [roles(*SEES_TRAINEES)]
    serializer_class = s.CohortOut
    filters = s.Dates

    def records(self, params):
        cohorts = _cohorts(self.request.user).order_by("-starts_on", "name", "pk")
        if day := params.get("from"):
            cohorts = cohorts.filter(ends_on__gte=day)
        if day := params.get("to"):
            cohorts = cohorts.filter(starts_on__lte=day)
        return cohorts


@extend_schema(summary="A cohort")
class CohortDetail(generics.RetrieveAPIView):
    permission_classes = [roles(*SEES_TRAINEES)]
    serializer_class = s.CohortOut

    def get_queryset(self):
        return _cohorts(self.request.user)


@extend_schema(parameters=[s.OnDay], summary="A cohort's progress board")
class CohortProgress(generics.ListAPIView):
    """Each trainee's progress and readiness, as the cohort board shows them."""

    permission_classes = [roles(*SEES_BOARD)]
    serializer_class = s.ProgressOut

    def list(self, request, pk: int):
        params = _query(s.OnDay, request)
        cohort = get_object_or_404(Cohort.objects.visible_to(request.user), pk=pk)
        page = self.paginate_queryset(cohort_board_trainees(cohort=cohort, user=request.user))
        progress = trainees_progress(trainees=page, on=params.get("on"))
        return self.get_paginated_response(s.ProgressOut(progress, many=True).data)


# Sessions and attendance -----------------------------------------------------------------------


def _sessions(user):
    return TrainingSession.objects.visible_to(user).select_related("module", "trainer")


def _with_rosters(sessions) -> list:
    """The sessions, each with `roster`: the ids of its expected trainees, read in one query as
    pairs of ids (a prefetch would build a Trainee for each: 5,000 for a page of 50 sessions of
    a cohort of 100, most of the listing's time in bench/run)."""
    sessions = list(sessions)
    rosters = {session.pk: [] for session in sessions}
    booked = {session.pk: [] for session in sessions}
    pairs = SessionTrainee.objects.filter(session__in=list(rosters))
    for session_id, trainee_id in pairs.order_by("trainee_id").values_list(
        "session_id", "trainee_id"
    ):
        rosters[session_id].append(trainee_id)
    places = SessionResource.objects.filter(session__in=list(booked))
    for session_id, resource_id in places.order_by("resource_id").values_list(
        "session_id", "resource_id"
    ):
        booked[session_id].append(resource_id)
    for session in sessions:
        session.roster = rosters[session.pk]
        session.booked = booked[session.pk]
    return sessions


def _session_out(user, pk: int, session=None) -> dict:
    session = session or _sessions(user).get(pk=pk)
    return s.SessionOut(_with_rosters([session])[0]).data


@extend_schema(parameters=[s.SessionFilter], summary="Sessions you may see")
class SessionList(Listing):
    permission_classes = [SEES_RECORDS]
    serializer_class = s.SessionOut
    filters = s.SessionFilter

    def records(self, params):
        sessions = _sessions(self.request.user).filter(_day_range(params, "starts_at"))
        if "cohort" in params:
            sessions = sessions.filter(cohort_id=params["cohort"])
        if "status" in params:
            sessions = sessions.filter(status=params["status"])
        if "trainee" in params:
            trainee = params["trainee"]
            sessions = sessions.filter(
                Q(trainees=trainee) | Q(attendances__trainee=trainee)
            ).distinct()
        return sessions.order_by("starts_at", "pk")

    def paginate_queryset(self, queryset):
        return _with_rosters(super().paginate_queryset(queryset))


@extend_schema(summary="A session")
class SessionDetail(generics.RetrieveAPIView):
    permission_classes = [SEES_RECORDS]
    serializer_class = s.SessionOut

    def get_queryset(self):
        return _sessions(self.request.user)

    def get_object(self):
        return _with_rosters([super().get_object()])[0]


_GRADES = Prefetch("grades", queryset=CompetencyGrade.objects.select_related("competency"))


@extend_schema(parameters=[s.TraineeRecordFilter], summary="Attendance at sessions")
class AttendanceList(Listing):
    """Who attended which session, the hours credited, grades and remarks."""

    permission_classes = [SEES_RECORDS]
    serializer_class = s.AttendanceOut
    filters = s.TraineeRecordFilter

    def records(self, params):
        rows = (
            SessionAttendance.objects.visible_to(self.request.user)
            .select_related("session")
            .prefetch_related(_GRADES)
            .filter(_day_range(params, "session__starts_at"))
        )
        rows = _of_cohort_and_trainee(rows, params, cohort="session__cohort_id")
        return rows.order_by("session__starts_at", "pk")


def _of_cohort_and_trainee(rows, params, *, cohort: str = "trainee__cohort_id"):
    """A trainee's records narrowed to the `cohort` and `trainee` filters, where given."""
    if "cohort" in params:
        rows = rows.filter(**{cohort: params["cohort"]})
    if "trainee" in params:
        rows = rows.filter(trainee_id=params["trainee"])
    return rows


# Results, qualifications, medical holds --------------------------------------------------------


def _results(user):
    return (
        AssessmentResult.objects.visible_to(user)
        .select_related("definition", "assessor", "signed_by")
        .prefetch_related(_GRADES)
    )


def _result_out(user, pk: int, result=None) -> dict:
    return s.ResultOut(result or _results(user).get(pk=pk)).data


@extend_schema(parameters=[s.TraineeRecordFilter], summary="Assessment results")
class ResultList(Listing):
    permission_classes = [SEES_RECORDS]
    serializer_class = s.ResultOut
    filters = s.TraineeRecordFilter

    def records(self, params):
        results = _results(self.request.user).filter(_day_range(params, "taken_at"))
        results = _of_cohort_and_trainee(results, params)
        return results.order_by("taken_at", "pk")


@extend_schema(summary="An assessment result")
class ResultDetail(generics.RetrieveAPIView):
    permission_classes = [SEES_RECORDS]
    serializer_class = s.ResultOut

    def get_queryset(self):
        return _results(self.request.user)


class GrantFilter(s.TraineeRecordFilter, s.OnDay):
    pass


@extend_schema(parameters=[GrantFilter], summary="Qualifications held, and their currency")
class GrantList(Listing):
    """Qualification grants, each with its currency on `on` (default today); `from` and `to`
    choose by the day granted."""

    permission_classes = [SEES_RECORDS]
    serializer_class = s.GrantOut
    filters = GrantFilter

    def records(self, params):
        self.on = params.get("on") or timezone.localdate()
        grants = (
            QualificationGrant.objects.visible_to(self.request.user)
            .select_related("qualification")
            .filter(_date_range(params, "granted_on"))
        )
        grants = _of_cohort_and_trainee(grants, params)
        return grants.order_by("granted_on", "pk")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "on": getattr(self, "on", None)}


@extend_schema(parameters=[s.TraineeRecordFilter], summary="Medical holds")
class HoldList(Listing):
    """Medical holds: their dates for whoever sees the trainee (`status_visible_to`); the
    reason and who opened and closed them for the medical officer only (`visible_to`).
    `from` and `to` choose by the day opened."""

    permission_classes = [SEES_RECORDS]
    serializer_class = s.HoldOut
    filters = s.TraineeRecordFilter

    def medical(self) -> bool:
        return self.request.user.has_perm(MANAGES_MEDICAL)

    def records(self, params):
        user = self.request.user
        if self.medical():
            holds = MedicalHold.objects.visible_to(user).select_related("opened_by", "closed_by")
        else:
            holds = MedicalHold.objects.status_visible_to(user)
        holds = holds.filter(_date_range(params, "opened_on"))
        holds = _of_cohort_and_trainee(holds, params)
        return holds.order_by("opened_on", "pk")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "medical": self.medical()}


# The curriculum --------------------------------------------------------------------------------


def _modules(user):
    return (
        Module.objects.visible_to(user)
        .select_related("revision__programme")
        .prefetch_related(
            "prerequisites",
            Prefetch("competencies", queryset=Competency.objects.order_by("order", "code")),
            Prefetch("assessments", queryset=AssessmentDefinition.objects.order_by("order")),
        )
    )


@extend_schema(parameters=[s.ModuleFilter], summary="Modules of the curriculum")
class ModuleList(Listing):
    """The modules of the published revisions (programme admins: drafts too)."""

    permission_classes = [TokenScope]  # every role reads the curriculum (`visible_to`)
    serializer_class = s.ModuleOut
    filters = s.ModuleFilter

    def records(self, params):
        modules = _modules(self.request.user)
        if "revision" in params:
            modules = modules.filter(revision_id=params["revision"])
        if "category" in params:
            modules = modules.filter(category=params["category"])
        return modules.order_by("revision", "order", "code", "pk")


@extend_schema(summary="A module")
class ModuleDetail(generics.RetrieveAPIView):
    permission_classes = [TokenScope]
    serializer_class = s.ModuleOut

    def get_queryset(self):
        return _modules(self.request.user)


# Resources --------------------------------------------------------------------------------------


class StaffReadAdminsWrite:
    """As the resource pages: every staff role reads, programme admins write."""

    def get_permissions(self):
        if self.request.method in permissions.SAFE_METHODS:
            return [roles(*SEES_RESOURCES)()]
        return [roles(MANAGES_PEOPLE)()]


def _resources(user):
    return Resource.objects.visible_to(user)


def _resource_out(user, pk: int, resource=None) -> dict:
    return s.ResourceOut(resource or _resources(user).get(pk=pk)).data


@extend_schema(methods=["GET"], parameters=[s.ResourceFilter], summary="The centre's resources")
@extend_schema(
    methods=["POST"],
    request=s.ResourceIn,
    responses={201: s.ResourceOut, 200: s.ResourceOut},
    summary="Add a resource (programme admins)",
)
class ResourceList(StaffReadAdminsWrite, Listing):
    """Simulators, pools, halls: those in service first. Sent again with the same `key`, a
    POST answers the resource the first made."""

    serializer_class = s.ResourceOut
    filters = s.ResourceFilter

    def records(self, params):
        resources = _resources(self.request.user).order_by("retired_on", "name", "pk")
        if "kind" in params:
            resources = resources.filter(kind=params["kind"])
        return resources

    def post(self, request):
        body = s.ResourceIn(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            resource = resource_services.resource_save(
                resource=None,
                name=data["name"],
                kind=data["kind"],
                capacity=data["capacity"],
                required_qualification=data.get("required_qualification", ""),
                notes=data.get("notes", ""),
                by=request.user,
                key=data["key"],
            )
        except AlreadySubmitted as done:
            return _already(done, _resources(request.user), _resource_out)
        return Response(_resource_out(request.user, resource.pk, resource), status=201)


@extend_schema(methods=["GET"], summary="A resource")
@extend_schema(
    methods=["PATCH"],
    request=s.ResourceFields,
    responses={200: s.ResourceOut},
    summary="Change a resource (programme admins)",
)
class ResourceDetail(StaffReadAdminsWrite, generics.RetrieveAPIView):
    """Lowering the capacity below the most sessions booked into it at once is refused, naming
    them."""

    serializer_class = s.ResourceOut

    def get_queryset(self):
        return _resources(self.request.user)

    def patch(self, request, pk: int):
        resource = self.get_object()
        body = s.ResourceFields(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        fields = ("name", "kind", "capacity", "required_qualification", "notes")
        data = {field: getattr(resource, field) for field in fields} | body.validated_data
        saved = resource_services.resource_save(resource=resource, by=request.user, **data)
        return Response(_resource_out(request.user, saved.pk, saved))


@extend_schema(
    request=s.UnavailableIn,
    responses={201: s.UnavailableOut},
    summary="Record a period a resource is out of service (programme admins)",
)
class ResourceUnavailable(APIView):
    """Refused over scheduled sessions that book the resource, naming them."""

    permission_classes = [roles(MANAGES_PEOPLE)]

    def post(self, request, pk: int):
        resource = get_object_or_404(_resources(request.user), pk=pk)
        body = s.UnavailableIn(data=request.data)
        body.is_valid(raise_exception=True)
        period = resource_services.unavailability_add(
            resource=resource, by=request.user, **body.validated_data
        )
        return Response(s.UnavailableOut(period).data, status=201)


class NotFound(APIView):
    """Any other address under the API: a problem document, as every refusal is."""

    authentication_classes = []
    permission_classes = []
    throttle_classes = []
    schema = None

    def initial(self, request, *args, **kwargs):
        raise exceptions.NotFound()


# Writes ----------------------------------------------------------------------------------------


def _earlier(done: AlreadySubmitted, records):
    """What an earlier submission of the same key saved, if the person may still see it."""
    try:
        pk = resolve(done.target).kwargs["pk"]
    except (Resolver404, KeyError):
        return None
    return records.filter(pk=pk).first()


def _already(done: AlreadySubmitted, records, shown):
    """What the first request with this key saved, as `shown(user, pk)` gives it."""
    record = _earlier(done, records)
    if record is None:
        raise serializers.ValidationError({"key": _("This key was used for another request.")})
    return Response(shown(None, record.pk, record), status=200)


def _pick(queryset, ids: list[int], field: str) -> list:
    """The records of `ids` in `queryset`, or a refusal naming `field` and the ids not found."""
    found = {record.pk: record for record in queryset.filter(pk__in=ids)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise serializers.ValidationError(
            {field: _("Not one you may choose: %(ids)s") % {"ids": ", ".join(map(str, missing))}}
        )
    return [found[i] for i in ids]


@extend_schema(
    request=s.SessionScheduleIn,
    responses={201: s.SessionOut, 200: s.SessionOut},
    summary="Schedule a session for a cohort you train",
)
class SessionSchedule(APIView):
    """As the schedule page: the cohort's module, one of its trainers (or you), its trainees
    in training. Sent again with the same `key`, it answers the session the first made."""

    permission_classes = [roles(LOGS)]

    def post(self, request, pk: int):
        user = request.user
        cohort = get_object_or_404(Cohort.objects.trained_by(user), pk=pk)
        body = s.SessionScheduleIn(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        module = _pick(
            Module.objects.filter(revision_id=cohort.revision_id), [data["module"]], "module"
        )
        trainer = user
        if "trainer" in data:
            choices = User.objects.filter(Q(cohorts_trained=cohort) | Q(pk=user.pk)).distinct()
            trainer = _pick(choices, [data["trainer"]], "trainer")[0]
        roster = Trainee.objects.visible_to(user).filter(
            cohort=cohort, status=Trainee.Status.IN_TRAINING
        )
        trainees = _pick(roster, list(dict.fromkeys(data.get("trainees", []))), "trainees")
        resources = _pick(
            Resource.objects.visible_to(user).bookable(),
            list(dict.fromkeys(data.get("resources", []))),
            "resources",
        )
        try:
            session = session_schedule_write(
                cohort=cohort,
                module=module[0],
                trainer=trainer,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                resources=resources,
                trainees=trainees,
                notes=data["notes"],
                override_reason=data["override_reason"],
                by=user,
                key=data["key"],
            )
        except AlreadySubmitted as done:
            return _already(done, _sessions(user), _session_out)
        return Response(_session_out(user, session.pk), status=201)


def _log_entries(session: TrainingSession, user, entries: list[dict]) -> list[AttendanceEntry]:
    """The log's lines as the log page reads them: the crew's trainees you may see, the module's
    competencies, and measurements only for a physical-conditioning module."""
    crew = {t.pk: t for t in Trainee.objects.visible_to(user).filter(cohort=session.cohort_id)}
    competencies = set(session.module.competencies.values_list("pk", flat=True))
    measures = session.module.category == Module.Category.PHYSICAL
    errors, lines, seen = {}, [], set()
    for index, entry in enumerate(entries):
        problems = {}
        trainee = crew.get(entry["trainee"])
        if trainee is None or entry["trainee"] in seen:
            problems["trainee"] = _("Not a trainee of this session's cohort, or given twice.")
        seen.add(entry["trainee"])
        graded = [g["competency"] for g in entry["grades"]]
        if set(graded) - competencies or len(graded) != len(set(graded)):
            problems["grades"] = _("Grade the module's competencies, each once.")
        metrics = [m["metric"] for m in entry["measurements"]]
        if metrics and not measures:
            problems["measurements"] = _("Only a physical-conditioning session takes measurements.")
        elif len(metrics) != len(set(metrics)):
            problems["measurements"] = _("Give each measurement once.")
        if problems:
            errors[str(index)] = problems
            continue
        lines.append(
            AttendanceEntry(
                trainee=trainee,
                attendance=entry["attendance"],
                hours=entry["hours_credited"],
                grades={g["competency"]: g["grade"] for g in entry["grades"]},
                remarks=entry["remarks"],
                measurements={m["metric"]: m["value"] for m in entry["measurements"]},
            )
        )
    if errors:
        raise serializers.ValidationError({"entries": errors})
    return lines


def _log_refusal(error: SessionLogErrors, entries: list[dict]) -> serializers.ValidationError:
    """The service's refusals by trainee, as fields of the entries that named them."""
    index = {entry["trainee"]: str(i) for i, entry in enumerate(entries)}
    by_entry = {}
    for trainee_id, fields in error.by_trainee.items():
        named = {}
        for field, message in fields.items():
            named["measurements" if field.startswith("m_") else field] = [str(message)]
        by_entry[index.get(trainee_id, "0")] = named
    return serializers.ValidationError({"entries": by_entry})


@extend_schema(
    request=s.SessionLogIn,
    responses={200: s.SessionOut},
    summary="Log a held session, for its whole crew at once",
)
class SessionLog(APIView):
    """As the log page: all lines saved or none; refused (409) when the session's `version`
    is no longer the one you read; the same `key` sent again saves nothing twice."""

    permission_classes = [roles(LOGS)]

    def post(self, request, pk: int):
        user = request.user
        session = get_object_or_404(
            TrainingSession.objects.loggable_by(user).select_related("module", "cohort"), pk=pk
        )
        body = s.SessionLogIn(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        entries = _log_entries(session, user, data["entries"])
        try:
            session_log_write(
                session=session,
                version=data["version"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                entries=entries,
                by=user,
                key=data["key"],
            )
        except AlreadySubmitted as done:
            return _already(done, _sessions(user), _session_out)
        except SessionLogErrors as error:
            raise _log_refusal(error, data["entries"]) from None
        return Response(_session_out(user, session.pk))


@extend_schema(
    request=s.AttemptIn,
    responses={201: s.ResultOut, 200: s.ResultOut},
    summary="Record a trainee's next attempt at an assessment",
)
class AttemptRecord(APIView):
    """As the attempt page: an assessment of the trainee's revision, a grade (or null, not
    observed) for every competency of its module. Unsigned: a signature needs the assessor's
    password, on the result's page."""

    permission_classes = [roles(LOGS)]

    def post(self, request, pk: int):
        user = request.user
        trainees = Trainee.objects.visible_to(user).filter(
            cohort__in=Cohort.objects.trained_by(user).values("pk")
        )
        trainee = get_object_or_404(trainees.select_related("cohort"), pk=pk)
        body = s.AttemptIn(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        definitions = AssessmentDefinition.objects.filter(
            module__revision_id=trainee.cohort.revision_id
        ).select_related("module")
        definition = _pick(definitions, [data["assessment"]], "assessment")[0]
        competencies = {c.pk: c for c in definition.module.competencies.all()}
        graded = {g["competency"]: g["grade"] for g in data["grades"]}
        if set(graded) != set(competencies) or len(graded) != len(data["grades"]):
            raise serializers.ValidationError(
                {"grades": _("Grade every competency of the module once, or null: not observed.")}
            )
        try:
            with transaction.atomic():
                claim = submission_claim(key=data["key"], user=user)
                result = assessment_record(
                    trainee=trainee,
                    definition=definition,
                    assessor=user,
                    taken_at=data["taken_at"],
                    score=data["score"],
                    grades={competencies[pk]: grade for pk, grade in graded.items()},
                    remarks=data["remarks"],
                )
                submission_done(
                    claim=claim, target=reverse("trainees:result_detail", args=[result.pk])
                )
        except AlreadySubmitted as done:
            return _already(done, _results(user), _result_out)
        return Response(_result_out(user, result.pk), status=201)


@extend_schema(
    methods=["POST"],
    request=s.AbsenceNoticeIn,
    responses={201: s.AbsenceNoticeOut},
    summary="Give notice that you will miss a session (trainees)",
)
@extend_schema(
    methods=["DELETE"],
    request=None,
    responses={200: s.AbsenceNoticeOut},
    summary="Withdraw your notice of absence for a session (trainees)",
)
class SessionAbsence(APIView):
    """As the notice of absence page: the trainee's own, for a scheduled session they are
    expected at that has not started. A second notice while one stands is refused (400); with
    none standing, a DELETE is 404."""

    permission_classes = [roles(OWN)]

    def _session_and_trainee(self, request, pk: int):
        session = get_object_or_404(
            TrainingSession.objects.visible_to(request.user).select_related(
                "module__revision", "cohort", "trainer"
            ),
            pk=pk,
        )
        trainee = get_object_or_404(Trainee.objects.visible_to(request.user), user=request.user)
        return session, trainee

    def post(self, request, pk: int):
        session, trainee = self._session_and_trainee(request, pk)
        body = s.AbsenceNoticeIn(data=request.data)
        body.is_valid(raise_exception=True)
        notice = absence_services.absence_notice_give(
            session=session, trainee=trainee, by=request.user, **body.validated_data
        )
        return Response(s.AbsenceNoticeOut(notice).data, status=201)

    def delete(self, request, pk: int):
        session, trainee = self._session_and_trainee(request, pk)
        notice = get_object_or_404(
            AbsenceNotice.objects.visible_to(request.user).standing(),
            session=session,
            trainee=trainee,
        )
        notice = absence_services.absence_notice_withdraw(notice=notice, by=request.user)
        return Response(s.AbsenceNoticeOut(notice).data)
