"""Cached progress (trainees/progress_cache.py) is never stale: after each kind of write the board
and the dashboard, served from the cache, are exactly what they are computed afresh.

These tests commit for real (`transaction=True`), as production does, and the cache is a fresh
local-memory one.
"""

import datetime as dt
import os
import re
import signal
import subprocess
import sys
from decimal import Decimal

import pytest
import time_machine
from django.apps import apps
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from curriculum import services as curriculum
from tests.factories import (
    PASSWORD,
    MedicalCertificateFactory,
    ResourceFactory,
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
from trainees.models import MedicalHold, QualificationGrant, TrainingSession

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


def _versions(*rows) -> list:
    """The rows' versions as stored now."""
    return [
        type(row)._base_manager.values_list("cache_version", flat=True).get(pk=row.pk)
        for row in rows
    ]


# The versions ---------------------------------------------------------------------------------


def test_a_committed_write_raises_its_rows_versions_and_a_rolled_back_one_not(ayesha, zhao, medic):
    cohort, revision = ayesha.cohort, ayesha.cohort.revision
    before = _versions(ayesha, cohort, revision, zhao)
    with transaction.atomic():
        medical_hold_open(trainee=ayesha, opened_on=timezone.localdate(), reason="Flu", by=medic)
        # In the writing transaction: the record and its row's version are one change.
        assert _versions(ayesha)[0] != before[0]
    after = _versions(ayesha, cohort, revision, zhao)
    assert after[0] != before[0]
    assert after[1:] == before[1:]  # the cohort, the curriculum and the other trainee: as they were
    with pytest.raises(RuntimeError), transaction.atomic():
        MedicalCertificateFactory(trainee=ayesha)
        raise RuntimeError
    assert _versions(ayesha, cohort, revision, zhao) == after


def test_each_kind_of_row_is_raised_by_the_writes_it_shows(ayesha, zhao, course, trainer):
    rows = (ayesha, ayesha.cohort, course.revision, zhao, zhao.cohort)

    def raised(write) -> list[str]:
        before = _versions(*rows)
        write()
        after = _versions(*rows)
        return [type(row).__name__ for row, a, b in zip(rows, after, before, strict=True) if a != b]

    session = None

    def schedule():
        nonlocal session
        session = TrainingSessionFactory(cohort=ayesha.cohort, module=course.basic, trainer=trainer)

    assert raised(schedule) == ["Cohort"]
    # A roster: the session's cohort and the trainee, not the other cohort's.
    assert raised(lambda: session.trainees.set([ayesha])) == ["Trainee", "Cohort"]
    assert raised(lambda: MedicalCertificateFactory(trainee=zhao)) == ["Trainee"]


def test_a_stale_copy_saved_does_not_bring_an_old_version_back(ayesha, medic):
    copy = type(ayesha).objects.get(pk=ayesha.pk)
    medical_hold_open(trainee=ayesha, opened_on=timezone.localdate(), reason="Flu", by=medic)
    raised = _versions(ayesha)
    copy.crew_role = "flight_engineer"
    copy.save()  # the copy holds the version from before the hold
    assert _versions(ayesha) not in ([copy.cache_version], raised)


def test_every_model_a_cached_page_may_read_says_which_rows_it_raises():
    """A model added to these apps without an entry would be written unseen by the cache."""
    models = [
        model
        for app in ("trainees", "curriculum", "accounts")
        for model in apps.get_app_config(app).get_models()
        if not model.__name__.startswith("Historical")
    ]
    unclassified = [
        m.__name__
        for m in models
        if m not in progress_cache.DEPENDS and m not in progress_cache.IGNORED
    ]
    assert unclassified == []


def test_a_sign_in_or_a_new_language_raises_no_version(ayesha, client):
    before = _versions(ayesha, ayesha.cohort)
    answer = client.post(
        reverse("accounts:login"), {"username": ayesha.user.username, "password": PASSWORD}
    )
    assert answer.status_code == 302
    ayesha.user.refresh_from_db()
    assert ayesha.user.last_login is not None
    ayesha.user.preferred_language = "ur"
    ayesha.user.save()
    assert _versions(ayesha, ayesha.cohort) == before


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the in-memory SQLite test database is not shared with another process",
)
def test_a_process_killed_right_after_its_commit_leaves_no_page_stale(
    board, dashboard, ayesha, medic, settings
):
    """Another process opens a hold and is killed the instant its transaction has committed:
    nothing it would have done after the commit was needed."""
    client, url = board
    assert b"Medical hold" not in _fresh(client, url, settings)
    dashboard_before = _fresh(*dashboard, settings)
    script = (
        "import os, signal, django, time_machine\n"
        # The other process on this test's clock, which .ci/run moves to another day.
        f"time_machine.travel({timezone.now().timestamp()!r}, tick=True).start()\n"
        "django.setup()\n"
        "from django.db import transaction\n"
        "from django.utils import timezone\n"
        "from accounts.models import User\n"
        "from trainees.medical.services import medical_hold_open\n"
        "from trainees.models import Trainee\n"
        f"trainee, medic = Trainee.objects.get(pk={ayesha.pk}), User.objects.get(pk={medic.pk})\n"
        "with transaction.atomic():\n"
        "    transaction.on_commit(lambda: os.kill(os.getpid(), signal.SIGKILL))\n"
        "    medical_hold_open(trainee=trainee, opened_on=timezone.localdate(),"
        " reason='Killed', by=medic)\n"
        "print('not killed')\n"
    )
    database = connection.settings_dict
    url_of_database = (
        f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=os.environ
        | {"DATABASE_URL": url_of_database, "DJANGO_SETTINGS_MODULE": "trainingtracker.settings"},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert "not killed" not in done.stdout
    assert MedicalHold.objects.filter(trainee=ayesha, reason="Killed").exists()
    assert b"Medical hold" in _fresh(client, url, settings)  # served by this process's cache
    assert _fresh(*dashboard, settings) != dashboard_before  # the hold, in Urdu


def test_a_write_to_one_cohort_leaves_the_other_cohorts_pages_warm(
    ayesha, zhao, course, trainer, other_trainer, django_assert_num_queries
):
    theirs = [
        (signed_in(other_trainer), reverse("trainees:cohort_board", args=[zhao.cohort.pk]), 6),
        (signed_in(zhao.user), reverse("trainees:trainee_home"), 5),
    ]
    for client, url, _ in theirs:
        client.get(url)
    session = TrainingSessionFactory(
        cohort=ayesha.cohort,
        module=course.basic,
        trainer=trainer,
        status=TrainingSession.Status.SCHEDULED,
        starts_at=timezone.now() - dt.timedelta(hours=6),
    )
    answer = signed_in(trainer).post(
        reverse("trainees:session_log", args=[session.pk]), log_data(session, [ayesha])
    )
    assert answer.status_code == 302
    for client, url, warm in theirs:
        with django_assert_num_queries(warm):
            assert client.get(url).status_code == 200


def test_the_stamp_is_read_before_the_records(board, dashboard, ayesha, course):
    """The versions come with the trainee or cohort row, or in their own query, before any
    record is read: a write committed in between is then cached under the older stamp."""
    SessionAttendanceFactory(
        trainee=ayesha, session=TrainingSessionFactory(cohort=ayesha.cohort, module=course.basic)
    )
    records = ("trainees_sessionattendance", "trainees_assessmentresult", "trainees_medicalhold")
    for client, url in (board, dashboard):
        cache.clear()
        with CaptureQueriesContext(connection) as cold:
            client.get(url)
        sql = [q["sql"] for q in cold.captured_queries]
        reads = min(i for i, q in enumerate(sql) if any(table in q for table in records))
        for table in ("trainees_trainee", "trainees_cohort", "curriculum_programmerevision"):
            first = min(i for i, q in enumerate(sql) if f'"{table}"."cache_version"' in q)
            assert first < reads, (url, table)


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


# The board: the cohort with its programme, whose language its heading names it in (a reader in
# another would read the texts: one query more).
@pytest.mark.parametrize(("page", "warm"), [("dashboard", 5), ("board", 6)])
def test_a_warm_page_costs_the_same_queries_with_ten_times_the_records(
    page, warm, request, ayesha, course, trainer, django_assert_num_queries
):
    """Warm: session, user, the permissions, the bell and the trainee with its versions, or the
    cohort and its trainees' versions; no more with more records, trainees and sessions."""
    client, url = request.getfixturevalue(page)

    def grow(n: int) -> None:
        for newcomer in TraineeFactory.create_batch(n, cohort=ayesha.cohort):
            session = TrainingSessionFactory(cohort=ayesha.cohort, module=course.basic)
            SessionAttendanceFactory(session=session, trainee=ayesha)
            SessionAttendanceFactory(session=session, trainee=newcomer)
            # Each a day after the last: Ayesha is in one scheduled session at a time.
            later = TrainingSession.objects.filter(status="scheduled").count()
            upcoming = TrainingSessionFactory(
                cohort=ayesha.cohort,
                module=course.advanced,
                status="scheduled",
                starts_at=timezone.now() + dt.timedelta(days=1 + later),
            )
            upcoming.trainees.set([ayesha, newcomer])

    for n in (2, 20):
        grow(n)
        assert client.get(url).status_code == 200  # cold: the write raised versions
        with django_assert_num_queries(warm):
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
        for module, hours in ((course.basic, 2), (course.advanced, 7))  # one after the other
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
    with time_machine.travel(now + dt.timedelta(hours=7, seconds=1)):
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


# The landing pages of trainers and programme admins ------------------------------------------


def _whole(page) -> bytes:
    body = page.content
    return VOLATILE.sub(b"", body[body.index(b"<main") : body.index(b"</main>")])


def _fresh_whole(client, url, settings) -> bytes:
    """As `_fresh`, for a page whose cached part is all of it."""
    settings.PROGRESS_CACHE = True
    cached = _whole(client.get(url))
    again = _whole(client.get(url))
    settings.PROGRESS_CACHE = False
    truth = _whole(client.get(url))
    settings.PROGRESS_CACHE = True
    assert cached == truth
    assert again == truth
    return truth


def test_the_training_floor_follows_the_sessions_the_roster_and_the_clock(
    ayesha, zhao, course, trainer, settings
):
    client, url = signed_in(trainer), reverse("trainees:trainer_home")
    before = _fresh_whole(client, url, settings)
    now = timezone.now()
    session = TrainingSessionFactory(
        cohort=ayesha.cohort,
        module=course.basic,
        trainer=trainer,
        status=TrainingSession.Status.SCHEDULED,
        starts_at=now + dt.timedelta(hours=2),
        ends_at=now + dt.timedelta(hours=4),
    )
    session.resources.set([ResourceFactory(name="Neutral buoyancy pool", kind="pool")])
    scheduled = _fresh_whole(client, url, settings)
    assert b"Neutral buoyancy pool" in scheduled and scheduled != before
    ayesha.crew_role = "commander"
    ayesha.save()  # the trainee's own row: their cohort's roster
    promoted = _fresh_whole(client, url, settings)
    assert promoted != scheduled
    ayesha.user.display_name = "Ayesha K. Malik"
    ayesha.user.save()
    assert b"Ayesha K. Malik" in _fresh_whole(client, url, settings)
    # No write, only the clock: the session starts, then ends and is to be logged.
    to_log = reverse("trainees:session_log", args=[session.pk]).encode()
    with time_machine.travel(now + dt.timedelta(hours=3)):
        assert to_log not in _fresh_whole(client, url, settings)
    with time_machine.travel(now + dt.timedelta(hours=5)):
        assert to_log in _fresh_whole(client, url, settings)


def test_the_programme_page_follows_the_curriculum(course, programme_admin, settings):
    client, url = signed_in(programme_admin), reverse("curriculum:home")
    before = _fresh_whole(client, url, settings)
    programme = course.revision.programme
    draft = curriculum.revision_start(programme=programme)
    with_draft = _fresh_whole(client, url, settings)
    assert with_draft != before
    programme.name = "Payload specialist training, 2027"
    programme.save()
    renamed = _fresh_whole(client, url, settings)
    assert b"Payload specialist training, 2027" in renamed
    curriculum.revision_publish(revision=draft, by=programme_admin)
    assert _fresh_whole(client, url, settings) != renamed


def test_a_landing_page_warm_costs_its_stamp_and_a_cache_read(
    ayesha, course, trainer, programme_admin, django_assert_num_queries
):
    """Session, user, permissions, the versions, the bell; nothing the page lists."""
    for user, name in ((trainer, "trainees:trainer_home"), (programme_admin, "curriculum:home")):
        client = signed_in(user)
        client.get(reverse(name))
        with django_assert_num_queries(5):
            assert client.get(reverse(name)).status_code == 200
