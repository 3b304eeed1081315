"""Cached progress (trainees/progress_cache.py) is never stale: after each kind of write the board
and the dashboard, served from the cache, are exactly what they are computed afresh.

These tests commit for real (`transaction=True`): the generation is raised after a commit, as
in production, and the cache is a fresh local-memory one.
"""

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.db import OperationalError, connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from curriculum import services as curriculum
from tests.factories import (
    PASSWORD,
    MedicalCertificateFactory,
    SessionAttendanceFactory,
    TraineeFactory,
    TrainingSessionFactory,
    signed,
)
from tests.trainees.conftest import prerequisite_complete
from tests.trainees.sessions.test_views import log_data, signed_in
from trainees import progress_cache
from trainees.assessments.services import (
    assessment_record,
    result_amend,
    result_sign,
    result_signature_meaning_due,
)
from trainees.cohorts.services import cohort_revision_move, trainee_status_change
from trainees.medical.services import (
    medical_certificate_record,
    medical_hold_close,
    medical_hold_open,
)
from trainees.models import MedicalHold, ProgressGeneration, QualificationGrant, TrainingSession

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("progress_cache_on")]

# What differs between two renderings of one page whatever the data: tokens and nonces.
VOLATILE = re.compile(rb'(nonce|value|content)="[^"]*(?:csrf|[A-Za-z0-9+/=_-]{32,})[^"]*"')


def _main(page) -> bytes:
    body = page.content
    # From the page's header: a flash message above it is shown once, by the first request.
    body = body[body.index(b"<header", body.index(b"<main")) : body.index(b"</main>")]
    return VOLATILE.sub(b"", body)


def _fresh(client, url, settings) -> bytes:
    """The page served with the cache, after checking it equals the page computed without."""
    settings.PROGRESS_CACHE = True
    cached = _main(client.get(url))
    again = _main(client.get(url))  # from the cache this time
    settings.PROGRESS_CACHE = False
    truth = _main(client.get(url))
    settings.PROGRESS_CACHE = True
    assert cached == truth
    assert again == truth
    return truth


@pytest.fixture
def board(ayesha, trainer):
    return signed_in(trainer), reverse("trainees:cohort_board", args=[ayesha.cohort.pk])


@pytest.fixture
def dashboard(ayesha):
    return signed_in(ayesha.user), reverse("trainees:trainee_home")


def _generation() -> int:
    return ProgressGeneration.objects.get().counter


# The generation -------------------------------------------------------------------------------


def test_a_committed_write_raises_the_generation_once_and_a_rolled_back_one_not(ayesha, medic):
    before = progress_cache.generation()
    with transaction.atomic():
        medical_hold_open(trainee=ayesha, opened_on=timezone.localdate(), reason="Flu", by=medic)
        trainee_status_change(
            trainee=ayesha,
            status="graduated",
            effective_on=timezone.localdate(),
            reason="Flu",
            by=medic,
        )
        assert progress_cache.generation() == before  # not before the commit
    after = _generation()
    assert after == int(before.split(":")[1]) + 1
    with pytest.raises(RuntimeError), transaction.atomic():
        MedicalCertificateFactory(trainee=ayesha)
        raise RuntimeError
    assert _generation() == after
    # After a rollback the next committed write still raises it.
    medical_hold_close(
        hold=MedicalHold.objects.get(), closed_on=timezone.localdate(), note="Better", by=medic
    )
    assert _generation() == after + 1


def test_the_raise_is_the_last_statement_before_the_commit(ayesha, medic):
    """Inside the writing transaction: the records and the new generation commit together."""
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        medical_hold_open(trainee=ayesha, opened_on=timezone.localdate(), reason="Flu", by=medic)
        medical_hold_close(
            hold=MedicalHold.objects.get(), closed_on=timezone.localdate(), note="Ok", by=medic
        )
    sql = [q["sql"] for q in queries.captured_queries]
    raises = [i for i, q in enumerate(sql) if q.startswith('INSERT INTO "trainees_progressgen')]
    assert len(raises) == 1  # two writes, one raise
    assert sql[raises[0] + 1] == "COMMIT"
    assert raises[0] > max(i for i, q in enumerate(sql) if "trainees_medicalhold" in q)


def test_a_commit_that_fails_leaves_the_records_and_the_generation_as_they_were(
    ayesha, medic, monkeypatch
):
    """What a crash between the commit and an after-commit raise could not promise: if the
    commit does not happen, neither the records nor the generation change, and if it does, both
    have."""
    before = _generation()

    def commit_fails(wrapper):
        wrapper.connection.rollback()  # what the server does with a commit it cannot finish
        raise OperationalError("the server went away")

    with monkeypatch.context() as patch:
        patch.setattr(BaseDatabaseWrapper, "_commit", commit_fails)
        with pytest.raises(OperationalError), transaction.atomic():
            medical_hold_open(
                trainee=ayesha, opened_on=timezone.localdate(), reason="Flu", by=medic
            )
    connection.close()  # as a worker would after a failed commit
    assert not MedicalHold.objects.exists()
    assert _generation() == before
    assert connection.run_before_commit == []
    medical_hold_open(trainee=ayesha, opened_on=timezone.localdate(), reason="Flu", by=medic)
    assert MedicalHold.objects.exists()
    assert _generation() == before + 1


