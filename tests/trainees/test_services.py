"""The writes to the training records: assessments, enrolment, status history, medical holds."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from curriculum.models import AssessmentCriterion, Qualification
from tests.factories import (
    AssessmentDefinitionFactory,
    CohortFactory,
    CompetencyFactory,
    ModuleFactory,
    QualificationFactory,
    RevisionFactory,
    TraineeFactory,
    revision_publish,
    signed,
)
from trainees.assessments.services import assessment_record
from trainees.cohorts.services import trainee_enrol, trainee_status_change
from trainees.medical.services import medical_hold_close, medical_hold_open
from trainees.models import (
    AssessmentResult,
    CompetencyGrade,
    MedicalHold,
    QualificationGrant,
    Trainee,
    TraineeStatusChange,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
TAKEN_AT = dt.datetime(2025, 3, 10, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _after_the_fixed_dates():
    """The records here are dated in 2025 and an attempt in the future is refused: the clock is
    set after them, whatever day the run is on (`make test-dates` moves it)."""
    with time_machine.travel(dt.datetime(2026, 12, 3, 10, tzinfo=SHANGHAI), tick=True):
        yield


pytestmark = pytest.mark.django_db


@pytest.fixture
def exam():
    """A published practical check of two competencies: a pass mark of 70 out of 100 and a
    minimum grade of 3 in the first competency, conferring a qualification valid 90 days."""
    revision = RevisionFactory()
    module = ModuleFactory(revision=revision, category="emergency")
    fire, _smoke = CompetencyFactory.create_batch(2, module=module)
    definition = AssessmentDefinitionFactory(module=module, kind="practical_check", max_attempts=3)
    AssessmentCriterion.objects.create(definition=definition, competency=fire, minimum_grade=3)
    QualificationFactory(conferred_by_assessment=definition, validity_days=90, grace_days=14)
    revision_publish(revision)
    return definition


@pytest.fixture
def candidate(exam):
    return TraineeFactory(cohort=CohortFactory(revision=exam.module.revision))


@pytest.fixture
def competencies(exam):
    return list(exam.module.competencies.all())


def _record(candidate, exam, assessor, *, score, grades=None, taken_at=TAKEN_AT):
    """Record and sign an attempt at once, as an authorised assessor (signing is what grants)."""
    if grades is None:
        grades = {exam.module.competencies.first(): 4}
    exam.assessors.add(assessor)
    return assessment_record(
        trainee=candidate,
        definition=exam,
        assessor=assessor,
        taken_at=taken_at,
        score=Decimal(score),
        grades=grades,
        signature=signed(assessor),
        signed_at=taken_at,
    )


# assessment_record -------------------------------------------------------------------------------


def test_it_counts_the_attempts(candidate, exam, trainer):
    first = _record(candidate, exam, trainer, score=40)
    second = _record(candidate, exam, trainer, score=85, taken_at=TAKEN_AT + dt.timedelta(days=7))
    assert (first.attempt, second.attempt) == (1, 2)
    assert (first.passed, second.passed) == (False, True)


def test_it_counts_the_attempts_of_each_trainee_apart(candidate, exam, trainer):
    other = TraineeFactory(cohort=candidate.cohort)
    _record(candidate, exam, trainer, score=40)
    assert _record(other, exam, trainer, score=40).attempt == 1


def test_a_score_under_the_pass_mark_fails(candidate, exam, trainer):
    result = _record(candidate, exam, trainer, score="69.9")
    result.refresh_from_db()
    assert result.passed is False


def test_a_score_at_the_pass_mark_passes(candidate, exam, trainer):
    result = _record(candidate, exam, trainer, score=70)
    result.refresh_from_db()
    assert result.passed is True


def test_a_criterion_not_observed_fails(candidate, exam, trainer, competencies):
    fire, smoke = competencies
    result = _record(candidate, exam, trainer, score=95, grades={fire: None, smoke: 5})
    assert result.passed is False
    assert not QualificationGrant.objects.exists()


def test_a_grade_under_the_minimum_fails(candidate, exam, trainer, competencies):
    fire, _smoke = competencies
    assert _record(candidate, exam, trainer, score=95, grades={fire: 2}).passed is False


def test_it_creates_the_grades(candidate, exam, trainer, competencies):
    fire, smoke = competencies
    result = _record(candidate, exam, trainer, score=80, grades={fire: 4, smoke: None})
    assert dict(result.grades.values_list("competency_id", "grade")) == {
        fire.pk: 4,
        smoke.pk: None,
    }
    assert not CompetencyGrade.objects.filter(attendance__isnull=False).exists()


def test_it_signs_the_result_by_the_assessor_when_taken(candidate, exam, trainer):
    result = _record(candidate, exam, trainer, score=80)
    assert result.signed_by == trainer
    assert result.signed_at == TAKEN_AT


def test_it_refuses_an_attempt_beyond_the_maximum_and_writes_nothing(
    candidate, exam, trainer, competencies
):
    for day in range(exam.max_attempts):
        _record(candidate, exam, trainer, score=10, taken_at=TAKEN_AT + dt.timedelta(days=day))
    grades_before = CompetencyGrade.objects.count()
    with pytest.raises(ValidationError, match="All 3 attempts"):
        _record(
            candidate,
            exam,
            trainer,
            score=100,
            grades=dict.fromkeys(competencies, 5),
            taken_at=TAKEN_AT + dt.timedelta(days=30),
        )
    assert AssessmentResult.objects.filter(trainee=candidate).count() == 3
    assert CompetencyGrade.objects.count() == grades_before
    assert not QualificationGrant.objects.exists()


def test_a_pass_grants_the_qualification_the_assessment_confers(candidate, exam, trainer):
    result = _record(candidate, exam, trainer, score=80)
    grant = QualificationGrant.objects.get()
    assert grant.trainee == candidate
    assert grant.qualification == Qualification.objects.get(conferred_by_assessment=exam)
    assert grant.result == result
    assert grant.granted_by == trainer
    assert grant.granted_on == dt.date(2025, 3, 10)
    assert grant.expires_on == dt.date(2025, 3, 10) + dt.timedelta(days=90)


def test_the_grant_is_dated_by_the_local_day_of_the_attempt(candidate, exam, trainer):
    """23:30 in UTC is already the next morning at the training site (Asia/Shanghai)."""
    taken_at = dt.datetime(2025, 3, 10, 23, 30, tzinfo=dt.UTC)
    _record(candidate, exam, trainer, score=80, taken_at=taken_at)
    grant = QualificationGrant.objects.get()
    assert grant.granted_on == dt.date(2025, 3, 11)
    assert grant.expires_on == dt.date(2025, 6, 9)


def test_a_pass_grants_a_qualification_that_does_not_lapse_without_expiry(trainer):
    revision = RevisionFactory()
    definition = AssessmentDefinitionFactory(module=ModuleFactory(revision=revision))
    QualificationFactory(conferred_by_assessment=definition, validity_days=None, grace_days=0)
    revision_publish(revision)
    candidate = TraineeFactory(cohort=CohortFactory(revision=revision))
    _record(candidate, definition, trainer, score=80, grades={})
    assert QualificationGrant.objects.get().expires_on is None


def test_a_pass_grants_the_qualifications_the_assessment_renews(trainer):
    revision = RevisionFactory()
    module = ModuleFactory(revision=revision, category="emergency")
    initial = AssessmentDefinitionFactory(module=module)
    drill_check = AssessmentDefinitionFactory(module=module)
    qualification = QualificationFactory(
        conferred_by_assessment=initial, renewed_by_assessment=drill_check, validity_days=90
    )
    revision_publish(revision)
    candidate = TraineeFactory(cohort=CohortFactory(revision=revision))
    _record(candidate, drill_check, trainer, score=80, grades={})
    assert QualificationGrant.objects.get().qualification == qualification


def test_a_fail_grants_nothing(candidate, exam, trainer):
    _record(candidate, exam, trainer, score=50)
    assert not QualificationGrant.objects.exists()


# trainee_enrol and trainee_status_change ---------------------------------------------------------


def test_enrolling_opens_the_status_history(trainee, programme_admin):
    cohort = CohortFactory(name="Tiangong payload specialists 2025")
    with time_machine.travel(TAKEN_AT, tick=False):
        enrolled = trainee_enrol(
            user=trainee,
            cohort=cohort,
            agency="suparco",
            nationality="PK",
            crew_role="payload_specialist",
            by=programme_admin,
        )
    enrolled.refresh_from_db()
    assert enrolled.status == Trainee.Status.IN_TRAINING
    assert enrolled.status_since == dt.date(2025, 3, 10)
    change = TraineeStatusChange.objects.get(trainee=enrolled)
    assert change.status == Trainee.Status.IN_TRAINING
    assert change.effective_on == dt.date(2025, 3, 10)
    assert change.recorded_by == programme_admin
    assert "Tiangong payload specialists 2025" in change.reason


@pytest.fixture
def enrolled(trainee, programme_admin):
    return trainee_enrol(
        user=trainee,
        cohort=CohortFactory(),
        agency="suparco",
        nationality="PK",
        crew_role="payload_specialist",
        by=programme_admin,
        on=dt.date(2025, 1, 6),
    )


@pytest.mark.parametrize("reason", ["", "   \n"])
def test_a_status_change_needs_a_reason(enrolled, programme_admin, reason):
    with pytest.raises(ValidationError) as raised:
        trainee_status_change(
            trainee=enrolled,
            status=Trainee.Status.WITHDRAWN,
            effective_on=dt.date(2025, 3, 1),
            reason=reason,
            by=programme_admin,
        )
    assert "reason" in raised.value.message_dict
    enrolled.refresh_from_db()
    assert enrolled.status == Trainee.Status.IN_TRAINING
    assert enrolled.status_changes.count() == 1


def test_a_status_change_to_the_same_status_is_refused(enrolled, programme_admin):
    with pytest.raises(ValidationError) as raised:
        trainee_status_change(
            trainee=enrolled,
            status=Trainee.Status.IN_TRAINING,
            effective_on=dt.date(2025, 3, 1),
            reason="Still training.",
            by=programme_admin,
        )
    assert "status" in raised.value.message_dict
    assert enrolled.status_changes.count() == 1


def test_status_changes_keep_their_history_newest_first(enrolled, programme_admin):
    with time_machine.travel(TAKEN_AT, tick=False) as traveller:
        trainee_status_change(
            trainee=enrolled,
            status=Trainee.Status.WITHDRAWN,
            effective_on=dt.date(2025, 3, 1),
            reason="Withdrew for family reasons.",
            by=programme_admin,
        )
        traveller.shift(dt.timedelta(hours=2))
        # Reinstated with effect from the same day: the later record comes first.
        trainee_status_change(
            trainee=enrolled,
            status=Trainee.Status.IN_TRAINING,
            effective_on=dt.date(2025, 3, 1),
            reason="Withdrawal reversed by the selection board.",
            by=programme_admin,
        )
    enrolled.refresh_from_db()
    assert enrolled.status == Trainee.Status.IN_TRAINING
    assert enrolled.status_since == dt.date(2025, 3, 1)
    assert list(enrolled.status_changes.values_list("status", "effective_on")) == [
        (Trainee.Status.IN_TRAINING, dt.date(2025, 3, 1)),
        (Trainee.Status.WITHDRAWN, dt.date(2025, 3, 1)),
        (Trainee.Status.IN_TRAINING, dt.date(2025, 1, 6)),
    ]


# medical_hold_open and medical_hold_close --------------------------------------------------------


def test_a_hold_is_opened_and_closed(medic):
    patient = TraineeFactory()
    hold = medical_hold_open(
        trainee=patient, opened_on=dt.date(2025, 3, 1), reason="Vestibular symptoms.", by=medic
    )
    assert MedicalHold.objects.open().get() == hold
    medical_hold_close(hold=hold, closed_on=dt.date(2025, 3, 20), note="Cleared by ENT.", by=medic)
    hold.refresh_from_db()
    assert (hold.closed_on, hold.closed_by, hold.closing_note) == (
        dt.date(2025, 3, 20),
        medic,
        "Cleared by ENT.",
    )
    assert not MedicalHold.objects.open().exists()


def test_a_second_open_hold_is_refused(medic):
    patient = TraineeFactory()
    medical_hold_open(trainee=patient, opened_on=dt.date(2025, 3, 1), reason="Fracture.", by=medic)
    with pytest.raises(ValidationError, match="already has an open medical hold"):
        medical_hold_open(
            trainee=patient, opened_on=dt.date(2025, 3, 2), reason="Migraine.", by=medic
        )
    assert MedicalHold.objects.count() == 1


def test_a_hold_needs_a_reason(medic):
    with pytest.raises(ValidationError) as raised:
        medical_hold_open(
            trainee=TraineeFactory(), opened_on=dt.date(2025, 3, 1), reason="", by=medic
        )
    assert "reason" in raised.value.message_dict
    assert not MedicalHold.objects.exists()


def test_closing_a_hold_twice_is_refused(medic):
    hold = medical_hold_open(
        trainee=TraineeFactory(), opened_on=dt.date(2025, 3, 1), reason="Fracture.", by=medic
    )
    medical_hold_close(hold=hold, closed_on=dt.date(2025, 3, 20), note="Healed.", by=medic)
    with pytest.raises(ValidationError, match="already closed"):
        medical_hold_close(hold=hold, closed_on=dt.date(2025, 4, 1), note="Again.", by=medic)
    stored = MedicalHold.objects.get(pk=hold.pk)
    with pytest.raises(ValidationError, match="already closed"):
        medical_hold_close(hold=stored, closed_on=dt.date(2025, 4, 1), note="Again.", by=medic)
    stored.refresh_from_db()
    assert (stored.closed_on, stored.closing_note) == (dt.date(2025, 3, 20), "Healed.")


def test_closing_a_hold_already_closed_through_another_copy_is_refused(medic):
    hold = medical_hold_open(
        trainee=TraineeFactory(), opened_on=dt.date(2025, 3, 1), reason="Fracture.", by=medic
    )
    loaded_earlier = MedicalHold.objects.get(pk=hold.pk)
    medical_hold_close(hold=hold, closed_on=dt.date(2025, 3, 20), note="Healed.", by=medic)
    with pytest.raises(ValidationError, match="already closed"):
        medical_hold_close(
            hold=loaded_earlier, closed_on=dt.date(2025, 4, 1), note="Again.", by=medic
        )
    hold.refresh_from_db()
    assert (hold.closed_on, hold.closing_note) == (dt.date(2025, 3, 20), "Healed.")


def test_closing_a_hold_before_it_opened_is_refused(medic):
    hold = medical_hold_open(
        trainee=TraineeFactory(), opened_on=dt.date(2025, 3, 10), reason="Fracture.", by=medic
    )
    with pytest.raises(ValidationError, match="cannot close before it opened"):
        medical_hold_close(hold=hold, closed_on=dt.date(2025, 3, 9), note="Typo.", by=medic)
    assert MedicalHold.objects.open().get() == hold


def test_completing_a_module_grants_what_it_confers_once(db, trainer):
    from curriculum.models import Qualification
    from tests.factories import (
        CohortFactory,
        ModuleFactory,
        RevisionFactory,
        TraineeFactory,
        revision_publish,
    )
    from trainees.progress.services import module_qualifications_grant

    revision = RevisionFactory()
    module = ModuleFactory(revision=revision, category="emergency")
    Qualification.objects.create(
        revision=revision,
        code="Q-SURV",
        title="Land survival",
        conferred_by_module=module,
        validity_days=730,
    )
    revision_publish(revision)
    trainee = TraineeFactory(cohort=CohortFactory(revision=revision))
    day = dt.date(2026, 10, 1)
    first = module_qualifications_grant(trainee=trainee, module=module, on=day, by=trainer)
    again = module_qualifications_grant(trainee=trainee, module=module, on=day, by=trainer)
    assert [g.pk for g in first] == [g.pk for g in again]
    assert first[0].expires_on == dt.date(2028, 9, 30)


def test_attending_a_drill_renews_its_currency_once_and_missing_it_renews_nothing(db, trainer):
    from curriculum.models import Qualification
    from tests.factories import (
        CohortFactory,
        ModuleFactory,
        RevisionFactory,
        SessionAttendanceFactory,
        TraineeFactory,
        TrainingSessionFactory,
        revision_publish,
    )
    from trainees.progress.services import drill_renewals_grant

    revision = RevisionFactory()
    drill = ModuleFactory(revision=revision, category="emergency")
    Qualification.objects.create(
        revision=revision,
        code="Q-FIRE",
        title="Fire currency",
        conferred_by_module=drill,
        validity_days=90,
        renewed_by_module=drill,
    )
    revision_publish(revision)
    cohort = CohortFactory(revision=revision)
    session = TrainingSessionFactory(cohort=cohort, module=drill, trainer=trainer)
    there = SessionAttendanceFactory(session=session, trainee=TraineeFactory(cohort=cohort))
    away = SessionAttendanceFactory(
        session=session,
        trainee=TraineeFactory(cohort=cohort),
        attendance="excused",
        hours_credited=0,
    )
    first = drill_renewals_grant(attendance=there, by=trainer)
    assert len(first) == 1
    assert first[0].granted_on == timezone.localdate(session.starts_at)
    assert first[0].expires_on == first[0].granted_on + dt.timedelta(days=90)
    assert [g.pk for g in drill_renewals_grant(attendance=there, by=trainer)] == [first[0].pk]
    assert drill_renewals_grant(attendance=away, by=trainer) == []
