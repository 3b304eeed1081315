"""The operators' admin of the curriculum and the training records.

Every page opens; a published revision's content is shown read-only rather than failing on save;
records cannot be deleted; changelists cost the same whatever their length.
"""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django import forms
from django.contrib import admin
from django.core import checks
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from curriculum.models import (
    AssessmentCriterion,
    AssessmentDefinition,
    Competency,
    Module,
    Prerequisite,
    Programme,
    ProgrammeRevision,
    Qualification,
)
from tests.factories import (
    AssessmentDefinitionFactory,
    AssessmentResultFactory,
    CohortFactory,
    CompetencyFactory,
    MedicalCertificateFactory,
    MedicalHoldFactory,
    ModuleFactory,
    ProgrammeFactory,
    QualificationFactory,
    ResourceFactory,
    RevisionFactory,
    SessionAttendanceFactory,
    TraineeFactory,
    TrainingSessionFactory,
    UserFactory,
    revision_ready,
)
from trainees.models import (
    AbsenceNotice,
    AssessmentAllowance,
    AssessmentAmendment,
    AssessmentResult,
    Cohort,
    CohortPlanEntry,
    CompetencyGrade,
    Measurement,
    MedicalCertificate,
    MedicalHold,
    PastImport,
    QualificationGrant,
    Resource,
    ResourceUnavailability,
    SessionAttendance,
    Trainee,
    TraineeStatusChange,
    TrainerAuthorisation,
    TrainingSession,
)


def _prerequisite():
    module = ModuleFactory()
    return Prerequisite.objects.create(
        module=module, required_module=ModuleFactory(revision=module.revision)
    )


def _criterion():
    definition = AssessmentDefinitionFactory()
    competency = CompetencyFactory(module=definition.module)
    return AssessmentCriterion.objects.create(definition=definition, competency=competency)


def _plan_entry():
    cohort = CohortFactory()
    module = cohort.revision.modules.first()
    return CohortPlanEntry.objects.create(cohort=cohort, module=module, start_week=1, end_week=4)


def _status_change():
    return TraineeStatusChange.objects.create(
        trainee=TraineeFactory(),
        status=Trainee.Status.IN_TRAINING,
        effective_on=timezone.localdate(),
        reason="Enrolled.",
        recorded_by=UserFactory(roles=[Role.PROGRAMME_ADMIN]),
    )


def _grade():
    attendance = SessionAttendanceFactory()
    competency = attendance.session.module.competencies.first()
    return CompetencyGrade.objects.create(competency=competency, attendance=attendance, grade=4)


def _grant():
    result = AssessmentResultFactory()
    granted_on = timezone.localdate()
    return QualificationGrant.objects.create(
        trainee=result.trainee,
        qualification=Qualification.objects.get(conferred_by_assessment=result.definition),
        granted_on=granted_on,
        expires_on=granted_on + dt.timedelta(days=90),
        result=result,
        granted_by=UserFactory(roles=[Role.TRAINER]),
    )


def _amendment():
    result = AssessmentResultFactory()
    return AssessmentAmendment.objects.create(
        result=result,
        reason="Score misread.",
        amended_by=result.assessor,
        previous={"score": "80.0", "passed": True, "remarks": "", "grades": {}},
    )


def _past_import():
    return PastImport.objects.create(
        cohort=CohortFactory(),
        file_name="past.csv",
        sha256=f"{uuid.uuid4().hex}{uuid.uuid4().hex}",
        row_count=1,
        session_count=1,
        imported_by=UserFactory(roles=[Role.PROGRAMME_ADMIN]),
    )


def _absence_notice():
    trainee = TraineeFactory()
    session = TrainingSessionFactory(cohort=trainee.cohort, status="scheduled")
    return AbsenceNotice.objects.create(
        session=session,
        trainee=trainee,
        category="illness",
        reason="Flu.",
        created_by=trainee.user,
    )


def _allowance():
    trainee = TraineeFactory()
    return AssessmentAllowance.objects.create(
        trainee=trainee,
        definition=AssessmentDefinition.objects.filter(
            module__revision=trainee.cohort.revision
        ).first(),
        kind=AssessmentAllowance.Kind.EXTRA_ATTEMPT,
        reason="Pool closed during the attempt.",
        granted_by=UserFactory(roles=[Role.PROGRAMME_ADMIN]),
    )


def _measurement():
    return Measurement.objects.create(
        trainee=TraineeFactory(),
        metric=Measurement.Metric.VO2MAX,
        value=Decimal("52.5"),
        taken_at=timezone.now(),
        recorded_by=UserFactory(roles=[Role.MEDICAL_OFFICER]),
    )


