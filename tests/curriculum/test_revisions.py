"""A published revision is frozen at the model layer; a draft takes any change.

Every write path to a revision's content is tried: save, create, delete, the bulk QuerySet
methods, and the revision row itself. A refused write must also leave the stored row as it was.
"""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from curriculum import services
from curriculum.models import (
    AssessmentCriterion,
    Module,
    Prerequisite,
    ProgrammeRevision,
    PublishedRevisionError,
)
from tests.factories import (
    AssessmentDefinitionFactory,
    CompetencyFactory,
    ModuleFactory,
    QualificationFactory,
    RevisionFactory,
    revision_publish,
)


def _content(revision):
    """A revision with one row of every kind of content, including a prerequisite."""
    module = ModuleFactory(revision=revision, code="PHY-1", category="physical")
    advanced = ModuleFactory(revision=revision, code="PHY-2", category="physical")
    other = ModuleFactory(revision=revision, code="PHY-3", category="physical")
    competency = CompetencyFactory(module=module)
    assessment = AssessmentDefinitionFactory(module=module)
    return SimpleNamespace(
        revision=revision,
        module=module,
        advanced=advanced,
        other=other,
        competency=competency,
        assessment=assessment,
        criterion=AssessmentCriterion.objects.create(
            definition=assessment, competency=competency, minimum_grade=3
        ),
        qualification=QualificationFactory(conferred_by_assessment=assessment, validity_days=90),
        prerequisite=Prerequisite.objects.create(module=advanced, required_module=module),
    )


@pytest.fixture
def draft(db):
    return _content(RevisionFactory())


@pytest.fixture
def published(db, programme_admin):
    content = _content(RevisionFactory())
    revision_publish(content.revision, by=programme_admin)
    return content


# Each content row, the field changed, and its new value (a callable of the content).
CHANGES = [
    ("module", "title", lambda c: "Strength and aerobic fitness, revised"),
    ("competency", "behaviours", lambda c: "Skips the checklist"),
    ("assessment", "pass_score", lambda c: Decimal(50)),
    ("criterion", "minimum_grade", lambda c: 5),
    ("qualification", "validity_days", lambda c: 365),
    ("prerequisite", "required_module", lambda c: c.other),
]


@pytest.mark.parametrize(("row", "field", "new_value"), CHANGES)
def test_it_refuses_to_save_changed_content_of_a_published_revision(
    published, row, field, new_value
):
    obj = getattr(published, row)
    before = getattr(obj, field)
    setattr(obj, field, new_value(published))
    with pytest.raises(PublishedRevisionError):
        obj.save()
    obj.refresh_from_db()
    assert getattr(obj, field) == before


@pytest.mark.parametrize(("row", "field", "new_value"), CHANGES)
def test_a_draft_revision_saves_changed_content(draft, row, field, new_value):
    obj = getattr(draft, row)
    value = new_value(draft)
    setattr(obj, field, value)
    obj.save()
    obj.refresh_from_db()
    assert getattr(obj, field) == value


def test_it_refuses_a_new_module_in_a_published_revision(published):
    with pytest.raises(PublishedRevisionError):
        ModuleFactory(revision=published.revision, code="NEW-1")
    assert not Module.objects.filter(revision=published.revision, code="NEW-1").exists()


def test_it_refuses_to_move_a_module_into_a_published_revision(published):
    module = ModuleFactory(code="NEW-1")
    draft = module.revision
    module.revision = published.revision
    with pytest.raises(PublishedRevisionError):
        module.save()
    module.refresh_from_db()
    assert module.revision == draft


def test_it_refuses_to_delete_a_module_of_a_published_revision(published):
    with pytest.raises(PublishedRevisionError):
        published.module.delete()
    assert Module.objects.filter(pk=published.module.pk).exists()


def test_it_refuses_a_queryset_update_of_a_published_revisions_modules(published):
    with pytest.raises(PublishedRevisionError):
        Module.objects.filter(revision=published.revision).update(required_hours=Decimal(1))
    published.module.refresh_from_db()
    assert published.module.required_hours == Decimal("8.0")


def test_it_refuses_a_related_manager_update_of_a_published_revisions_modules(published):
    with pytest.raises(PublishedRevisionError):
        published.revision.modules.update(title="Renamed")
    assert not Module.objects.filter(title="Renamed").exists()


def test_it_refuses_a_queryset_update_moving_modules_into_a_published_revision(published):
    module = ModuleFactory(code="NEW-1")
    draft = module.revision
    with pytest.raises(PublishedRevisionError):
        Module.objects.filter(pk=module.pk).update(revision=published.revision)
    module.refresh_from_db()
    assert module.revision == draft


def test_it_refuses_a_queryset_delete_of_a_published_revisions_modules(published):
    with pytest.raises(PublishedRevisionError):
        Module.objects.filter(revision=published.revision).delete()
    assert Module.objects.filter(revision=published.revision).count() == 3


def test_it_refuses_to_bulk_create_a_module_in_a_published_revision(published):
    new = Module(
        revision=published.revision,
        code="NEW-1",
        title="Hypoxia chamber",
        category="physical",
        required_hours=Decimal(4),
    )
    with pytest.raises(PublishedRevisionError):
        Module.objects.bulk_create([new])
    assert not Module.objects.filter(code="NEW-1").exists()


def test_it_refuses_to_bulk_update_modules_of_a_published_revision(published):
    published.module.title = "Renamed"
    with pytest.raises(PublishedRevisionError):
        Module.objects.bulk_update([published.module], ["title"])
    assert not Module.objects.filter(title="Renamed").exists()