def test_a_sign_in_does_not_raise_the_generation(ayesha, client):
    before = _generation()
    answer = client.post(
        reverse("accounts:login"), {"username": ayesha.user.username, "password": PASSWORD}
    )
    assert answer.status_code == 302
    ayesha.user.refresh_from_db()
    assert ayesha.user.last_login is not None
    assert _generation() == before


def test_a_warm_board_computes_no_progress(board, ayesha, course, trainer, settings):
    client, url = board
    for _ in range(3):
        SessionAttendanceFactory(
            session=TrainingSessionFactory(cohort=ayesha.cohort, module=course.basic)
        )
    with CaptureQueriesContext(connection) as cold:
        client.get(url)
    with CaptureQueriesContext(connection) as warm:
        client.get(url)
    assert len(warm) < len(cold)
    assert not any("trainees_sessionattendance" in q["sql"] for q in warm.captured_queries)


def test_a_warm_dashboard_reads_no_record(dashboard, ayesha, course):
    client, url = dashboard
    SessionAttendanceFactory(
        trainee=ayesha, session=TrainingSessionFactory(cohort=ayesha.cohort, module=course.basic)
    )
    with CaptureQueriesContext(connection) as cold:
        client.get(url)
    with CaptureQueriesContext(connection) as warm:
        client.get(url)
    assert len(warm) < len(cold) - 5
    read = " ".join(q["sql"] for q in warm.captured_queries)
    for table in ("sessionattendance", "assessmentresult", "measurement", "medicalhold"):
        assert f"trainees_{table}" not in read
    assert "trainees_trainingsession" not in read


@pytest.mark.parametrize("page", ["dashboard", "board"])
def test_a_warm_page_costs_the_same_queries_with_ten_times_the_records(
    page, request, ayesha, course, trainer, django_assert_num_queries
):
    """Warm: session, user, the permissions, the bell, the generation and the trainee or
    cohort; no more with more records, trainees and sessions."""
    client, url = request.getfixturevalue(page)

    def grow(n: int) -> None:
        for newcomer in TraineeFactory.create_batch(n, cohort=ayesha.cohort):
            session = TrainingSessionFactory(cohort=ayesha.cohort, module=course.basic)
            SessionAttendanceFactory(session=session, trainee=ayesha)
            SessionAttendanceFactory(session=session, trainee=newcomer)
            upcoming = TrainingSessionFactory(
                cohort=ayesha.cohort,
                module=course.advanced,
                status="scheduled",
                starts_at=timezone.now() + dt.timedelta(days=1),
            )
            upcoming.trainees.set([ayesha, newcomer])

    for n in (2, 20):
        grow(n)
        assert client.get(url).status_code == 200  # cold: the write raised the generation
        # The board's heading names the cohort in the reader's language: one query more.
        with django_assert_num_queries(6 if page == "dashboard" else 7):
            assert client.get(url).status_code == 200


def test_a_write_replaces_the_cached_pages_rather_than_adding_to_them(
    board, dashboard, ayesha, course
):
    def entries() -> int:
        return sum(1 for key in cache._cache if ":progress:" in key)  # LocMemCache's own dict

    for client, url in (board, dashboard):
        client.get(url)
    before = entries()
    for _ in range(3):
        SessionAttendanceFactory(
            trainee=ayesha,
            session=TrainingSessionFactory(cohort=ayesha.cohort, module=course.basic),
        )
        for client, url in (board, dashboard):
            client.get(url)
    assert entries() == before > 0


def test_the_upcoming_sessions_follow_the_clock_with_no_write(dashboard, ayesha, course, trainer):
    """Cached until the first listed session starts: then it leaves the list by itself."""
    client, url = dashboard
    now = timezone.now()
    soon, later = (
        TrainingSessionFactory(
            cohort=ayesha.cohort,
            module=module,
            trainer=trainer,
            status="scheduled",
            starts_at=now + dt.timedelta(hours=hours),
        )
        for module, hours in ((course.basic, 2), (course.advanced, 5))
    )
    soon.trainees.set([ayesha])
    later.trainees.set([ayesha])

    def listed() -> list[bool]:
        page = client.get(url).content.decode()
        upcoming = page[page.index('id="upcoming-heading"') : page.index('id="holds-heading"')]
        return [reverse("trainees:session_detail", args=[s.pk]) in upcoming for s in (soon, later)]

    assert listed() == [True, True]
    with time_machine.travel(now + dt.timedelta(hours=1)):
        assert listed() == [True, True]  # from the cache
    with time_machine.travel(now + dt.timedelta(hours=2, seconds=1)):
        assert listed() == [False, True]
    with time_machine.travel(now + dt.timedelta(hours=5, seconds=1)):
        assert listed() == [False, False]


# Freshness after each kind of write ----------------------------------------------------------


