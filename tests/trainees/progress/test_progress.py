"""`trainee_progress`: module status, qualification currency, readiness and pace, one rule each.

Dates are fixed: the cohort starts on Monday 6 January 2025, sessions and attempts are placed on
given days at the training site (Asia/Shanghai), and progress is read `on=` a given day.
"""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from curriculum.models import Prerequisite
from tests.factories import (
    AssessmentDefinitionFactory,
    CohortFactory,
    ModuleFactory,
    ProgrammeFactory,
    QualificationFactory,
    RevisionFactory,
    SessionAttendanceFactory,
    TraineeFactory,
    TrainingSessionFactory,
    certified,
    revision_publish,
    revision_ready,
    signed,
)
from trainees.assessments.services import assessment_record
from trainees.cohorts.services import trainee_status_change
from trainees.medical.services import (
    medical_certificate_record,
    medical_hold_close,
    medical_hold_open,
)
from trainees.models import CohortPlanEntry, Currency, Trainee
from trainees.progress.selectors import ModuleStatus, Pace, trainee_progress

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = dt.date(2025, 1, 6)

pytestmark = pytest.mark.django_db


def _trainee(revision):
    """A trainee of a cohort starting on START, with medical and fitness certificates current
    for two years from it (certificates have tests of their own below)."""
    trainee = TraineeFactory(cohort=CohortFactory(revision=revision, starts_on=START))
    return certified(trainee, issued_on=START)


def _attend(trainee, module, *, on, hours=4):
    """Attend a completed session of `module` on day `on`, credited its full length."""
    starts_at = dt.datetime.combine(on, dt.time(9), tzinfo=SHANGHAI)
    session = TrainingSessionFactory(
        cohort=trainee.cohort,
        module=module,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=hours),
    )
    return SessionAttendanceFactory(session=session, trainee=trainee)


def _assess(trainee, definition, assessor, *, on, score=80):
    """An attempt on day `on`, signed there and then by an authorised assessor."""
    definition.assessors.add(assessor)
    return assessment_record(
        trainee=trainee,
        definition=definition,
        assessor=assessor,
        taken_at=dt.datetime.combine(on, dt.time(14), tzinfo=SHANGHAI),
        score=Decimal(score),
        signature=signed(assessor),
    )


def _complete(trainee, assessor, *, on):
    """Complete every module of the trainee's revision (8 hours and its exam) by day `on`."""
    for module in trainee.cohort.revision.modules.all():
        _attend(trainee, module, on=on - dt.timedelta(days=2))
        _attend(trainee, module, on=on - dt.timedelta(days=1))
        for definition in module.assessments.all():
            _assess(trainee, definition, assessor, on=on)


def _module(progress, module):
    return next(p for p in progress.modules if p.module == module)


# Modules -----------------------------------------------------------------------------------------


def test_a_module_is_complete_only_with_its_hours_and_every_assessment_passed(trainer):
    revision = RevisionFactory()
    module = ModuleFactory(revision=revision, required_hours=Decimal(8))
    written, practical = AssessmentDefinitionFactory.create_batch(2, module=module)
    revision_publish(revision)
    trainee = _trainee(revision)
    on = dt.date(2025, 2, 20)

    _attend(trainee, module, on=dt.date(2025, 2, 3))
    _assess(trainee, written, trainer, on=dt.date(2025, 2, 4))
    _assess(trainee, practical, trainer, on=dt.date(2025, 2, 5))
    progress = _module(trainee_progress(trainee=trainee, on=on), module)
    assert (progress.hours, progress.status) == (Decimal(4), ModuleStatus.IN_PROGRESS)

    other = TraineeFactory(cohort=trainee.cohort)
    _attend(other, module, on=dt.date(2025, 2, 3), hours=8)
    _assess(other, written, trainer, on=dt.date(2025, 2, 4))
    progress = _module(trainee_progress(trainee=other, on=on), module)
    assert progress.hours_met
    assert progress.passed == [written]
    assert progress.status == ModuleStatus.IN_PROGRESS

    _assess(other, practical, trainer, on=dt.date(2025, 2, 5))
    progress = _module(trainee_progress(trainee=other, on=on), module)
    assert progress.status == ModuleStatus.COMPLETE