def test_it_refuses_to_unpublish_a_published_revision(published):
    revision = published.revision
    published_at = revision.published_at
    revision.published_at = None
    revision.published_by = None
    with pytest.raises(PublishedRevisionError):
        revision.save()
    revision.refresh_from_db()
    assert revision.published_at == published_at
    assert revision.is_published


def test_it_refuses_to_renumber_a_published_revision(published):
    revision = published.revision
    number = revision.number
    revision.number = number + 10
    with pytest.raises(PublishedRevisionError):
        revision.save()
    revision.refresh_from_db()
    assert revision.number == number


def test_a_published_revision_summary_may_still_be_edited(published):
    """Only the publication, number and programme are frozen on the revision row itself."""
    published.revision.summary = "Adds the hypoxia chamber."
    published.revision.save()
    published.revision.refresh_from_db()
    assert published.revision.summary == "Adds the hypoxia chamber."


def test_it_refuses_to_delete_a_published_revision(published):
    with pytest.raises(PublishedRevisionError):
        published.revision.delete()
    assert ProgrammeRevision.objects.filter(pk=published.revision.pk).exists()
    assert Module.objects.filter(revision=published.revision).count() == 3


def test_it_refuses_a_queryset_delete_of_a_published_revision(published):
    with pytest.raises(PublishedRevisionError):
        ProgrammeRevision.objects.filter(pk=published.revision.pk).delete()
    assert Module.objects.filter(revision=published.revision).count() == 3


def test_it_refuses_a_queryset_update_unpublishing_a_revision(published):
    with pytest.raises(PublishedRevisionError):
        ProgrammeRevision.objects.filter(pk=published.revision.pk).update(
            published_at=None, published_by=None
        )
    published.revision.refresh_from_db()
    assert published.revision.is_published


def test_a_draft_revision_accepts_new_and_deleted_modules(draft):
    ModuleFactory(revision=draft.revision, code="NEW-1")
    Module.objects.bulk_create(
        [
            Module(
                revision=draft.revision,
                code="NEW-2",
                title="Hypoxia chamber",
                category="physical",
                required_hours=Decimal(4),
            )
        ]
    )
    assert set(draft.revision.modules.values_list("code", flat=True)) == {
        "PHY-1",
        "PHY-2",
        "PHY-3",
        "NEW-1",
        "NEW-2",
    }
    draft.other.delete()
    assert not Module.objects.filter(pk=draft.other.pk).exists()


def test_a_draft_revision_accepts_queryset_update_and_delete(draft):
    assert Module.objects.filter(revision=draft.revision).update(required_hours=Decimal(2)) == 3
    draft.module.refresh_from_db()
    assert draft.module.required_hours == Decimal(2)
    Module.objects.filter(revision=draft.revision).delete()
    assert not Module.objects.filter(revision=draft.revision).exists()


def test_a_draft_revision_may_be_renumbered_and_deleted(draft):
    draft.revision.number = 42
    draft.revision.save()
    draft.revision.refresh_from_db()
    assert draft.revision.number == 42
    draft.revision.delete()
    assert not ProgrammeRevision.objects.filter(pk=draft.revision.pk).exists()
    assert not Module.objects.filter(pk=draft.module.pk).exists()


def test_the_assessors_of_a_published_assessment_may_change(published, trainer, other_trainer):
    """Who may assess is an authorisation of people, not content of the syllabus."""
    assessment = published.assessment
    assessment.assessors.add(trainer, other_trainer)
    assert set(assessment.assessors.all()) == {trainer, other_trainer}
    assessment.assessors.remove(trainer)
    assert list(assessment.assessors.all()) == [other_trainer]
    assessment.assessors.set([trainer])
    assert list(assessment.assessors.all()) == [trainer]


# revision_publish --------------------------------------------------------------------------------


def test_it_publishes_a_revision_with_when_and_by_whom(programme_admin):
    revision = RevisionFactory()
    AssessmentDefinitionFactory(module=ModuleFactory(revision=revision))
    moment = dt.datetime(2025, 3, 1, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(moment, tick=False):
        services.revision_publish(revision=revision, by=programme_admin)
    revision.refresh_from_db()
    assert revision.published_at == moment
    assert revision.published_by == programme_admin


def test_it_publishes_an_assessment_judged_by_minimum_grades_only(programme_admin):
    revision = RevisionFactory()
    assessment = AssessmentDefinitionFactory(
        module=ModuleFactory(revision=revision), max_score=None, pass_score=None
    )
    AssessmentCriterion.objects.create(
        definition=assessment, competency=CompetencyFactory(module=assessment.module)
    )
    services.revision_publish(revision=revision, by=programme_admin)
    revision.refresh_from_db()
    assert revision.is_published


def test_it_refuses_to_publish_an_empty_revision(programme_admin):
    revision = RevisionFactory()
    with pytest.raises(ValidationError, match="at least one module"):
        services.revision_publish(revision=revision, by=programme_admin)
    revision.refresh_from_db()
    assert not revision.is_published


def test_it_refuses_to_publish_an_assessment_nothing_could_judge(programme_admin):
    revision = RevisionFactory()
    AssessmentDefinitionFactory(
        module=ModuleFactory(revision=revision), code="EVA-1", max_score=None, pass_score=None
    )
    with pytest.raises(ValidationError, match="EVA-1"):
        services.revision_publish(revision=revision, by=programme_admin)
    revision.refresh_from_db()
    assert not revision.is_published


def test_it_refuses_to_publish_twice(published, programme_admin):
    published_at = published.revision.published_at
    with pytest.raises(PublishedRevisionError):
        services.revision_publish(revision=published.revision, by=programme_admin)
    published.revision.refresh_from_db()
    assert published.revision.published_at == published_at