def _unavailability():
    return ResourceUnavailability.objects.create(
        resource=ResourceFactory(),
        starts_at=timezone.now(),
        ends_at=timezone.now() + dt.timedelta(hours=4),
        reason="Inspection",
        recorded_by=UserFactory(roles=[Role.PROGRAMME_ADMIN]),
    )


def _authorisation():
    return TrainerAuthorisation.objects.create(
        trainer=UserFactory(roles=[Role.TRAINER]),
        programme=RevisionFactory().programme,
        module_code="PC-101",
        granted_on=timezone.localdate(),
        granted_by=UserFactory(roles=[Role.PROGRAMME_ADMIN]),
    )


# Each registered model, and how to make one row of it (each with its own related rows, so that
# a changelist that fetches them one by one shows in its query count).
MAKERS = {
    Programme: ProgrammeFactory,
    ProgrammeRevision: RevisionFactory,
    Module: ModuleFactory,
    Prerequisite: _prerequisite,
    Competency: CompetencyFactory,
    AssessmentDefinition: AssessmentDefinitionFactory,
    AssessmentCriterion: _criterion,
    Qualification: QualificationFactory,
    Cohort: CohortFactory,
    CohortPlanEntry: _plan_entry,
    Trainee: TraineeFactory,
    TraineeStatusChange: _status_change,
    TrainingSession: TrainingSessionFactory,
    SessionAttendance: SessionAttendanceFactory,
    AssessmentResult: AssessmentResultFactory,
    AssessmentAmendment: _amendment,
    AssessmentAllowance: _allowance,
    CompetencyGrade: _grade,
    QualificationGrant: _grant,
    Measurement: _measurement,
    MedicalHold: MedicalHoldFactory,
    MedicalCertificate: MedicalCertificateFactory,
    Resource: ResourceFactory,
    ResourceUnavailability: _unavailability,
    TrainerAuthorisation: _authorisation,
    PastImport: _past_import,
    AbsenceNotice: _absence_notice,
}

RECORDS = [
    Trainee,
    TraineeStatusChange,
    TrainingSession,
    SessionAttendance,
    AssessmentResult,
    AssessmentAmendment,
    AssessmentAllowance,
    CompetencyGrade,
    QualificationGrant,
    Measurement,
    MedicalHold,
    MedicalCertificate,
    AbsenceNotice,
]

# Records made and changed only in the product: the admin shows them and adds none.
VIEW_ONLY = (AssessmentAmendment, AssessmentAllowance, PastImport, AbsenceNotice)


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _form_data(response) -> dict:
    """The POST data of the admin form on `response`, as the browser would send it unchanged."""
    context_forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        context_forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in context_forms:
        for name, field in form.fields.items():
            value, key = form[name].value(), form.add_prefix(name)
            if value is None or value is False:
                continue
            if isinstance(field.widget, forms.MultiWidget):
                for index, part in enumerate(field.widget.decompress(value)):
                    data[f"{key}_{index}"] = str(part)
            elif isinstance(value, list | tuple):
                data[key] = [str(item) for item in value]
            else:
                data[key] = str(value)
    return data


def test_it_registers_every_model_of_both_apps():
    registered = {
        model
        for model in admin.site._registry
        if model._meta.app_label in ("curriculum", "trainees")
    }
    assert registered == set(MAKERS)


@pytest.mark.parametrize("model", list(MAKERS), ids=lambda model: model.__name__)
def test_it_opens_every_page_for_the_operator(client, operator, model):
    obj = MAKERS[model]()
    client.force_login(operator)
    for url in (
        _url(model, "changelist"),
        _url(model, "change", obj.pk),
        _url(model, "history", obj.pk),
    ):
        assert client.get(url).status_code == 200, url
    assert client.get(_url(model, "add")).status_code == (403 if model in VIEW_ONLY else 200)


@pytest.mark.parametrize("model", list(MAKERS), ids=lambda model: model.__name__)
def test_a_changelist_costs_the_same_with_more_rows(client, operator, model):
    for _ in range(2):
        MAKERS[model]()
    client.force_login(operator)
    url = _url(model, "changelist")
    with CaptureQueriesContext(connection) as two_rows:
        assert client.get(url).status_code == 200
    for _ in range(8):
        MAKERS[model]()
    with CaptureQueriesContext(connection) as ten_rows:
        response = client.get(url)
    assert response.context["cl"].result_count == 10
    assert len(ten_rows) == len(two_rows), (
        f"{model.__name__} changelist: {len(two_rows)} queries with 2 rows, "
        f"{len(ten_rows)} with 10; a column or filter fetches per row (list_select_related?)"
    )