def test_a_module_without_assessment_completes_on_its_hours():
    revision = RevisionFactory()
    module = ModuleFactory(revision=revision, required_hours=Decimal(6))
    revision_publish(revision)
    trainee = _trainee(revision)
    _attend(trainee, module, on=dt.date(2025, 2, 3), hours=4)
    on = dt.date(2025, 2, 20)
    assert _module(trainee_progress(trainee=trainee, on=on), module).status == (
        ModuleStatus.IN_PROGRESS
    )
    _attend(trainee, module, on=dt.date(2025, 2, 4), hours=2)
    assert _module(trainee_progress(trainee=trainee, on=on), module).status == (
        ModuleStatus.COMPLETE
    )


def test_hours_of_a_session_that_was_not_completed_do_not_count():
    revision = RevisionFactory()
    module = ModuleFactory(revision=revision, required_hours=Decimal(4))
    revision_publish(revision)
    trainee = _trainee(revision)
    attendance = _attend(trainee, module, on=dt.date(2025, 2, 3))
    attendance.session.status = "cancelled"
    attendance.session.cancellation_reason = "Simulator fault."
    attendance.session.save()
    progress = _module(trainee_progress(trainee=trainee, on=dt.date(2025, 2, 20)), module)
    assert (progress.hours, progress.status) == (Decimal(0), ModuleStatus.NOT_STARTED)


def test_an_assessment_failed_then_passed_counts_as_passed(trainer):
    revision = revision_ready()
    module = revision.modules.get()
    exam = module.assessments.get()
    trainee = _trainee(revision)
    _attend(trainee, module, on=dt.date(2025, 2, 3), hours=8)
    _assess(trainee, exam, trainer, on=dt.date(2025, 2, 4), score=50)
    _assess(trainee, exam, trainer, on=dt.date(2025, 2, 11), score=85)
    progress = trainee_progress(trainee=trainee, on=dt.date(2025, 2, 20))
    assert _module(progress, module).passed == [exam]
    assert _module(progress, module).attempts == 2
    assert _module(progress, module).status == ModuleStatus.COMPLETE
    assert progress.readiness.failed_assessments == []


def test_a_module_is_blocked_while_a_prerequisite_is_incomplete():
    revision = RevisionFactory()
    basic = ModuleFactory(revision=revision, code="EVA-1", required_hours=Decimal(4))
    advanced = ModuleFactory(revision=revision, code="EVA-2", required_hours=Decimal(8))
    Prerequisite.objects.create(module=advanced, required_module=basic)
    revision_publish(revision)
    trainee = _trainee(revision)
    on = dt.date(2025, 2, 20)

    progress = trainee_progress(trainee=trainee, on=on)
    assert _module(progress, basic).status == ModuleStatus.NOT_STARTED
    assert _module(progress, advanced).status == ModuleStatus.BLOCKED

    _attend(trainee, advanced, on=dt.date(2025, 2, 3), hours=2)
    assert _module(trainee_progress(trainee=trainee, on=on), advanced).status == (
        ModuleStatus.BLOCKED
    )

    _attend(trainee, basic, on=dt.date(2025, 2, 4), hours=4)
    progress = trainee_progress(trainee=trainee, on=on)
    assert _module(progress, basic).status == ModuleStatus.COMPLETE
    assert _module(progress, advanced).status == ModuleStatus.IN_PROGRESS


# Qualification currency --------------------------------------------------------------------------

GRANTED_ON = dt.date(2025, 2, 10)
EXPIRES_ON = GRANTED_ON + dt.timedelta(days=90)  # revision_ready: valid 90 days, 14 days' grace


@pytest.fixture(autouse=True)
def _after_the_fixed_dates():
    """The records here are dated in 2025 and an attempt in the future is refused: the clock is
    set after them, whatever day the run is on (`make test-dates` moves it)."""
    with time_machine.travel(dt.datetime(2026, 12, 3, 10, tzinfo=SHANGHAI), tick=True):
        yield


@pytest.fixture
def qualified(trainer):
    """A trainee who completed revision_ready's one module on GRANTED_ON."""
    trainee = _trainee(revision_ready())
    _complete(trainee, trainer, on=GRANTED_ON)
    return trainee


