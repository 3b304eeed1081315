"""The curriculum pages through the client: programme admins edit drafts; nobody else writes."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from curriculum import services
from curriculum.models import (
    AssessmentDefinition,
    Competency,
    Module,
    Prerequisite,
    Programme,
    ProgrammeRevision,
    Qualification,
)
from curriculum.selectors import revision_export
from tests.factories import CompetencyFactory, ModuleFactory, RevisionFactory
from tests.test_access_matrix import WITH_ID
from tests.test_security import ALL_PATTERNS

# Every page of the curriculum that writes, or that only programme admins may open.
READ_PAGES = {"curriculum:home", "curriculum:module_detail"}
WRITE_PAGES = [
    *sorted(
        name
        for _route, name in ALL_PATTERNS
        if name.startswith("curriculum:") and name not in READ_PAGES
    ),
    "trainees:cohort_revision",
]
MODELS = [Programme, ProgrammeRevision, Module, Prerequisite, Competency, AssessmentDefinition]


def _counts():
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def admin_client(client, programme_admin):
    client.force_login(programme_admin)
    return client


@pytest.fixture
def draft(db):
    return RevisionFactory()


def _module_data(**changes):
    data = {
        "code": "PC-201",
        "title": "Centrifuge training",
        "category": "physical",
        "required_hours": "6",
        "description": "",
    }
    return {**data, **changes}


# Trainers and trainees are refused on every write page -----------------------------------------


@pytest.mark.parametrize("persona", ["trainer", "trainee", "other_trainer", "other_trainee"])
def test_trainers_and_trainees_are_refused_on_every_curriculum_write_page(world, personas, persona):
    client = Client()
    client.force_login(personas[persona])
    before = _counts()
    refused = []
    for name in WRITE_PAGES:
        obj = WITH_ID.get(name, {}).get(persona, (None,))[0]
        url = reverse(name, kwargs={"pk": world[obj].pk} if obj else None)
        for method in (client.get, client.post):
            response = method(url, {"code": "X-1", "title": "X", "reason": "x"})
            refused.append((name, method.__name__, response.status_code))
    assert {status for *_where, status in refused} == {403}, refused
    assert len(refused) == 2 * len(WRITE_PAGES) == 2 * 29
    assert _counts() == before


def test_trainers_and_trainees_read_the_published_curriculum(world, personas):
    for persona in ("trainer", "trainee"):
        client = Client()
        client.force_login(personas[persona])
        page = client.get(reverse("curriculum:module_detail", kwargs={"pk": world["module"].pk}))
        assert page.status_code == 200
        assert "Edit in the draft" not in page.content.decode()


# Modules ---------------------------------------------------------------------------------------


def test_the_admin_creates_a_module_with_a_prerequisite(admin_client, draft):
    base = ModuleFactory(revision=draft, code="PC-101", category="physical")
    url = reverse("curriculum:module_create", kwargs={"pk": draft.pk})
    response = admin_client.post(url, _module_data(prerequisites=[base.pk]))
    module = draft.modules.get(code="PC-201")
    assert response.status_code == 302
    assert response["Location"].endswith(f"#module-{module.pk}")
    assert list(module.prerequisites.all()) == [base]
    assert module.required_hours == Decimal(6)
    assert module.history.first().history_user.username == "chenjing"


def test_a_cycle_is_refused_beside_the_prerequisites_and_the_input_kept(admin_client, draft):
    pc = ModuleFactory(revision=draft, code="PC-101")
    so = ModuleFactory(revision=draft, code="SO-201")
    Prerequisite.objects.create(module=so, required_module=pc)
    url = reverse("curriculum:module_edit", kwargs={"pk": pc.pk})
    response = admin_client.post(
        url, _module_data(code="PC-101", title="Kept title", prerequisites=[so.pk])
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["prerequisites"] == [
        "These prerequisites form a cycle: PC-101 → SO-201 → PC-101"
    ]
    assert 'value="Kept title"' in response.content.decode()
    pc.refresh_from_db()
    assert pc.title != "Kept title"
    assert not Prerequisite.objects.filter(module=pc).exists()


def test_a_code_used_twice_is_refused_beside_the_code(admin_client, draft):
    ModuleFactory(revision=draft, code="PC-201")
    url = reverse("curriculum:module_create", kwargs={"pk": draft.pk})
    response = admin_client.post(url, _module_data())
    assert response.context["form"].errors["code"] == ["PC-201 is already used here."]
    assert draft.modules.count() == 1


def test_required_hours_must_be_positive_on_the_page(admin_client, draft):
    url = reverse("curriculum:module_create", kwargs={"pk": draft.pk})
    response = admin_client.post(url, _module_data(required_hours="0"))
    assert response.context["form"].errors["required_hours"]
    assert not draft.modules.exists()


def test_a_published_module_has_no_edit_page(admin_client, world):
    url = reverse("curriculum:module_edit", kwargs={"pk": world["module"].pk})
    assert admin_client.post(url, _module_data()).status_code == 404


def test_modules_are_reordered_and_archived_from_the_page(admin_client, draft):
    first = ModuleFactory(revision=draft, code="PC-1", category="physical", order=1)
    second = ModuleFactory(revision=draft, code="PC-2", category="physical", order=2)
    move = reverse("curriculum:module_move", kwargs={"pk": second.pk})
    assert admin_client.post(move, {"direction": "up"}).status_code == 302
    second.refresh_from_db()
    first.refresh_from_db()
    assert (second.order, first.order) == (1, 2)

    archive = reverse("curriculum:module_archive", kwargs={"pk": first.pk})
    admin_client.post(archive)
    first.refresh_from_db()
    assert first.is_archived
    page = admin_client.get(reverse("curriculum:revision_detail", kwargs={"pk": draft.pk}))
    assert "Archived" in page.content.decode()
    admin_client.post(archive, {"restore": "1"})
    first.refresh_from_db()
    assert not first.is_archived


def test_the_delete_page_offers_only_archiving_for_a_module_with_records(admin_client, world):
    draft = services.revision_start(programme=world["revision"].programme)
    trained = draft.modules.get(code=world["session_a"].module.code)
    url = reverse("curriculum:module_delete", kwargs={"pk": trained.pk})
    page = admin_client.get(url)
    assert "can only be archived" in page.content.decode()
    assert "Delete the module" not in page.content.decode()
    admin_client.post(url)
    assert draft.modules.filter(pk=trained.pk).exists()


def test_a_module_without_records_is_deleted_from_the_page(admin_client, draft):
    module = ModuleFactory(revision=draft)
    admin_client.post(reverse("curriculum:module_delete", kwargs={"pk": module.pk}))
    assert not draft.modules.exists()


# Competencies, assessments, qualifications -----------------------------------------------------


def test_the_admin_edits_competencies_assessments_and_qualifications(admin_client, draft):
    module = ModuleFactory(revision=draft, code="ER-301", category="emergency")
    admin_client.post(
        reverse("curriculum:competency_create", kwargs={"pk": module.pk}),
        {"code": "ER-301-1", "title": "Fire response", "behaviours": "Dons the mask", "order": 1},
    )
    competency = module.competencies.get()
    admin_client.post(
        reverse("curriculum:assessment_create", kwargs={"pk": module.pk}),
        {
            "code": "ER-301-D",
            "title": "Fire drill",
            "kind": "practical_check",
            "max_attempts": 3,
            "order": 1,
            f"grade_{competency.pk}": "4",
        },
    )
    drill = module.assessments.get()
    assert drill.criteria.get().minimum_grade == 4
    response = admin_client.post(
        reverse("curriculum:qualification_create", kwargs={"pk": draft.pk}),
        {
            "code": "Q-FIRE",
            "title": "Fire drill currency",
            "conferred_by_assessment": drill.pk,
            "validity_days": 90,
            "grace_days": 7,
            "renewed_by_module": module.pk,
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    qualification = Qualification.objects.get(revision=draft)
    assert (qualification.validity_days, qualification.renewed_by_module) == (90, module)


def test_a_qualification_conferred_by_two_things_is_refused(admin_client, draft):
    module = ModuleFactory(revision=draft)
    drill = AssessmentDefinition.objects.create(
        module=module, code="D", title="D", kind="practical_check", max_score=10, pass_score=5
    )
    response = admin_client.post(
        reverse("curriculum:qualification_create", kwargs={"pk": draft.pk}),
        {
            "code": "Q-1",
            "title": "Q",
            "conferred_by_module": module.pk,
            "conferred_by_assessment": drill.pk,
            "grace_days": 0,
        },
    )
    assert "either a module or an assessment" in str(response.context["form"].errors)
    assert not Qualification.objects.exists()


def test_a_competency_code_used_twice_is_refused(admin_client, draft):
    module = ModuleFactory(revision=draft)
    CompetencyFactory(module=module, code="C-1")
    response = admin_client.post(
        reverse("curriculum:competency_create", kwargs={"pk": module.pk}),
        {"code": "C-1", "title": "Again", "behaviours": "x", "order": 2},
    )
    assert response.context["form"].errors["code"]
    assert module.competencies.count() == 1


# Drafts and publishing -------------------------------------------------------------------------


def test_start_a_draft_twice_makes_one(admin_client, world):
    url = reverse("curriculum:revision_start", kwargs={"pk": world["revision"].programme_id})
    first, second = admin_client.post(url), admin_client.post(url)
    assert first.status_code == second.status_code == 302
    assert world["revision"].programme.revisions.drafts().count() == 1


def test_the_admin_publishes_a_draft(admin_client, programme_admin, draft):
    ModuleFactory(revision=draft)
    url = reverse("curriculum:revision_publish", kwargs={"pk": draft.pk})
    assert "can no longer change" in admin_client.get(url).content.decode()
    assert admin_client.post(url).status_code == 302
    draft.refresh_from_db()
    assert draft.published_by == programme_admin
    # Published, it has no publish page any more.
    assert admin_client.post(url).status_code == 404


def test_an_empty_draft_is_not_published(admin_client, draft):
    url = reverse("curriculum:revision_publish", kwargs={"pk": draft.pk})
    response = admin_client.post(url, follow=True)
    assert "at least one module" in response.content.decode()
    draft.refresh_from_db()
    assert not draft.is_published


def test_a_new_programme_opens_on_its_draft(admin_client):
    response = admin_client.post(
        reverse("curriculum:programme_create"), {"code": "eva", "name": "Spacewalks"}
    )
    revision = ProgrammeRevision.objects.get(programme__code="eva")
    assert response["Location"] == reverse("curriculum:revision_detail", kwargs={"pk": revision.pk})


# Import and export -----------------------------------------------------------------------------


def test_export_then_import_through_the_pages(admin_client, world):
    revision = world["revision"]
    exported = admin_client.get(
        reverse("curriculum:revision_export_json", kwargs={"pk": revision.pk})
    )
    assert exported["Content-Disposition"].endswith('.json"')
    upload = SimpleUploadedFile("r.json", exported.content, content_type="application/json")
    response = admin_client.post(reverse("curriculum:revision_import"), {"file": upload})
    draft = revision.programme.revisions.drafts().get()
    assert response.status_code == 302
    strip = lambda data: {k: v for k, v in data.items() if k != "revision"}  # noqa: E731
    assert strip(revision_export(revision=draft)) == strip(json.loads(exported.content))


def test_the_import_page_lists_the_bad_rows_and_changes_nothing(admin_client, world):
    data = revision_export(revision=world["revision"])
    data["programme"]["code"] = "elsewhere"
    data["modules"][1]["required_hours"] = "-1"
    before = _counts()
    upload = SimpleUploadedFile("r.json", json.dumps(data).encode())
    response = admin_client.post(reverse("curriculum:revision_import"), {"file": upload})
    assert response.status_code == 200
    assert response.context["problems"] == [
        f"Module 2 ({data['modules'][1]['code']}): required_hours: "
        "Ensure this value is greater than or equal to 0.1."
    ]
    assert "Nothing was imported: 1 problem to fix." in response.content.decode()
    assert _counts() == before


def test_the_csv_pages_export_and_import_modules(admin_client, draft):
    ModuleFactory(revision=draft, code="PC-1", title="Old title")
    exported = admin_client.get(reverse("curriculum:modules_export_csv", kwargs={"pk": draft.pk}))
    text = exported.content.decode("utf-8-sig").replace("Old title", "New title")
    text += "PC-2,Second,physical,0,,,no,\r\nPC-3,Third,physical,5,,PC-9,no,\r\n"
    url = reverse("curriculum:modules_import", kwargs={"pk": draft.pk})
    response = admin_client.post(url, {"file": SimpleUploadedFile("m.csv", text.encode())})
    assert [p.split(":")[0] for p in response.context["problems"]] == [
        "Row 3 (PC-2)",
        "Row 4 (PC-3)",
    ]
    assert list(draft.modules.values_list("code", "title")) == [("PC-1", "Old title")]

    good = io.BytesIO(text.replace(",0,", ",3,").replace("PC-9", "PC-1").encode())
    response = admin_client.post(url, {"file": SimpleUploadedFile("m.csv", good.read())})
    assert response.status_code == 302
    assert list(draft.modules.order_by("code").values_list("code", "title")) == [
        ("PC-1", "New title"),
        ("PC-2", "Second"),
        ("PC-3", "Third"),
    ]


FORMULA_LOOKING = ["=1+1", "@SUM(A1:A2)", "+33 1", "-minus", "'quoted", "''two"]


def test_modules_csv_writes_formulas_as_text_and_its_import_takes_back_what_it_wrote(
    admin_client, draft
):
    for n, title in enumerate(FORMULA_LOOKING, start=1):
        ModuleFactory(revision=draft, code=f"PC-{n}", title=title, description=f"=cmd|{n}")
    exported = admin_client.get(reverse("curriculum:modules_export_csv", kwargs={"pk": draft.pk}))
    assert "no-store" in exported["Cache-Control"]
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))[1:]
    # No cell a spreadsheet would run: each starts with the apostrophe that marks text.
    titles = [row[1] for row in rows]
    assert titles == ["'=1+1", "'@SUM(A1:A2)", "'+33 1", "'-minus", "''quoted", "'''two"]
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)

    # Imported into the same draft, unchanged, it changes nothing.
    before = list(draft.modules.order_by("code").values_list("code", "title", "description"))
    url = reverse("curriculum:modules_import", kwargs={"pk": draft.pk})
    upload = SimpleUploadedFile("m.csv", exported.content)
    assert admin_client.post(url, {"file": upload}).status_code == 302
    after = list(draft.modules.order_by("code").values_list("code", "title", "description"))
    assert after == before
    assert [title for _code, title, _d in after] == FORMULA_LOOKING
