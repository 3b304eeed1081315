"""Import and export: a revision as JSON (round trip) and its modules as CSV, all or nothing."""

import copy
import csv
import io
import json
from decimal import Decimal

import pytest

from curriculum import services
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
from curriculum.selectors import modules_csv_rows, revision_export

MODELS = [
    Programme,
    ProgrammeRevision,
    Module,
    Prerequisite,
    Competency,
    AssessmentDefinition,
    AssessmentCriterion,
    Qualification,
]


def _counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def _without_revision(data):
    """The syllabus: everything but the revision's own number and publication."""
    return {key: value for key, value in data.items() if key != "revision"}


@pytest.fixture
def demo(demo_seeded_for_module, db):
    """The demo's published revision; each test's changes are rolled back after it."""
    return ProgrammeRevision.objects.get()


def _csv(rows):
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


# JSON ------------------------------------------------------------------------------------------


def test_a_revision_survives_the_json_round_trip(demo):
    # An archived module and a prerequisite across categories, on top of the demo's content.
    draft = services.revision_start(programme=demo.programme)
    extra = services.module_save(
        module=Module(
            revision=draft,
            code="SR-999",
            title="Old field geology",
            category="science",
            required_hours=Decimal("6.5"),
        ),
        prerequisites=list(draft.modules.filter(code__in=["PC-101", "SO-201"])),
    )
    services.module_archive(module=extra)
    services.revision_publish(revision=draft, by=demo.published_by)
    exported = json.loads(json.dumps(revision_export(revision=draft)))

    imported = services.revision_import(data=exported)

    assert imported.programme == demo.programme
    assert imported.number == draft.number + 1
    assert not imported.is_published
    again = revision_export(revision=imported)
    assert _without_revision(again) == _without_revision(exported)
    assert again["revision"]["summary"] == exported["revision"]["summary"]
    assert len(again["modules"]) == 17
    assert next(m for m in again["modules"] if m["code"] == "SR-999")["archived_at"]


def test_an_import_of_an_unknown_programme_makes_it(demo):
    data = revision_export(revision=demo)
    data["programme"] = {"code": "eva", "name": "Spacewalk training", "description": ""}
    revision = services.revision_import(data=data)
    assert revision.programme.code == "eva"
    assert revision.number == 1
    assert revision.modules.count() == 16


def test_a_json_import_with_one_bad_row_changes_nothing_and_names_it(demo):
    data = copy.deepcopy(revision_export(revision=demo))
    data["programme"]["code"] = "eva"
    data["modules"][2]["required_hours"] = "0"
    before = _counts()

    with pytest.raises(services.ImportRefused) as refused:
        services.revision_import(data=data)

    code = data["modules"][2]["code"]
    assert refused.value.messages == [
        f"Module 3 ({code}): required_hours: Ensure this value is greater than or equal to 0.1."
    ]
    assert _counts() == before


def test_a_json_import_lists_every_bad_row(demo):
    data = copy.deepcopy(revision_export(revision=demo))
    data["modules"][0]["category"] = "astrology"
    data["modules"][1]["code"] = data["modules"][0]["code"]
    data["modules"][5]["prerequisites"] = ["XX-000"]
    data["qualifications"][0]["conferred_by_module"] = "PC-101"  # and by its assessment
    first, second = data["modules"][7]["code"], data["modules"][8]["code"]
    data["modules"][7]["prerequisites"] = [second]
    data["modules"][8]["prerequisites"] = [first]
    before = _counts()

    with pytest.raises(services.ImportRefused) as refused:
        services.revision_import(data=data)

    messages = refused.value.messages
    assert len(messages) == 5, messages
    assert messages[0].startswith("Module 1 (PC-101): category:")
    assert messages[1] == "Module 2 (PC-101): the code PC-101 is used twice."
    assert "XX-000 is not in this revision" in messages[2]
    low, high = sorted([first, second])  # the cycle is named from its lowest code
    assert messages[3] == f"These prerequisites form a cycle: {low} → {high} → {low}"
    assert "either a module or an assessment" in messages[4]
    assert _counts() == before


def test_it_refuses_what_is_not_an_export(db):
    with pytest.raises(services.ImportRefused, match="not a curriculum revision"):
        services.revision_import(data={"modules": []})


def test_an_import_refuses_a_second_draft(demo):
    services.revision_start(programme=demo.programme)
    before = _counts()
    with pytest.raises(services.ImportRefused, match="already a draft"):
        services.revision_import(data=revision_export(revision=demo))
    assert _counts() == before


# CSV -------------------------------------------------------------------------------------------


def test_modules_survive_the_csv_round_trip(demo):
    rows = modules_csv_rows(revision=demo)
    assert rows[0] == [
        "code",
        "title",
        "category",
        "required_hours",
        "order",
        "prerequisites",
        "archived",
        "description",
    ]
    fresh = services.programme_create(code="copy", name="Copy")
    services.modules_import(revision=fresh, text=_csv(rows))
    assert modules_csv_rows(revision=fresh) == rows