@pytest.mark.parametrize("model", RECORDS, ids=lambda model: model.__name__)
def test_it_never_deletes_a_record(client, operator, model):
    obj = MAKERS[model]()
    client.force_login(operator)
    assert client.get(_url(model, "delete", obj.pk)).status_code == 403
    assert client.post(_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()


def test_the_admin_passes_its_system_checks():
    messages = checks.run_checks(tags=[checks.Tags.admin])
    assert [message for message in messages if not message.is_silenced()] == []


@pytest.mark.parametrize(
    ("app_label", "model_name", "field_name"),
    [
        ("curriculum", "assessmentdefinition", "assessors"),
        ("trainees", "trainee", "user"),
        ("trainees", "cohortplanentry", "module"),
        ("trainees", "competencygrade", "attendance"),
        ("trainees", "qualificationgrant", "result"),
    ],
)
def test_it_autocompletes(client, operator, app_label, model_name, field_name):
    SessionAttendanceFactory()
    AssessmentResultFactory()
    client.force_login(operator)
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": app_label, "model_name": model_name, "field_name": field_name, "term": ""},
    )
    assert response.status_code == 200
    assert response.json()["results"]


def test_the_admin_refuses_a_programme_admin(client, programme_admin):
    client.force_login(programme_admin)
    assert client.get("/admin/trainees/trainee/", follow=True).status_code == 403


# Published revisions ---------------------------------------------------------------------------


@pytest.fixture
def published_module(db):
    return revision_ready().modules.get()


def test_it_shows_a_published_module_read_only(client, operator, published_module):
    client.force_login(operator)
    url = _url(Module, "change", published_module.pk)
    response = client.get(url)
    assert response.status_code == 200
    assert b'name="_save"' not in response.content

    response = client.post(url, {"title": "Renamed", "code": "X-1", "order": 9})
    assert response.status_code == 403
    published_module.refresh_from_db()
    assert published_module.title != "Renamed"


def test_it_lets_a_draft_module_change(client, operator):
    module = ModuleFactory()
    client.force_login(operator)
    url = _url(Module, "change", module.pk)
    data = _form_data(client.get(url)) | {"title": "Renamed"}
    assert client.post(url, data).status_code == 302
    module.refresh_from_db()
    assert module.title == "Renamed"