@pytest.mark.parametrize(
    ("on", "currency"),
    [
        (GRANTED_ON, Currency.VALID),
        (EXPIRES_ON - dt.timedelta(days=31), Currency.VALID),
        (EXPIRES_ON - dt.timedelta(days=30), Currency.EXPIRING),
        (EXPIRES_ON - dt.timedelta(days=1), Currency.EXPIRING),
        (EXPIRES_ON, Currency.IN_GRACE),
        (EXPIRES_ON + dt.timedelta(days=13), Currency.IN_GRACE),
        (EXPIRES_ON + dt.timedelta(days=14), Currency.EXPIRED),
    ],
)
def test_the_currency_of_a_qualification_over_time(qualified, settings, on, currency):
    settings.QUALIFICATION_WARNING_DAYS = [30, 7]
    (standing,) = trainee_progress(trainee=qualified, on=on).qualifications
    assert standing.grant.expires_on == EXPIRES_ON
    assert standing.currency == currency


def test_the_warning_starts_at_the_longest_warning_period(qualified, settings):
    settings.QUALIFICATION_WARNING_DAYS = [60, 14]
    days_before = {
        61: Currency.VALID,
        60: Currency.EXPIRING,
    }
    for days, currency in days_before.items():
        on = EXPIRES_ON - dt.timedelta(days=days)
        (standing,) = trainee_progress(trainee=qualified, on=on).qualifications
        assert standing.currency == currency, days


def test_progress_is_read_for_today_by_default(qualified):
    with time_machine.travel(dt.datetime(2025, 8, 1, 12, tzinfo=SHANGHAI), tick=False):
        progress = trainee_progress(trainee=qualified)
    assert progress.on == dt.date(2025, 8, 1)
    assert progress.qualifications[0].currency == Currency.EXPIRED


def test_a_qualification_never_held_is_not_current():
    trainee = _trainee(revision_ready())
    (standing,) = trainee_progress(trainee=trainee, on=GRANTED_ON).qualifications
    assert standing.grant is None
    assert standing.currency is None
    assert not standing.current


def test_an_expired_qualification_expires_its_module_and_the_readiness(qualified):
    module = qualified.cohort.revision.modules.get()
    progress = trainee_progress(trainee=qualified, on=EXPIRES_ON + dt.timedelta(days=14))
    assert _module(progress, module).status == ModuleStatus.EXPIRED
    assert [s.currency for s in progress.readiness.lapsed_qualifications] == [Currency.EXPIRED]
    assert not progress.readiness.ready


def test_a_qualification_in_grace_is_not_ready_but_keeps_its_module_complete(qualified):
    module = qualified.cohort.revision.modules.get()
    progress = trainee_progress(trainee=qualified, on=EXPIRES_ON + dt.timedelta(days=1))
    assert _module(progress, module).status == ModuleStatus.COMPLETE
    assert [s.currency for s in progress.readiness.lapsed_qualifications] == [Currency.IN_GRACE]
    assert not progress.readiness.ready


def test_a_renewal_makes_the_qualification_current_again(qualified, trainer):
    exam = qualified.cohort.revision.modules.get().assessments.get()
    renewed_on = EXPIRES_ON + dt.timedelta(days=3)
    _assess(qualified, exam, trainer, on=renewed_on)
    progress = trainee_progress(trainee=qualified, on=renewed_on)
    assert progress.qualifications[0].grant.granted_on == renewed_on
    assert progress.qualifications[0].currency == Currency.VALID
    assert progress.readiness.ready


def test_a_grant_under_an_older_revision_with_the_same_code_counts(trainer):
    programme = ProgrammeFactory()
    old, new = RevisionFactory(programme=programme), RevisionFactory(programme=programme)
    for revision in (old, new):
        exam = AssessmentDefinitionFactory(module=ModuleFactory(revision=revision))
        QualificationFactory(conferred_by_assessment=exam, code="Q-WATER", validity_days=730)
        revision_publish(revision)
    trainee = _trainee(old)
    _assess(trainee, old.modules.get().assessments.get(), trainer, on=GRANTED_ON)
    # The trainee moves to a cohort of the new revision.
    trainee.cohort = CohortFactory(revision=new, starts_on=START)
    trainee.save()

    (standing,) = trainee_progress(trainee=trainee, on=GRANTED_ON).qualifications
    assert standing.qualification.revision == new
    assert standing.grant.qualification.revision == old
    assert standing.currency == Currency.VALID