def test_a_csv_import_creates_and_changes_modules_by_code(demo):
    draft = services.revision_start(programme=demo.programme)
    text = _csv(
        [
            ["code", "title", "category", "required_hours", "prerequisites"],
            ["PC-101", "Strength, aerobic and core conditioning", "physical", "30", ""],
            ["SR-310", "Plant growth experiment", "science", "10", "SR-401 PC-101"],
        ]
    )
    services.modules_import(revision=draft, text=text)
    changed = draft.modules.get(code="PC-101")
    assert changed.title == "Strength, aerobic and core conditioning"
    assert changed.required_hours == Decimal(30)
    added = draft.modules.get(code="SR-310")
    assert sorted(added.prerequisites.values_list("code", flat=True)) == ["PC-101", "SR-401"]
    assert draft.modules.count() == 17


def test_a_csv_import_with_one_bad_row_changes_nothing_and_names_it(demo):
    draft = services.revision_start(programme=demo.programme)
    rows = modules_csv_rows(revision=draft)
    rows[1][1] = "Renamed, but never saved"
    rows[3][3] = "-4"  # row 4 of the file (the header is row 1)
    rows.append(["SR-310", "Plant growth", "science", "10", "", "", "no", ""])
    before = _counts()
    stored = modules_csv_rows(revision=draft)

    with pytest.raises(services.ImportRefused) as refused:
        services.modules_import(revision=draft, text=_csv(rows))

    assert refused.value.messages == [
        f"Row 4 ({rows[3][0]}): required_hours: Ensure this value is greater than or equal to 0.1."
    ]
    assert _counts() == before
    assert modules_csv_rows(revision=draft) == stored


def test_a_csv_import_lists_each_bad_row_and_why(demo):
    draft = services.revision_start(programme=demo.programme)
    text = _csv(
        [
            ["code", "title", "category", "required_hours", "prerequisites", "archived"],
            ["SR-310", "Plant growth", "botany", "10", "", ""],
            ["SR-311", "Soil samples", "science", "ten", "", "maybe"],
            ["SR-312", "Rock samples", "science", "4", "XX-000", ""],
            ["SR-313", "Ice cores", "science", "4", "", ""],
            ["SR-313", "Ice cores again", "science", "4", "", ""],
        ]
    )
    with pytest.raises(services.ImportRefused) as refused:
        services.modules_import(revision=draft, text=text)
    rows = [message.split(":")[0] for message in refused.value.messages]
    assert rows == [
        "Row 2 (SR-310)",
        "Row 3 (SR-311)",
        "Row 4 (SR-312)",
        "Row 6 (SR-313)",
    ]
    assert "archived: write yes or no." in refused.value.messages[1]
    assert not draft.modules.filter(code__startswith="SR-31").exists()


def test_a_csv_import_refuses_a_cycle_with_the_modules_already_there(demo):
    draft = services.revision_start(programme=demo.programme)
    # SO-202 already requires SO-201 in the demo; making SO-201 require SO-202 closes a cycle.
    required = list(draft.modules.get(code="SO-202").prerequisites.values_list("code", flat=True))
    assert "SO-201" in required
    text = _csv(
        [
            ["code", "title", "category", "required_hours", "prerequisites"],
            ["SO-201", "Station systems", "spacecraft", "40", "SO-202"],
        ]
    )
    with pytest.raises(services.ImportRefused, match="SO-201 → SO-202 → SO-201"):
        services.modules_import(revision=draft, text=text)


def test_a_csv_import_refuses_a_header_without_the_needed_columns(demo):
    draft = services.revision_start(programme=demo.programme)
    with pytest.raises(services.ImportRefused, match="required_hours"):
        services.modules_import(revision=draft, text="code,title,category\nX,Y,science\n")


def test_a_published_revision_takes_no_csv(demo):
    with pytest.raises(services.PublishedRevisionError):
        services.modules_import(revision=demo, text=_csv(modules_csv_rows(revision=demo)))


def test_new_csv_modules_without_an_order_go_last(db):
    revision = services.programme_create(code="eva", name="Spacewalks")
    services.modules_import(
        revision=revision,
        text=_csv(
            [
                ["code", "title", "category", "required_hours", "order"],
                ["EV-1", "Suit", "spacecraft", "4", "5"],
                ["EV-2", "Pool", "spacecraft", "4", ""],
                ["EV-3", "Tools", "spacecraft", "4", ""],
            ]
        ),
    )
    assert list(revision.modules.order_by("order").values_list("code", "order")) == [
        ("EV-1", 5),
        ("EV-2", 6),
        ("EV-3", 7),
    ]