def test_it_does_not_offer_a_published_revision_for_new_content(client, operator):
    published = revision_ready()
    client.force_login(operator)
    url = _url(Module, "add")
    data = _form_data(client.get(url)) | {
        "revision": str(published.pk),
        "code": "M-NEW",
        "title": "New module",
        "category": Module.Category.SCIENCE,
        "required_hours": "4.0",
        "order": "1",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "revision" in response.context["adminform"].form.errors
    assert not Module.objects.filter(code="M-NEW").exists()


def test_it_bulk_deletes_draft_modules_only(client, operator, published_module):
    draft = ModuleFactory()
    client.force_login(operator)
    url = _url(Module, "changelist")
    selected = [published_module.pk, draft.pk]
    response = client.post(
        url, {"action": "delete_selected", "_selected_action": selected, "post": "yes"}
    )
    assert response.status_code == 200
    assert str(published_module) in response.context["protected"]
    assert Module.objects.filter(pk__in=selected).count() == 2

    data = {"action": "delete_selected", "_selected_action": [draft.pk], "post": "yes"}
    assert client.post(url, data).status_code == 302
    assert not Module.objects.filter(pk=draft.pk).exists()


def test_it_refuses_to_revert_a_published_module(client, operator, published_module):
    version = published_module.history.earliest()
    client.force_login(operator)
    url = reverse(
        "admin:curriculum_module_simple_history", args=(published_module.pk, version.history_id)
    )
    assert client.get(url).status_code == 200
    assert client.post(url, {"title": "Reverted"}).status_code == 403


def test_it_changes_the_assessors_of_a_published_assessment(
    client, operator, trainer, published_module
):
    definition = published_module.assessments.get()
    title = definition.title
    client.force_login(operator)
    url = _url(AssessmentDefinition, "change", definition.pk)
    response = client.get(url)
    assert b'name="_save"' in response.content
    assert set(response.context["adminform"].form.fields) == {"assessors"}

    data = _form_data(response) | {"assessors": [str(trainer.pk)], "title": "Renamed"}
    response = client.post(url, data)

    assert response.status_code == 302
    definition.refresh_from_db()
    assert list(definition.assessors.all()) == [trainer]
    assert definition.title == title
    assert definition.history.latest().history_user == operator
    assert client.get(_url(AssessmentDefinition, "history", definition.pk)).status_code == 200


def test_it_keeps_a_published_assessment_undeletable(client, operator, published_module):
    definition = published_module.assessments.get()
    client.force_login(operator)
    assert client.get(_url(AssessmentDefinition, "delete", definition.pk)).status_code == 403


def test_it_keeps_a_published_revision_published(client, operator, published_module):
    revision = published_module.revision
    client.force_login(operator)
    url = _url(ProgrammeRevision, "change", revision.pk)
    data = _form_data(client.get(url)) | {"summary": "Typo fixed", "number": "99"}
    assert client.post(url, data).status_code == 302
    revision.refresh_from_db()
    assert (revision.summary, revision.is_published) == ("Typo fixed", True)
    assert revision.number != 99
    assert client.get(_url(ProgrammeRevision, "delete", revision.pk)).status_code == 403


# Training records ------------------------------------------------------------------------------


def test_it_records_a_status_change_as_the_operator(client, operator):
    trainee = TraineeFactory()
    client.force_login(operator)
    url = _url(Trainee, "change", trainee.pk)
    data = _form_data(client.get(url)) | {
        "status": Trainee.Status.WITHDRAWN,
        "status_changes-TOTAL_FORMS": "1",
        "status_changes-0-status": Trainee.Status.WITHDRAWN,
        "status_changes-0-effective_on": str(timezone.localdate()),
        "status_changes-0-reason": "Left the programme.",
    }
    assert client.post(url, data).status_code == 302
    change = trainee.status_changes.get()
    assert (change.status, change.recorded_by) == (Trainee.Status.WITHDRAWN, operator)


def test_it_refuses_to_shorten_a_session_below_the_hours_credited(client, operator):
    attendance = SessionAttendanceFactory()
    session = attendance.session
    client.force_login(operator)
    url = _url(TrainingSession, "change", session.pk)
    data = _form_data(client.get(url))
    shorter = timezone.localtime(session.starts_at + dt.timedelta(hours=1))
    data |= {"ends_at_0": str(shorter.date()), "ends_at_1": str(shorter.time())}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "ends_at" in response.context["adminform"].form.errors
    session.refresh_from_db()
    assert session.length_hours == 4


def test_it_moves_a_session_version_on(client, operator):
    session = TrainingSessionFactory()
    client.force_login(operator)
    url = _url(TrainingSession, "change", session.pk)
    data = _form_data(client.get(url)) | {"notes": "Centrifuge"}
    assert client.post(url, data).status_code == 302
    session.refresh_from_db()
    assert (session.notes, session.version) == ("Centrifuge", 2)


@pytest.mark.parametrize("model", [AssessmentResult, *VIEW_ONLY], ids=lambda model: model.__name__)
def test_it_shows_signed_records_read_only_and_never_reverts_them(client, operator, model):
    """A result changes by amendment in the product, which keeps the replaced values and asks
    for a new signature; amendments and allowances are made there too."""
    obj = MAKERS[model]()
    client.force_login(operator)
    url = _url(model, "change", obj.pk)
    response = client.get(url)
    assert response.status_code == 200
    assert b'name="_save"' not in response.content
    assert client.post(url, {"score": "10", "reason": "Edited."}).status_code == 403
    version = obj.history.earliest()
    revert = reverse(
        f"admin:trainees_{model._meta.model_name}_simple_history", args=(obj.pk, version.history_id)
    )
    assert client.get(revert).status_code == 200
    assert client.post(revert, {}).status_code == 403


def test_a_result_added_by_an_operator_is_unsigned_and_judged_when_signed(client, operator):
    trainee = TraineeFactory()
    definition = AssessmentDefinition.objects.filter(
        module__revision=trainee.cohort.revision
    ).first()
    client.force_login(operator)
    url = _url(AssessmentResult, "add")
    data = _form_data(client.get(url)) | {
        "trainee": str(trainee.pk),
        "definition": str(definition.pk),
        "attempt": "1",
        "taken_at_0": str(timezone.localdate()),
        "taken_at_1": "09:00:00",
        "score": "95",
        "passed": "on",
        "assessor": str(operator.pk),
        "signed_by": str(operator.pk),
        "signed_at_0": str(timezone.localdate()),
        "signed_at_1": "10:00:00",
        "grades-TOTAL_FORMS": "0",
        "grades-INITIAL_FORMS": "0",
    }
    assert client.post(url, data).status_code == 302
    result = AssessmentResult.objects.get()
    assert (result.score, result.passed, result.is_signed) == (Decimal(95), False, False)
