"""seed_demo --scale N: the benchmark's data, built with bulk inserts, the same on every run."""

import hashlib
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import connection
from django.db.models import Count

from accounts.models import Role, User
from demo import plan as demo_plan
from demo import scale as demo_scale
from demo.scale import BIG_COHORT, SCALE_PROGRAMME_CODE, SCALE_TRAINER
from demo.seed import DEMO_PASSWORD
from trainees.models import (
    AssessmentResult,
    Cohort,
    CompetencyGrade,
    Measurement,
    SessionAttendance,
    Trainee,
)
from trainees.progress.selectors import cohort_board

# Two tests, 5% of the whole suite's time (seed_demo --scale): in `make test` and CI, not in
# `make test-fast`.
pytestmark = pytest.mark.slow

# The full size is half a minute of bulk inserts: built on PostgreSQL, where bench/run builds it
# (CI's second pass). The smaller build below runs the same code on both databases.
FULL_SIZE_ON_POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the full scale data is built on PostgreSQL (CI's second pass), as bench/run does",
)


@pytest.fixture(autouse=True)
def _development(settings):
    settings.DEBUG = True


def seed(**options):
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def fingerprint() -> str:
    """What was built, ids aside: who attended what how, and every grade and score."""
    rows = [
        *SessionAttendance.objects.filter(
            trainee__cohort__revision__programme__code=SCALE_PROGRAMME_CODE
        )
        .order_by("trainee__user__username", "session__starts_at")
        .values_list(
            "trainee__user__username", "session__starts_at", "attendance", "hours_credited"
        ),
        *CompetencyGrade.objects.filter(attendance__trainee__user__username__startswith="scale-")
        .order_by(
            "attendance__trainee__user__username",
            "attendance__session__starts_at",
            "competency__code",
        )
        .values_list("attendance__trainee__user__username", "competency__code", "grade"),
        *AssessmentResult.objects.filter(trainee__user__username__startswith="scale-")
        .order_by("trainee__user__username", "taken_at")
        .values_list("trainee__user__username", "definition__code", "score", "passed"),
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


@FULL_SIZE_ON_POSTGRESQL
def test_it_builds_sixty_modules_cohorts_of_20_and_100_with_a_year_each(db, rf):
    output = seed(scale=1)
    assert "Scale data built: 1 cohorts of 20 and one of 100." in output
    cohorts = dict(
        Cohort.objects.filter(revision__programme__code=SCALE_PROGRAMME_CODE)
        .annotate(n=Count("trainees"))
        .values_list("name", "n")
    )
    assert cohorts == {"Scale cohort 01": 20, BIG_COHORT: 100}
    big = Cohort.objects.get(name=BIG_COHORT)
    assert big.revision.modules.count() == 60
    assert big.revision.is_published
    per_trainee = (
        Trainee.objects.filter(cohort__revision=big.revision)
        .annotate(n=Count("attendances"))
        .values_list("n", flat=True)
    )
    assert 240 <= min(per_trainee) <= max(per_trainee) <= 260
    trainee = Trainee.objects.filter(cohort=big).first()
    assert CompetencyGrade.objects.filter(attendance__trainee=trainee).count() > 400
    assert AssessmentResult.objects.filter(trainee=trainee).count() >= 10  # 20 examinations
    assert Measurement.objects.filter(trainee=trainee).count() > 100
    # The records carry their history, as those made through the services do.
    assert SessionAttendance.history.filter(trainee_id=trainee.pk).count() == 250
    # The demo's own people still sign in, and so do the scale's.
    for username in ("trainee", "trainer", trainee.user.username, SCALE_TRAINER):
        request = rf.post("/accounts/login/")
        assert authenticate(request, username=username, password=DEMO_PASSWORD), username
    assert trainee.user.primary_role == Role.TRAINEE
    trainer = User.objects.get(username=SCALE_TRAINER)
    board = cohort_board(cohort=big, user=trainer)
    assert len(board.rows) == 100
    assert len(board.modules) == 60


def test_it_builds_the_same_records_again_and_leaves_them_alone_when_present(db, monkeypatch):
    # A quarter of a year (the plan spreads the sixty modules over it), one session a module and
    # cohorts of 3 and 6: the same code paths, and a refresh (which deletes with history, row by
    # row) stays within seconds. The test above builds the full size, on PostgreSQL.
    monkeypatch.setattr(demo_plan, "SCALE_WEEKS", 13)
    monkeypatch.setattr(demo_scale, "SESSIONS_PER_MODULE", 1)
    monkeypatch.setattr(demo_scale, "COHORT_SIZE", 3)
    monkeypatch.setattr(demo_scale, "BIG_COHORT_SIZE", 6)
    seed(scale=1)
    first = fingerprint()
    assert "Scale data already present" in seed(scale=1)
    assert fingerprint() == first
    seed(scale=1, refresh=True)
    assert fingerprint() == first
    assert Trainee.objects.filter(user__username__startswith="scale-").count() == 9
