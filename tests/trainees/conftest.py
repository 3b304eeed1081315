"""A course with a prerequisite and a graded practical check, and the personas' trainees on it.

EVA-1 (8 hours, a written exam) is the prerequisite of EVA-2, whose practical check has a pass
mark of 70 out of 100, a minimum grade of 3 in its first competency, two attempts, and confers a
qualification valid 90 days. `trainer` trains cohort A (`ayesha`, the `trainee` persona) and is
an authorised assessor of both assessments; `other_trainer` trains cohort B (`zhao`, the
`other_trainee` persona) and assesses nothing.
"""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from curriculum.models import AssessmentCriterion, Prerequisite
from tests.factories import (
    AssessmentDefinitionFactory,
    CohortFactory,
    CompetencyFactory,
    ModuleFactory,
    QualificationFactory,
    RevisionFactory,
    SessionAttendanceFactory,
    TraineeFactory,
    TrainingSessionFactory,
    revision_publish,
    signed,
)
from trainees.assessments.services import assessment_record


@pytest.fixture
def course(db, trainer):
    revision = RevisionFactory()
    basic = ModuleFactory(revision=revision, code="EVA-1", title="EVA basics", order=1)
    basic_exam = AssessmentDefinitionFactory(module=basic, code="EVA-1-W", title="EVA theory")
    advanced = ModuleFactory(revision=revision, code="EVA-2", title="EVA in the pool", order=2)
    suit, tether = (
        CompetencyFactory(module=advanced, code="SUIT", title="Suit checks", order=1),
        CompetencyFactory(module=advanced, code="TETHER", title="Tether protocol", order=2),
    )
    check = AssessmentDefinitionFactory(
        module=advanced,
        code="EVA-2-P",
        title="Pool run check",
        kind="practical_check",
        max_attempts=2,
    )
    AssessmentCriterion.objects.create(definition=check, competency=suit, minimum_grade=3)
    Prerequisite.objects.create(module=advanced, required_module=basic)
    qualification = QualificationFactory(
        conferred_by_assessment=check, code="Q-EVA", title="EVA pool qualified"
    )
    revision_publish(revision)
    basic_exam.assessors.add(trainer)
    check.assessors.add(trainer)
    return SimpleNamespace(
        revision=revision,
        basic=basic,
        basic_exam=basic_exam,
        advanced=advanced,
        check=check,
        suit=suit,
        tether=tether,
        qualification=qualification,
    )


@pytest.fixture
def ayesha(course, trainee, trainer):
    cohort = CohortFactory(revision=course.revision, trainers=[trainer])
    return TraineeFactory(user=trainee, cohort=cohort, nationality="PK")


@pytest.fixture
def zhao(course, other_trainee, other_trainer):
    cohort = CohortFactory(revision=course.revision, trainers=[other_trainer])
    return TraineeFactory(user=other_trainee, cohort=cohort)


def hours_ago(hours: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(hours=hours)


def prerequisite_complete(course, trainee_record, assessor):
    """EVA-1 complete for the trainee: 8 hours credited and its exam passed and signed."""
    for days in (3, 2):
        session = TrainingSessionFactory(
            cohort=trainee_record.cohort,
            module=course.basic,
            trainer=assessor,
            starts_at=timezone.now() - dt.timedelta(days=days),
        )
        SessionAttendanceFactory(session=session, trainee=trainee_record)
    return assessment_record(
        trainee=trainee_record,
        definition=course.basic_exam,
        assessor=assessor,
        taken_at=timezone.now() - dt.timedelta(days=1),
        score=Decimal(90),
        signature=signed(assessor),
    )


@pytest.fixture
def ready(course, ayesha, trainer):
    """Ayesha has completed the prerequisite: she may take the practical check."""
    prerequisite_complete(course, ayesha, trainer)
    return ayesha