def test_a_grant_with_another_code_does_not_count(trainer):
    programme = ProgrammeFactory()
    old, new = RevisionFactory(programme=programme), RevisionFactory(programme=programme)
    for revision, code in ((old, "Q-WATER"), (new, "Q-WATER-2")):
        exam = AssessmentDefinitionFactory(module=ModuleFactory(revision=revision))
        QualificationFactory(conferred_by_assessment=exam, code=code, validity_days=730)
        revision_publish(revision)
    trainee = _trainee(old)
    _assess(trainee, old.modules.get().assessments.get(), trainer, on=GRANTED_ON)
    trainee.cohort = CohortFactory(revision=new, starts_on=START)
    trainee.save()

    (standing,) = trainee_progress(trainee=trainee, on=GRANTED_ON).qualifications
    assert standing.grant is None


# Readiness ---------------------------------------------------------------------------------------


def test_a_fully_complete_trainee_is_ready(trainer):
    trainee = _trainee(revision_ready(modules=2))
    _complete(trainee, trainer, on=GRANTED_ON)
    progress = trainee_progress(trainee=trainee, on=GRANTED_ON)
    assert [p.status for p in progress.modules] == [ModuleStatus.COMPLETE] * 2
    assert progress.percent_complete == 100
    assert progress.readiness.ready


def test_a_trainee_with_a_module_missing_is_not_ready(trainer):
    revision = revision_ready(modules=2)
    trainee = _trainee(revision)
    _complete(trainee, trainer, on=GRANTED_ON)
    extra = revision.modules.last()
    trainee.attendances.filter(session__module=extra).update(hours_credited=Decimal(1))
    readiness = trainee_progress(trainee=trainee, on=GRANTED_ON).readiness
    assert readiness.missing_modules == [extra]
    assert not readiness.ready


def test_an_open_medical_hold_blocks_readiness_until_closed(qualified, medic):
    opened_on = GRANTED_ON + dt.timedelta(days=5)
    hold = medical_hold_open(
        trainee=qualified, opened_on=opened_on, reason="Vestibular symptoms.", by=medic
    )
    readiness = trainee_progress(trainee=qualified, on=opened_on).readiness
    assert readiness.medical_hold
    assert not readiness.ready

    closed_on = opened_on + dt.timedelta(days=10)
    medical_hold_close(hold=hold, closed_on=closed_on, note="Cleared.", by=medic)
    readiness = trainee_progress(trainee=qualified, on=closed_on).readiness
    assert not readiness.medical_hold
    assert readiness.ready
    # While it was open, the hold still blocked: readiness on an earlier day is unchanged.
    assert trainee_progress(
        trainee=qualified, on=closed_on - dt.timedelta(days=1)
    ).readiness.medical_hold


def test_a_withdrawn_trainee_is_not_ready(qualified, programme_admin):
    assert trainee_progress(trainee=qualified, on=GRANTED_ON).readiness.ready
    trainee_status_change(
        trainee=qualified,
        status=Trainee.Status.WITHDRAWN,
        effective_on=GRANTED_ON,
        reason="Withdrew for family reasons.",
        by=programme_admin,
    )
    readiness = trainee_progress(trainee=qualified, on=GRANTED_ON).readiness
    assert readiness.withdrawn
    assert not readiness.ready


def test_a_trainee_without_certificates_is_not_ready_and_is_told_which(trainer):
    trainee = TraineeFactory(cohort=CohortFactory(revision=revision_ready(), starts_on=START))
    _complete(trainee, trainer, on=GRANTED_ON)
    readiness = trainee_progress(trainee=trainee, on=GRANTED_ON).readiness
    assert [(lack.kind, lack.expired_on) for lack in readiness.lacking_certificates] == [
        ("medical", None),
        ("fitness", None),
    ]
    assert not readiness.ready


