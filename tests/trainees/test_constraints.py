"""The training records' integrity rules: held by the database, or by `save()` where a rule
compares two tables (the hours credited against the session's length).

Each expected IntegrityError sits in its own `transaction.atomic()` and is matched to its
constraint's name (SQLite names a failed CHECK), so that a test cannot pass on the wrong rule.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Role
from curriculum.models import Qualification
from tests.factories import (
    AssessmentResultFactory,
    CohortFactory,
    MedicalHoldFactory,
    SessionAttendanceFactory,
    TraineeFactory,
    TrainingSessionFactory,
    UserFactory,
)
from trainees.models import (
    AssessmentResult,
    Cohort,
    CohortPlanEntry,
    CompetencyGrade,
    Measurement,
    MedicalHold,
    QualificationGrant,
    SessionAttendance,
    TraineeStatusChange,
    TrainingSession,
)

pytestmark = pytest.mark.django_db


# Competency grades -------------------------------------------------------------------------------


@pytest.fixture
def attendance():
    return SessionAttendanceFactory()


@pytest.fixture
def competency(attendance):
    return attendance.session.module.competencies.first()


@pytest.mark.parametrize("grade", [0, 6])
def test_it_refuses_a_grade_outside_1_to_5(attendance, competency, grade):
    with transaction.atomic(), pytest.raises(IntegrityError, match="grade_1_to_5"):
        CompetencyGrade.objects.create(competency=competency, attendance=attendance, grade=grade)
    assert not CompetencyGrade.objects.exists()


def test_a_competency_not_observed_is_recorded_without_a_grade(attendance, competency):
    grade = CompetencyGrade.objects.create(competency=competency, attendance=attendance, grade=None)
    grade.refresh_from_db()
    assert grade.grade is None
    assert not grade.observed


def test_it_refuses_a_grade_from_both_an_attendance_and_a_result(attendance, competency):
    result = AssessmentResultFactory(trainee=attendance.trainee)
    with transaction.atomic(), pytest.raises(IntegrityError, match="grade_from_attendance_or"):
        CompetencyGrade.objects.create(
            competency=competency, attendance=attendance, result=result, grade=3
        )


def test_it_refuses_a_grade_from_neither_an_attendance_nor_a_result(competency):
    with transaction.atomic(), pytest.raises(IntegrityError, match="grade_from_attendance_or"):
        CompetencyGrade.objects.create(competency=competency, grade=3)


def test_it_refuses_a_second_grade_of_a_competency_at_one_attendance(attendance, competency):
    CompetencyGrade.objects.create(competency=competency, attendance=attendance, grade=3)
    with transaction.atomic(), pytest.raises(IntegrityError, match=r"(?i)unique"):
        CompetencyGrade.objects.create(competency=competency, attendance=attendance, grade=4)
    assert CompetencyGrade.objects.get().grade == 3


def test_each_competency_of_an_attendance_is_graded_once(attendance):
    first, second = attendance.session.module.competencies.all()
    CompetencyGrade.objects.create(competency=first, attendance=attendance, grade=3)
    CompetencyGrade.objects.create(competency=second, attendance=attendance, grade=4)
    assert attendance.grades.count() == 2


# Attendance and sessions -------------------------------------------------------------------------


@pytest.fixture
def session():
    """A completed four-hour session."""
    return TrainingSessionFactory()


def test_it_refuses_more_hours_than_the_session_lasted(session):
    assert session.length_hours == Decimal(4)
    with pytest.raises(ValidationError) as raised:
        SessionAttendanceFactory(session=session, hours_credited=Decimal("4.01"))
    assert "hours_credited" in raised.value.message_dict
    assert not SessionAttendance.objects.exists()


def test_it_credits_exactly_the_length_of_the_session(session):
    attendance = SessionAttendanceFactory(session=session, hours_credited=Decimal("4.00"))
    attendance.refresh_from_db()
    assert attendance.hours_credited == Decimal(4)


def test_it_credits_the_rounded_length_of_a_session_of_40_minutes():
    starts_at = timezone.now() - dt.timedelta(days=1)
    session = TrainingSessionFactory(
        starts_at=starts_at, ends_at=starts_at + dt.timedelta(minutes=40)
    )
    attendance = SessionAttendanceFactory(session=session, hours_credited=Decimal("0.67"))
    assert attendance.pk is not None


def test_it_refuses_negative_hours(session):
    with transaction.atomic(), pytest.raises(IntegrityError, match="hours_not_negative"):
        SessionAttendanceFactory(session=session, hours_credited=Decimal(-1))
    assert not SessionAttendance.objects.exists()


def test_it_refuses_hours_for_an_absent_trainee(session):
    with transaction.atomic(), pytest.raises(IntegrityError, match="absent_credits_nothing"):
        SessionAttendanceFactory(session=session, attendance="absent", hours_credited=Decimal(2))
    assert not SessionAttendance.objects.exists()


def test_an_absent_trainee_is_credited_nothing(session):
    attendance = SessionAttendanceFactory(
        session=session, attendance="excused", hours_credited=Decimal(0)
    )
    assert attendance.pk is not None


def test_it_refuses_to_shorten_a_session_below_the_hours_credited(session):
    SessionAttendanceFactory(session=session, hours_credited=Decimal("3.5"))
    ends_at = session.ends_at
    session.ends_at = session.starts_at + dt.timedelta(hours=3)
    with pytest.raises(ValidationError) as raised:
        session.save()
    assert "ends_at" in raised.value.message_dict
    session.refresh_from_db()
    assert session.ends_at == ends_at


def test_a_session_may_be_shortened_down_to_the_hours_credited(session):
    SessionAttendanceFactory(session=session, hours_credited=Decimal("3.5"))
    session.ends_at = session.starts_at + dt.timedelta(hours=3, minutes=30)
    session.save()
    session.refresh_from_db()
    assert session.length_hours == Decimal("3.5")


def test_it_refuses_a_session_ending_before_it_starts():
    starts_at = timezone.now()
    with transaction.atomic(), pytest.raises(IntegrityError, match="session_ends_after_start"):
        TrainingSessionFactory(starts_at=starts_at, ends_at=starts_at - dt.timedelta(hours=1))
    assert not TrainingSession.objects.exists()


# Assessment results ------------------------------------------------------------------------------


def test_it_refuses_a_second_result_for_the_same_attempt():
    result = AssessmentResultFactory()
    with transaction.atomic(), pytest.raises(IntegrityError, match=r"(?i)unique"):
        AssessmentResultFactory(trainee=result.trainee, definition=result.definition, attempt=1)
    assert AssessmentResult.objects.count() == 1


def test_a_second_attempt_is_a_second_result():
    result = AssessmentResultFactory()
    AssessmentResultFactory(trainee=result.trainee, definition=result.definition, attempt=2)
    assert AssessmentResult.objects.filter(trainee=result.trainee).count() == 2


def test_it_refuses_attempt_zero():
    with transaction.atomic(), pytest.raises(IntegrityError, match="result_attempt_positive"):
        AssessmentResultFactory(attempt=0)


def test_it_refuses_a_signature_without_its_time():
    signer = UserFactory(roles=[Role.TRAINER])
    with transaction.atomic(), pytest.raises(IntegrityError, match="result_signature_complete"):
        AssessmentResultFactory(signed_by=signer, signed_at=None)


def test_it_refuses_a_signature_time_without_its_signer():
    with transaction.atomic(), pytest.raises(IntegrityError, match="result_signature_complete"):
        AssessmentResultFactory(signed_by=None, signed_at=timezone.now())


def test_a_complete_signature_is_accepted():
    signer = UserFactory(roles=[Role.TRAINER])
    result = AssessmentResultFactory(signed_by=signer, signed_at=timezone.now())
    assert result.is_signed


# Qualification grants ----------------------------------------------------------------------------


def _grant(result, **kwargs):
    granted_on = dt.date(2025, 3, 1)
    fields = {
        "trainee": result.trainee,
        "qualification": Qualification.objects.get(conferred_by_assessment=result.definition),
        "granted_on": granted_on,
        "expires_on": granted_on + dt.timedelta(days=90),
        "result": result,
        "granted_by": result.assessor,
    } | kwargs
    return QualificationGrant.objects.create(**fields)


def test_a_grant_from_a_result_is_accepted():
    grant = _grant(AssessmentResultFactory())
    assert grant.expires_on == dt.date(2025, 5, 30)


@pytest.mark.parametrize("expires_on", [dt.date(2025, 2, 28), dt.date(2025, 3, 1)])
def test_it_refuses_a_grant_expiring_before_it_is_granted(expires_on):
    result = AssessmentResultFactory()
    with transaction.atomic(), pytest.raises(IntegrityError, match="grant_expires_after_granted"):
        _grant(result, expires_on=expires_on)
    assert not QualificationGrant.objects.exists()


def test_it_refuses_a_grant_from_both_a_result_and_an_attendance():
    attendance = SessionAttendanceFactory()
    result = AssessmentResultFactory(trainee=attendance.trainee)
    with transaction.atomic(), pytest.raises(IntegrityError, match="grant_from_one_source"):
        _grant(result, attendance=attendance)
    assert not QualificationGrant.objects.exists()


# Measurements ------------------------------------------------------------------------------------


def _measurement(metric, value):
    return Measurement(
        trainee=TraineeFactory(),
        metric=metric,
        value=Decimal(value),
        taken_at=timezone.now(),
        recorded_by=UserFactory(roles=[Role.MEDICAL_OFFICER]),
    )


def test_the_database_refuses_a_measurement_outside_its_range():
    measurement = _measurement(Measurement.Metric.VO2MAX, 500)
    with transaction.atomic(), pytest.raises(IntegrityError, match="measurement_unit_and_range"):
        measurement.save()
    assert not Measurement.objects.exists()


def test_clean_refuses_a_measurement_outside_its_range_with_the_range():
    measurement = _measurement(Measurement.Metric.VO2MAX, 500)
    with pytest.raises(ValidationError) as raised:
        measurement.clean()
    assert raised.value.message_dict["value"] == ["Expected between 15 and 90 ml/kg/min."]


def test_clean_accepts_a_measurement_within_its_range():
    measurement = _measurement(Measurement.Metric.VO2MAX, 90)
    measurement.clean()
    measurement.save()
    assert Measurement.objects.get().value == Decimal(90)


def test_the_unit_follows_from_the_metric_on_save():
    measurement = _measurement(Measurement.Metric.RESTING_HEART_RATE, 52)
    measurement.unit = "ml/kg/min"
    measurement.save()
    measurement.refresh_from_db()
    assert measurement.unit == "bpm"


# Medical holds -----------------------------------------------------------------------------------


def test_it_refuses_a_second_open_hold():
    hold = MedicalHoldFactory()
    with transaction.atomic(), pytest.raises(IntegrityError, match=r"(?i)unique"):
        MedicalHoldFactory(trainee=hold.trainee)
    assert MedicalHold.objects.count() == 1


def test_a_new_hold_may_open_once_the_last_is_closed(medic):
    hold = MedicalHoldFactory(opened_on=dt.date(2025, 3, 1))
    hold.closed_on = dt.date(2025, 3, 10)
    hold.closed_by = medic
    hold.save()
    MedicalHoldFactory(trainee=hold.trainee, opened_on=dt.date(2025, 4, 1))
    assert MedicalHold.objects.filter(trainee=hold.trainee).count() == 2
    assert MedicalHold.objects.open().count() == 1


def test_it_refuses_a_hold_closed_before_it_opened(medic):
    with transaction.atomic(), pytest.raises(IntegrityError, match="closed_after_opened"):
        MedicalHoldFactory(
            opened_on=dt.date(2025, 3, 10), closed_on=dt.date(2025, 3, 9), closed_by=medic
        )
    assert not MedicalHold.objects.exists()


# Cohorts, plans and status -----------------------------------------------------------------------


def test_it_refuses_a_cohort_ending_before_it_starts():
    with transaction.atomic(), pytest.raises(IntegrityError, match="cohort_ends_after_start"):
        CohortFactory(starts_on=dt.date(2025, 3, 1), ends_on=dt.date(2025, 2, 1))
    assert not Cohort.objects.exists()


def test_it_refuses_a_plan_entry_ending_before_it_starts():
    cohort = CohortFactory()
    module = cohort.revision.modules.first()
    with transaction.atomic(), pytest.raises(IntegrityError, match="plan_end_not_before_start"):
        CohortPlanEntry.objects.create(cohort=cohort, module=module, start_week=4, end_week=3)
    assert not CohortPlanEntry.objects.exists()


def test_a_plan_entry_of_a_single_week_is_accepted():
    cohort = CohortFactory()
    module = cohort.revision.modules.first()
    entry = CohortPlanEntry.objects.create(cohort=cohort, module=module, start_week=3, end_week=3)
    assert entry.due_on == cohort.starts_on + dt.timedelta(weeks=2, days=6)


def test_it_refuses_a_status_change_without_a_reason(programme_admin):
    with transaction.atomic(), pytest.raises(IntegrityError, match="status_change_has_reason"):
        TraineeStatusChange.objects.create(
            trainee=TraineeFactory(),
            status="withdrawn",
            effective_on=dt.date(2025, 3, 1),
            reason="",
            recorded_by=programme_admin,
        )
    assert not TraineeStatusChange.objects.exists()