def test_the_board_and_dashboard_follow_a_session_log(
    board, dashboard, ayesha, course, trainer, settings
):
    client, url = board
    before = _fresh(client, url, settings)
    dash_before = _fresh(*dashboard, settings)
    session = TrainingSessionFactory(
        cohort=ayesha.cohort,
        module=course.basic,
        trainer=trainer,
        status=TrainingSession.Status.SCHEDULED,
        starts_at=timezone.now() - dt.timedelta(hours=6),
    )
    client.post(reverse("trainees:session_log", args=[session.pk]), log_data(session, [ayesha]))
    assert TrainingSession.objects.get(pk=session.pk).status == TrainingSession.Status.COMPLETED
    assert _fresh(client, url, settings) != before
    assert _fresh(*dashboard, settings) != dash_before


def test_they_follow_an_assessment_signed_and_amended(
    board, dashboard, ayesha, course, trainer, settings
):
    client, url = board
    result = prerequisite_complete(course, ayesha, trainer)
    attempt = assessment_record(
        trainee=ayesha,
        definition=course.check,
        assessor=trainer,
        taken_at=timezone.now() - dt.timedelta(hours=2),
        score=Decimal(95),
        grades={course.suit: 4, course.tether: 4},
    )
    unsigned = _fresh(client, url, settings)
    dash_unsigned = _fresh(*dashboard, settings)
    result_sign(
        result=attempt,
        signature=signed(trainer),
        meaning=result_signature_meaning_due(result=attempt),
    )
    after_signing = _fresh(client, url, settings)
    assert after_signing != unsigned
    assert _fresh(*dashboard, settings) != dash_unsigned
    # The amendment suspends the qualification grant it earned until signed again.
    assert QualificationGrant.objects.filter(trainee=ayesha, revoked_at__isnull=True).exists()
    result_amend(
        result=result, by=trainer, reason="Marked twice.", score=Decimal(10), grades={}, remarks=""
    )
    assert _fresh(client, url, settings) != after_signing


def test_they_follow_a_medical_hold_opened_and_closed(board, dashboard, ayesha, medic, settings):
    client, url = board
    before = _fresh(client, url, settings)
    hold = medical_hold_open(
        trainee=ayesha, opened_on=timezone.localdate(), reason="Inner ear", by=medic
    )
    on_hold = _fresh(client, url, settings)
    assert on_hold != before
    assert b"Medical hold" in on_hold
    medical_hold_close(hold=hold, closed_on=timezone.localdate(), note="Cleared", by=medic)
    assert b"Medical hold" not in _fresh(client, url, settings)


def test_they_follow_a_certificate_and_the_day_it_expires(
    board, dashboard, ayesha, medic, settings, monkeypatch
):
    client, url = board
    today = timezone.localdate()
    before = _fresh(client, url, settings)
    medical_certificate_record(
        trainee=ayesha,
        kind="medical",
        issued_on=today - dt.timedelta(days=300),
        expires_on=today + dt.timedelta(days=1),
        examiner="Dr Wu",
        by=medic,
    )
    recorded = _fresh(client, url, settings)
    assert recorded != before
    assert b"expired on" not in recorded
    dash_today = _fresh(*dashboard, settings)
    # No write at all, only the day: the certificate has expired and the cached pages know it.
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: today + dt.timedelta(days=2))
    tomorrow = _fresh(client, url, settings)
    assert tomorrow != recorded
    assert b"expired on" in tomorrow
    assert _fresh(*dashboard, settings) != dash_today


def test_they_follow_a_revision_published_and_the_cohort_moved(
    board, dashboard, ayesha, course, programme_admin, settings
):
    client, url = board
    before = _fresh(client, url, settings)
    # A new revision in which EVA-1 asks for more hours, published, then the cohort moved to it.
    draft = curriculum.revision_start(programme=course.revision.programme)
    basic = draft.modules.get(code="EVA-1")
    basic.required_hours = Decimal(40)
    curriculum.module_save(module=basic, prerequisites=[])
    newer = curriculum.revision_publish(revision=draft, by=programme_admin)
    assert _fresh(client, url, settings) == before  # nobody is on it yet
    cohort_revision_move(
        cohort=ayesha.cohort,
        from_revision=course.revision,
        to_revision=newer,
        reason="The 2027 syllabus.",
        by=programme_admin,
    )
    assert _fresh(client, url, settings) != before


def test_they_follow_a_rename_and_a_status_change(board, ayesha, medic, settings):
    client, url = board
    before = _fresh(client, url, settings)
    ayesha.user.display_name = "Ayesha K. Malik"
    ayesha.user.save()
    renamed = _fresh(client, url, settings)
    assert renamed != before
    assert b"Ayesha K. Malik" in renamed
    trainee_status_change(
        trainee=ayesha,
        status="withdrawn",
        effective_on=timezone.localdate(),
        reason="Left the programme.",
        by=medic,
    )
    assert b"Withdrawn from training" in _fresh(client, url, settings)


def test_a_certificate_made_by_a_factory_is_seen_too(board, ayesha, settings):
    """Writes outside the services (the admin, a shell) go through save() and its signal."""
    client, url = board
    before = _fresh(client, url, settings)
    MedicalCertificateFactory(trainee=ayesha)
    assert _fresh(client, url, settings) != before