def test_a_certificate_counts_from_its_issue_until_its_expiry_day(qualified, medic):
    # `qualified` holds certificates from START for 730 days; the fitness one lapses sooner.
    fitness = qualified.medical_certificates.get(kind="fitness")
    fitness.expires_on = GRANTED_ON + dt.timedelta(days=10)
    fitness.save()
    day_before = GRANTED_ON + dt.timedelta(days=9)
    assert trainee_progress(trainee=qualified, on=day_before).readiness.ready
    readiness = trainee_progress(trainee=qualified, on=fitness.expires_on).readiness
    assert [(lack.kind, lack.expired_on) for lack in readiness.lacking_certificates] == [
        ("fitness", fitness.expires_on)
    ]
    assert not readiness.ready
    # A renewal counts from the day it is issued, not before.
    renewed_on = fitness.expires_on + dt.timedelta(days=1)
    medical_certificate_record(
        trainee=qualified,
        kind="fitness",
        issued_on=renewed_on,
        expires_on=renewed_on + dt.timedelta(days=365),
        examiner="Aeromedical board",
        by=medic,
    )
    assert not trainee_progress(trainee=qualified, on=fitness.expires_on).readiness.ready
    assert trainee_progress(trainee=qualified, on=renewed_on).readiness.ready


# Pace --------------------------------------------------------------------------------------------


@pytest.fixture
def planned():
    """A trainee whose cohort plans revision_ready's module for weeks 1-4: due 2 February."""
    trainee = _trainee(revision_ready())
    module = trainee.cohort.revision.modules.get()
    entry = CohortPlanEntry.objects.create(
        cohort=trainee.cohort, module=module, start_week=1, end_week=4
    )
    assert entry.due_on == dt.date(2025, 2, 2)
    return trainee


def test_pace_is_behind_when_a_module_due_is_incomplete(planned):
    assert trainee_progress(trainee=planned, on=dt.date(2025, 2, 2)).pace == Pace.ON_TRACK
    assert trainee_progress(trainee=planned, on=dt.date(2025, 2, 3)).pace == Pace.BEHIND


def test_pace_is_on_track_before_a_module_is_due(planned):
    assert trainee_progress(trainee=planned, on=dt.date(2025, 1, 20)).pace == Pace.ON_TRACK


def test_pace_is_on_track_when_a_module_due_is_complete(planned, trainer):
    _complete(planned, trainer, on=dt.date(2025, 1, 31))
    assert trainee_progress(trainee=planned, on=dt.date(2025, 2, 10)).pace == Pace.ON_TRACK


def test_pace_is_ahead_when_a_module_is_complete_before_it_is_due(planned, trainer):
    _complete(planned, trainer, on=dt.date(2025, 1, 20))
    assert trainee_progress(trainee=planned, on=dt.date(2025, 1, 25)).pace == Pace.AHEAD


def test_there_is_no_pace_without_a_plan():
    trainee = _trainee(revision_ready())
    assert trainee_progress(trainee=trainee, on=dt.date(2025, 2, 10)).pace is None


# Cost --------------------------------------------------------------------------------------------


def test_progress_costs_the_same_queries_with_2_or_20_attendances(
    trainer, django_assert_num_queries
):
    revision = revision_ready(modules=2)
    trainee = _trainee(revision)
    first, second = revision.modules.all()
    CohortPlanEntry.objects.create(cohort=trainee.cohort, module=first, start_week=1, end_week=4)
    _attend(trainee, first, on=dt.date(2025, 1, 7))
    _attend(trainee, second, on=dt.date(2025, 1, 8))
    _assess(trainee, first.assessments.get(), trainer, on=dt.date(2025, 1, 9))
    on = dt.date(2025, 3, 1)

    fresh = Trainee.objects.get(pk=trainee.pk)
    with CaptureQueriesContext(connection) as small:
        trainee_progress(trainee=fresh, on=on)

    for day in range(18):
        _attend(trainee, (first, second)[day % 2], on=dt.date(2025, 1, 10) + dt.timedelta(days=day))
    _assess(trainee, second.assessments.get(), trainer, on=dt.date(2025, 2, 1))
    assert trainee.attendances.count() == 20

    fresh = Trainee.objects.get(pk=trainee.pk)
    with django_assert_num_queries(len(small)):
        progress = trainee_progress(trainee=fresh, on=on)
    assert progress.readiness.ready
