"""What the README promises of the demo, checked through the real selectors (not the plan).

Used by tests/test_demo_data.py on today's demo and by tests/test_seed_demo.py at awkward dates.
"""

import datetime as dt

from django.utils import timezone

from accounts.models import User
from trainees.models import (
    AssessmentResult,
    Cohort,
    Currency,
    MedicalCertificate,
    MedicalHold,
    Trainee,
    TrainingSession,
)
from trainees.progress.selectors import Pace, cohort_board, trainee_progress


def demo_trainees() -> dict[str, Trainee]:
    return {t.user.username: t for t in Trainee.objects.select_related("user", "cohort")}


def progress_by_record(demo):
    return {name: trainee_progress(trainee=t) for name, t in demo.items()}


def progress_by_board(demo):
    """As the cohort boards show it: every cohort's trainees at once, as the admin sees them."""
    admin = User.objects.get(username="admin")
    return {
        row.progress.trainee.user.username: row.progress
        for cohort in Cohort.objects.all()
        for row in cohort_board(cohort=cohort, user=admin).rows
    }


def assert_every_promised_state(demo, progress):
    """The README's personas, as the records say on the day the demo was seeded."""
    today = timezone.localdate()
    assert set(progress) == set(demo)
    ready = [n for n, p in progress.items() if p.readiness.ready]
    assert "yangbo" in ready
    assert not progress["xuning"].readiness.ready
    on_hold = [n for n, p in progress.items() if p.readiness.medical_hold]
    assert on_hold == ["gaoyan"]
    paces = {n: p.pace for n, p in progress.items()}
    assert [n for n, pace in paces.items() if pace == Pace.BEHIND] == ["hamza"]
    assert paces["wangfang"] == paces["liuchen"] == Pace.ON_TRACK
    expiring = {
        s.qualification.code: s
        for s in progress["trainee"].qualifications
        if s.currency == Currency.EXPIRING
    }
    # Ayesha's fire-drill currency expires within days.
    assert 0 < (expiring["Q-FIRE"].grant.expires_on - today).days <= 7
    expired = [
        n
        for n, p in progress.items()
        if any(s.currency == Currency.EXPIRED for s in p.qualifications)
    ]
    assert expired == ["xuning"]
    assert demo["tanghui"].status == Trainee.Status.FLIGHT_ASSIGNED
    assert demo["tanghui"].status_changes.count() == 2
    results = list(
        AssessmentResult.objects.filter(trainee=demo["trainee"], definition__code="SO-201-WE")
        .order_by("attempt")
        .values_list("attempt", "passed")
    )
    assert results == [(1, False), (2, True)]
    hold = MedicalHold.objects.get(trainee=demo["trainee2"])
    assert not hold.is_open
    fitness = MedicalCertificate.objects.get(
        trainee=demo["wangfang"], kind=MedicalCertificate.Kind.FITNESS
    )
    assert today < fitness.expires_on <= today + dt.timedelta(days=31)
    now = timezone.now()
    for cohort in Cohort.objects.all():
        # Each demo trainer has something on their training floor in the coming two weeks.
        assert cohort.sessions.filter(
            status="scheduled", starts_at__gt=now, starts_at__lt=now + dt.timedelta(days=14)
        ).exists(), cohort
    # Yesterday's extra run, held and waiting to be logged: the first thing on trainer's floor.
    waiting = TrainingSession.objects.get(
        status="scheduled", ends_at__lt=now, notes__startswith="Extra practice"
    )
    assert timezone.localdate(waiting.starts_at) == today - dt.timedelta(days=1)
