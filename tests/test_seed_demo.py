import datetime as dt
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import Role, User
from curriculum.models import AssessmentDefinition, Module, ProgrammeRevision
from trainees.demo import DEMO_PASSWORD, DEMO_PEOPLE
from trainees.models import (
    AssessmentResult,
    Cohort,
    Currency,
    MedicalHold,
    Trainee,
    TrainingSession,
)
from trainees.selectors import Pace, cohort_board, trainee_progress


@pytest.fixture(autouse=True)
def _development(settings):
    # pytest-django turns DEBUG off; seed_demo is for development sites.
    settings.DEBUG = True


def seed(**options):
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def test_it_creates_the_demo_people_and_prints_their_logins(db, rf):
    output = seed()
    for username in [person.username for person in DEMO_PEOPLE]:
        assert f"  {username} " in output
        user = authenticate(rf.post("/accounts/login/"), username=username, password=DEMO_PASSWORD)
        assert user is not None, username
    assert DEMO_PASSWORD in output


def test_each_demo_person_has_their_role(db):
    seed()
    roles = {user.username: user.primary_role for user in User.objects.all()}
    assert roles["admin"] == Role.PROGRAMME_ADMIN
    assert roles["trainer"] == roles["trainer2"] == Role.TRAINER
    assert roles["trainee"] == roles["trainee2"] == Role.TRAINEE
    assert roles["medic"] == Role.MEDICAL_OFFICER
    assert User.objects.get(username="operator").is_superuser
    assert not User.objects.filter(is_superuser=True).exclude(username="operator").exists()


def test_the_payload_specialist_reads_urdu(db):
    seed()
    trainee = User.objects.get(username="trainee")
    assert trainee.preferred_language == "ur"
    assert trainee.native_name == "عائشہ خان"


def counts():
    """Rows of every model of the project, history included."""
    models = [
        model
        for model in apps.get_models()
        if model._meta.app_label in {"accounts", "auth", "curriculum", "trainees"}
    ]
    return {model._meta.label: model.objects.count() for model in models}


def test_running_it_twice_gives_the_same_counts(db):
    seed()
    first = counts()
    assert first["trainees.TrainingSession"] > 80
    output = seed()
    assert "already present" in output
    assert counts() == first


def test_refresh_rebuilds_the_records_to_the_same_counts(db):
    seed()
    first = counts()
    seed(refresh=True)
    now = counts()
    records = [
        label for label in first if label.startswith("trainees.") and "Historical" not in label
    ]
    assert {label: now[label] for label in records} == {label: first[label] for label in records}


def test_it_refuses_to_run_in_production_unless_forced(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="refuses to run with DJANGO_DEBUG=0"):
        seed()
    assert not User.objects.exists()
    seed(force=True)
    assert User.objects.filter(username="trainee").exists()


@pytest.fixture
def demo(db):
    seed()
    return {t.user.username: t for t in Trainee.objects.select_related("user", "cohort")}


def test_the_curriculum_has_sixteen_modules_in_the_four_categories(demo):
    revision = ProgrammeRevision.objects.get()
    assert revision.is_published
    modules = list(revision.modules.all())
    assert len(modules) == 16
    assert {m.category for m in modules} == set(Module.Category.values)
    assert all(m.competencies.exists() for m in modules)
    assert AssessmentDefinition.objects.filter(module__revision=revision).count() >= 12
    assert set(
        AssessmentDefinition.objects.filter(module__revision=revision).values_list(
            "kind", flat=True
        )
    ) == set(AssessmentDefinition.Kind.values)
    assert revision.qualifications.filter(validity_days=90, renewed_by_module__isnull=False)


def test_the_cohorts_are_the_ones_the_programme_runs(demo):
    payload = Cohort.objects.get(name__startswith="Payload")
    assert [u.username for u in payload.trainers.all()] == ["trainer"]
    nationalities = sorted(payload.trainees.values_list("nationality", flat=True))
    assert nationalities == ["CN", "CN", "CN", "CN", "PK", "PK"]
    second = Cohort.objects.exclude(pk=payload.pk).get()
    assert [u.username for u in second.trainers.all()] == ["trainer2"]
    ayesha = demo["trainee"]
    assert ayesha.cohort == payload
    assert ayesha.crew_role == Trainee.CrewRole.PAYLOAD_SPECIALIST
    assert ayesha.user.preferred_language == "ur"
    first_session = TrainingSession.objects.order_by("starts_at").first().starts_at
    assert timezone.now() - first_session > dt.timedelta(days=85)
    for cohort in (payload, second):
        # Each demo trainer has something on their training floor in the coming two weeks.
        assert cohort.sessions.filter(
            status="scheduled",
            starts_at__gt=timezone.now(),
            starts_at__lt=timezone.now() + dt.timedelta(days=14),
        ).exists(), cohort


def _progress_by_record(demo):
    return {name: trainee_progress(trainee=t) for name, t in demo.items()}


def _progress_by_board(demo):
    """As the cohort boards show it: every cohort's trainees at once, as the admin sees them."""
    admin = User.objects.get(username="admin")
    return {
        row.progress.trainee.user.username: row.progress
        for cohort in Cohort.objects.all()
        for row in cohort_board(cohort=cohort, user=admin).rows
    }


@pytest.mark.parametrize("shown_by", [_progress_by_record, _progress_by_board])
def test_the_demo_shows_every_state_the_programme_meets(demo, shown_by):
    progress = shown_by(demo)
    assert set(progress) == set(demo)
    ready = [n for n, p in progress.items() if p.readiness.ready]
    assert "yangbo" in ready
    on_hold = [n for n, p in progress.items() if p.readiness.medical_hold]
    assert on_hold == ["gaoyan"]
    behind = [n for n, p in progress.items() if p.pace == Pace.BEHIND]
    assert behind == ["hamza"]
    expiring = [
        n
        for n, p in progress.items()
        if any(s.currency == Currency.EXPIRING for s in p.qualifications)
    ]
    assert "trainee" in expiring
    expired = [
        n
        for n, p in progress.items()
        if any(s.currency == Currency.EXPIRED for s in p.qualifications)
    ]
    assert expired == ["xuning"]
    assert not progress["xuning"].readiness.ready
    assert demo["tanghui"].status == Trainee.Status.FLIGHT_ASSIGNED
    assert demo["tanghui"].status_changes.count() == 2


def test_the_payload_specialist_failed_an_assessment_and_then_passed_it(demo):
    results = list(
        AssessmentResult.objects.filter(trainee=demo["trainee"], definition__code="SO-201-WE")
        .order_by("attempt")
        .values_list("attempt", "passed")
    )
    assert results == [(1, False), (2, True)]


def test_a_closed_hold_and_its_history_are_kept(demo):
    hold = MedicalHold.objects.get(trainee=demo["trainee2"])
    assert not hold.is_open
    assert hold.history.count() == 2
