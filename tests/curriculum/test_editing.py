"""Editing a draft through the services: validation, archiving, ordering, drafts and publishing."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from curriculum import services
from curriculum.models import (
    AssessmentCriterion,
    Module,
    Prerequisite,
    ProgrammeRevision,
    PublishedRevisionError,
    prerequisite_cycle,
)
from tests.factories import (
    AssessmentDefinitionFactory,
    CompetencyFactory,
    ModuleFactory,
    ProgrammeFactory,
    QualificationFactory,
    RevisionFactory,
    SessionAttendanceFactory,
    TrainingSessionFactory,
    revision_publish,
    revision_ready,
)


@pytest.fixture
def draft(db):
    return RevisionFactory()


def _module(revision, code, **kwargs):
    defaults = {"title": f"Module {code}", "category": "physical", "required_hours": Decimal(8)}
    return services.module_save(
        module=Module(revision=revision, code=code, **{**defaults, **kwargs}), prerequisites=[]
    )


# Prerequisite cycles ---------------------------------------------------------------------------


def test_it_finds_no_cycle_in_a_chain():
    assert prerequisite_cycle([("B", "A"), ("C", "B"), ("C", "A")]) is None


def test_it_names_the_cycle_it_finds():
    assert prerequisite_cycle([("X", "Y"), ("PC-101", "SO-201"), ("SO-201", "PC-101")]) == [
        "PC-101",
        "SO-201",
        "PC-101",
    ]


def test_it_refuses_a_prerequisite_cycle_and_names_it(draft):
    pc = _module(draft, "PC-101")
    so = services.module_save(module=_module(draft, "SO-201"), prerequisites=[pc])
    with pytest.raises(ValidationError) as refused:
        services.module_save(module=pc, prerequisites=[so])
    assert refused.value.message_dict["prerequisites"] == [
        "These prerequisites form a cycle: PC-101 → SO-201 → PC-101"
    ]
    # Nothing half-saved: the link that would close the cycle is not there.
    assert not Prerequisite.objects.filter(module=pc).exists()


def test_it_refuses_a_longer_cycle_naming_every_step(draft):
    a, b, c = (_module(draft, code) for code in ("A-1", "B-1", "C-1"))
    services.module_save(module=b, prerequisites=[a])
    services.module_save(module=c, prerequisites=[b])
    with pytest.raises(ValidationError, match="A-1 → C-1 → B-1 → A-1"):
        services.module_save(module=a, prerequisites=[c])


def test_it_refuses_a_prerequisite_from_another_revision(draft):
    module = _module(draft, "PC-101")
    with pytest.raises(ValidationError, match="same revision"):
        services.module_save(module=module, prerequisites=[ModuleFactory()])


def test_publishing_refuses_a_cycle_made_behind_the_pages_back(draft):
    a, b = _module(draft, "A-1"), _module(draft, "B-1")
    Prerequisite.objects.create(module=a, required_module=b)
    Prerequisite.objects.create(module=b, required_module=a)
    with pytest.raises(ValidationError, match="A-1 → B-1 → A-1"):
        services.revision_publish(revision=draft, by=None)
    draft.refresh_from_db()
    assert not draft.is_published


# Codes and hours -------------------------------------------------------------------------------


def test_codes_are_unique_within_a_revision(draft):
    _module(draft, "PC-101")
    with pytest.raises(ValidationError) as refused:
        _module(draft, "PC-101", title="Another")
    assert refused.value.message_dict["code"] == ["PC-101 is already used in this revision."]
    assert draft.modules.count() == 1


def test_the_same_code_is_free_in_another_revision(draft):
    _module(draft, "PC-101")
    _module(RevisionFactory(programme=draft.programme), "PC-101")
    assert Module.objects.filter(code="PC-101").count() == 2


@pytest.mark.parametrize("hours", [Decimal(0), Decimal(-2)])
def test_required_hours_are_positive(draft, hours):
    with pytest.raises(ValidationError) as refused:
        _module(draft, "PC-101", required_hours=hours)
    assert "required_hours" in refused.value.message_dict
    assert not draft.modules.exists()


def test_competency_and_assessment_codes_are_unique_within_their_module(draft):
    module = _module(draft, "PC-101")
    CompetencyFactory(module=module, code="C-1")
    with pytest.raises(ValidationError, match="C-1 is already used"):
        services.competency_save(
            competency=module.competencies.model(
                module=module, code="C-1", title="Again", behaviours="Does it"
            )
        )


# Archiving and deleting ------------------------------------------------------------------------


def test_a_module_with_records_is_archived_never_deleted(world):
    """Records were made in PC-1 of the published revision; its copy in the next draft carries
    the same code, so it can be archived there but not deleted."""
    published = world["revision"]
    trained = world["session_a"].module
    draft = services.revision_start(programme=published.programme)
    copy = draft.modules.get(code=trained.code)
    # Archiving refuses a module that confers a qualification: take those away first.
    for qualification in draft.qualifications.all():
        services.qualification_delete(qualification=qualification)

    assert services.module_has_records(module=copy)
    with pytest.raises(ValidationError, match="archive it instead"):
        services.module_delete(module=copy)
    assert draft.modules.filter(pk=copy.pk).exists()

    services.module_archive(module=copy)
    copy.refresh_from_db()
    assert copy.is_archived
    assert copy.pk not in draft.modules.active().values_list("pk", flat=True)
    services.module_restore(module=copy)
    copy.refresh_from_db()
    assert not copy.is_archived


def test_a_draft_module_without_records_may_be_deleted(draft):
    module = _module(draft, "PC-101")
    CompetencyFactory(module=module)
    assert not services.module_has_records(module=module)
    services.module_delete(module=module)
    assert not draft.modules.exists()


def test_archiving_refuses_a_module_others_still_require(draft):
    base = _module(draft, "PC-101")
    services.module_save(module=_module(draft, "PC-102"), prerequisites=[base])
    with pytest.raises(ValidationError, match="PC-102 require it"):
        services.module_archive(module=base)
    base.refresh_from_db()
    assert not base.is_archived


def test_archiving_refuses_a_module_that_confers_a_qualification(draft):
    exam = AssessmentDefinitionFactory(module=_module(draft, "EM-1"))
    QualificationFactory(conferred_by_assessment=exam, code="Q-FIRE")
    with pytest.raises(ValidationError, match="Q-FIRE"):
        services.module_archive(module=exam.module)


def test_a_published_module_is_neither_archived_nor_deleted(world):
    module = world["module"]
    for write in (services.module_archive, services.module_delete):
        with pytest.raises(PublishedRevisionError):
            write(module=module)


def test_an_archived_module_no_longer_counts_for_publishing(draft):
    module = _module(draft, "PC-101")
    services.module_archive(module=module)
    with pytest.raises(ValidationError, match="at least one module"):
        services.revision_publish(revision=draft, by=None)


# Order -----------------------------------------------------------------------------------------


def test_modules_move_within_their_category(draft):
    a, _b, c = (_module(draft, code) for code in ("P-1", "P-2", "P-3"))
    other = _module(draft, "S-1", category="science")
    services.module_move(module=c, offset=-1)
    assert list(
        draft.modules.filter(category="physical").order_by("order").values_list("code", flat=True)
    ) == ["P-1", "P-3", "P-2"]
    services.module_move(module=a, offset=-1)  # already first: nothing moves
    assert list(
        draft.modules.filter(category="physical").order_by("order").values_list("code", flat=True)
    ) == ["P-1", "P-3", "P-2"]
    other.refresh_from_db()
    assert other.order == 4  # untouched: another category


# Assessments -----------------------------------------------------------------------------------


def test_an_assessment_keeps_its_minimum_grades(draft):
    module = _module(draft, "SO-201")
    first, second = CompetencyFactory(module=module), CompetencyFactory(module=module)
    exam = AssessmentDefinitionFactory.build(module=module, code="SO-201-SE", pass_score=None)
    services.assessment_save(definition=exam, minimum_grades={first: 3, second: None})
    assert list(exam.criteria.values_list("competency_id", "minimum_grade")) == [(first.pk, 3)]
    services.assessment_save(definition=exam, minimum_grades={first: None, second: 4})
    assert list(exam.criteria.values_list("competency_id", "minimum_grade")) == [(second.pk, 4)]


def test_an_assessment_nothing_could_judge_is_refused(draft):
    module = _module(draft, "SO-201")
    CompetencyFactory(module=module)
    exam = AssessmentDefinitionFactory.build(module=module, pass_score=None)
    with pytest.raises(ValidationError) as refused:
        services.assessment_save(definition=exam, minimum_grades={})
    assert "pass_score" in refused.value.message_dict
    assert not module.assessments.exists()


# Drafts ----------------------------------------------------------------------------------------


def test_a_new_programme_starts_with_an_empty_draft(db):
    revision = services.programme_create(code="eva", name="Spacewalk training")
    assert revision.number == 1
    assert not revision.is_published
    assert not revision.modules.exists()


def test_a_draft_is_a_deep_copy_of_the_latest_published_revision(trainer):
    published = revision_ready(modules=2)
    first = published.modules.order_by("code").first()
    second = published.modules.order_by("code").last()
    exam = first.assessments.get()
    exam.assessors.set([trainer])

    draft = services.revision_start(programme=published.programme)

    assert draft.number == published.number + 1
    assert not draft.is_published
    copies = {m.code: m for m in draft.modules.all()}
    assert set(copies) == {first.code, second.code}
    assert copies[first.code].pk != first.pk
    assert copies[first.code].competencies.count() == 2
    copied_exam = copies[first.code].assessments.get()
    assert copied_exam.pass_score == exam.pass_score
    assert list(copied_exam.assessors.all()) == [trainer]
    qualification = draft.qualifications.get(code=exam.qualifications_conferred.get().code)
    assert qualification.conferred_by_assessment == copied_exam
    # The published revision is untouched.
    assert published.modules.count() == 2


def test_only_one_draft_at_a_time(db):
    published = revision_ready()
    services.revision_start(programme=published.programme)
    with pytest.raises(ValidationError, match="already a draft"):
        services.revision_start(programme=published.programme)
    assert published.programme.revisions.count() == 2


def test_a_draft_can_be_discarded_but_a_published_revision_cannot(db):
    published = revision_ready()
    draft = services.revision_start(programme=published.programme)
    services.revision_discard(revision=draft)
    assert list(ProgrammeRevision.objects.all()) == [published]
    with pytest.raises(PublishedRevisionError):
        services.revision_discard(revision=published)


def test_a_criterion_is_copied_with_its_competency(db):
    revision = RevisionFactory(programme=ProgrammeFactory())
    module = ModuleFactory(revision=revision, code="SO-1")
    competency = CompetencyFactory(module=module, code="SO-1-1")
    exam = AssessmentDefinitionFactory(module=module, pass_score=None, max_score=None)
    AssessmentCriterion.objects.create(definition=exam, competency=competency, minimum_grade=4)
    revision_publish(revision)
    draft = services.revision_start(programme=revision.programme)
    (criterion,) = AssessmentCriterion.objects.filter(definition__module__revision=draft)
    assert criterion.competency.code == "SO-1-1"
    assert criterion.competency.module.revision == draft
    assert criterion.minimum_grade == 4


def test_records_keep_pointing_at_the_published_module(world):
    """Starting a draft copies; it never moves a record."""
    attendance = SessionAttendanceFactory(
        session=TrainingSessionFactory(cohort=world["cohort_a"]), trainee=world["trainee_a"]
    )
    module = attendance.session.module
    services.revision_start(programme=world["revision"].programme)
    attendance.session.refresh_from_db()
    assert attendance.session.module == module
