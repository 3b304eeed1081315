"""The curriculum's integrity rules, held by the database; and the one pass-or-fail rule.

Rows are built on draft revisions, so that the published-revision guard never answers first.
Each expected IntegrityError is matched to its constraint's name (SQLite names it).
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from curriculum.models import AssessmentCriterion, Module, Prerequisite, Qualification
from tests.factories import (
    AssessmentDefinitionFactory,
    CompetencyFactory,
    ModuleFactory,
    QualificationFactory,
)

pytestmark = pytest.mark.django_db


def test_it_refuses_a_module_code_twice_in_one_revision():
    module = ModuleFactory(code="EMR-1")
    with transaction.atomic(), pytest.raises(IntegrityError, match=r"(?i)unique"):
        ModuleFactory(revision=module.revision, code="EMR-1")
    assert Module.objects.filter(code="EMR-1").count() == 1


def test_the_same_module_code_may_appear_in_another_revision():
    ModuleFactory(code="EMR-1")
    ModuleFactory(code="EMR-1")
    assert Module.objects.filter(code="EMR-1").count() == 2


@pytest.mark.parametrize("hours", [Decimal(-1), Decimal(0)])
def test_it_refuses_required_hours_not_above_zero(hours):
    with transaction.atomic(), pytest.raises(IntegrityError, match="required_hours_positive"):
        ModuleFactory(required_hours=hours)


def test_it_refuses_an_unknown_category():
    with transaction.atomic(), pytest.raises(IntegrityError, match="module_category_known"):
        ModuleFactory(category="astrology")


def test_it_refuses_a_module_as_its_own_prerequisite():
    module = ModuleFactory()
    with transaction.atomic(), pytest.raises(IntegrityError, match="prerequisite_not_self"):
        Prerequisite.objects.create(module=module, required_module=module)
    assert not Prerequisite.objects.exists()


def test_it_refuses_a_competency_code_twice_in_one_module():
    competency = CompetencyFactory(code="RBT-1")
    with transaction.atomic(), pytest.raises(IntegrityError, match=r"(?i)unique"):
        CompetencyFactory(module=competency.module, code="RBT-1")


def test_it_refuses_a_pass_mark_above_the_maximum_score():
    with transaction.atomic(), pytest.raises(IntegrityError, match="pass_score_within_max"):
        AssessmentDefinitionFactory(max_score=Decimal(100), pass_score=Decimal("100.5"))


def test_a_pass_mark_equal_to_the_maximum_score_is_accepted():
    definition = AssessmentDefinitionFactory(max_score=Decimal(100), pass_score=Decimal(100))
    assert definition.pk is not None


def test_it_refuses_a_pass_mark_without_a_maximum_score():
    with transaction.atomic(), pytest.raises(IntegrityError, match="pass_score_within_max"):
        AssessmentDefinitionFactory(max_score=None, pass_score=Decimal(70))


def test_it_refuses_zero_attempts():
    with transaction.atomic(), pytest.raises(IntegrityError, match="max_attempts_positive"):
        AssessmentDefinitionFactory(max_attempts=0)


@pytest.mark.parametrize("minimum_grade", [0, 6])
def test_it_refuses_a_minimum_grade_outside_1_to_5(minimum_grade):
    definition = AssessmentDefinitionFactory()
    competency = CompetencyFactory(module=definition.module)
    with transaction.atomic(), pytest.raises(IntegrityError, match="minimum_grade_1_to_5"):
        AssessmentCriterion.objects.create(
            definition=definition, competency=competency, minimum_grade=minimum_grade
        )
    assert not AssessmentCriterion.objects.exists()


def test_it_refuses_a_qualification_conferred_by_both_a_module_and_an_assessment():
    definition = AssessmentDefinitionFactory()
    with transaction.atomic(), pytest.raises(IntegrityError, match="conferred_by_one"):
        QualificationFactory(
            conferred_by_assessment=definition, conferred_by_module=definition.module
        )


def test_it_refuses_a_qualification_conferred_by_nothing():
    module = ModuleFactory()
    with transaction.atomic(), pytest.raises(IntegrityError, match="conferred_by_one"):
        Qualification.objects.create(revision=module.revision, code="Q-NONE", title="Nothing")


def test_a_qualification_may_be_conferred_by_a_module():
    module = ModuleFactory()
    qualification = Qualification.objects.create(
        revision=module.revision, code="Q-SURV", title="Winter survival", conferred_by_module=module
    )
    assert qualification.pk is not None


def test_it_refuses_grace_days_on_a_qualification_that_does_not_lapse():
    with transaction.atomic(), pytest.raises(IntegrityError, match="grace_needs_validity"):
        QualificationFactory(validity_days=None, grace_days=14)


def test_it_refuses_a_renewal_of_a_qualification_that_does_not_lapse():
    definition = AssessmentDefinitionFactory()
    with transaction.atomic(), pytest.raises(IntegrityError, match="renewal_needs_validity"):
        QualificationFactory(
            conferred_by_assessment=definition,
            validity_days=None,
            grace_days=0,
            renewed_by_assessment=definition,
        )


def test_a_qualification_that_does_not_lapse_and_has_no_grace_is_accepted():
    qualification = QualificationFactory(validity_days=None, grace_days=0)
    assert not qualification.lapses


# AssessmentDefinition.outcome --------------------------------------------------------------------


def _criteria_only(*minimums):
    """An assessment judged only by minimum grades, one per new competency."""
    definition = AssessmentDefinitionFactory(max_score=None, pass_score=None)
    competencies = []
    for minimum in minimums:
        competency = CompetencyFactory(module=definition.module)
        AssessmentCriterion.objects.create(
            definition=definition, competency=competency, minimum_grade=minimum
        )
        competencies.append(competency)
    return definition, competencies


def test_the_outcome_by_pass_mark_only():
    definition = AssessmentDefinitionFactory(max_score=Decimal(100), pass_score=Decimal(70))
    assert definition.outcome(score=Decimal(70), grades={}) is True
    assert definition.outcome(score=Decimal(100), grades={}) is True
    assert definition.outcome(score=Decimal("69.9"), grades={}) is False
    assert definition.outcome(score=None, grades={}) is False


def test_the_outcome_by_minimum_grades_only():
    definition, (fire, ammonia) = _criteria_only(3, 4)
    assert definition.outcome(score=None, grades={fire.pk: 3, ammonia.pk: 4}) is True
    assert definition.outcome(score=None, grades={fire.pk: 5, ammonia.pk: 5}) is True
    assert definition.outcome(score=None, grades={fire.pk: 3, ammonia.pk: 3}) is False
    assert definition.outcome(score=None, grades={fire.pk: 2, ammonia.pk: 4}) is False


def test_a_criterion_not_observed_fails_the_outcome():
    definition, (fire, ammonia) = _criteria_only(3, 3)
    assert definition.outcome(score=None, grades={fire.pk: 5, ammonia.pk: None}) is False
    assert definition.outcome(score=None, grades={fire.pk: 5}) is False


def test_a_competency_without_a_criterion_does_not_count():
    definition, (fire,) = _criteria_only(3)
    other = CompetencyFactory(module=definition.module)
    assert definition.outcome(score=None, grades={fire.pk: 3, other.pk: 1}) is True


def test_the_outcome_by_pass_mark_and_minimum_grades_together():
    definition, (fire,) = _criteria_only(3)
    definition.max_score = Decimal(100)
    definition.pass_score = Decimal(70)
    definition.save()
    assert definition.outcome(score=Decimal(80), grades={fire.pk: 3}) is True
    assert definition.outcome(score=Decimal(60), grades={fire.pk: 5}) is False
    assert definition.outcome(score=Decimal(95), grades={fire.pk: 2}) is False
    assert definition.outcome(score=Decimal(95), grades={fire.pk: None}) is False


def test_the_outcome_without_any_rule_is_refused():
    definition = AssessmentDefinitionFactory(max_score=None, pass_score=None)
    with pytest.raises(ValidationError, match="neither a pass mark nor a minimum grade"):
        definition.outcome(score=Decimal(100), grades={})


# Qualification.expiry_for ------------------------------------------------------------------------


def test_a_lapsing_qualification_expires_validity_days_after_the_grant():
    qualification = Qualification(validity_days=90)
    assert qualification.lapses
    assert qualification.expiry_for(dt.date(2025, 1, 1)) == dt.date(2025, 4, 1)
    assert qualification.expiry_for(dt.date(2024, 12, 31)) == dt.date(2025, 3, 31)


def test_a_qualification_that_does_not_lapse_has_no_expiry():
    qualification = Qualification(validity_days=None)
    assert not qualification.lapses
    assert qualification.expiry_for(dt.date(2025, 1, 1)) is None
