"""The demo as seeded today, read by several tests: seeded once for the module."""

import datetime as dt

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from accounts.models import Role, User
from curriculum.models import AssessmentDefinition, Module, ProgrammeRevision
from tests.demo_checks import (
    assert_every_promised_state,
    demo_trainees,
    progress_by_board,
    progress_by_record,
)
from tests.test_seed_demo import seed
from trainees.models import Cohort, MedicalHold, Trainee, TrainingSession


@pytest.fixture(scope="module")
def _seeded(django_db_setup, django_db_blocker):
    """The demo seeded once for this module's read-only tests, rolled back after them."""
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(DEBUG=True, PASSWORD_HASHERS=fast, PROGRESS_CACHE=False),
        transaction.atomic(),
    ):
        seed()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(_seeded, db):
    return demo_trainees()


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


@pytest.mark.parametrize("shown_by", [progress_by_record, progress_by_board])
def test_the_demo_shows_every_state_the_programme_meets(demo, shown_by):
    assert_every_promised_state(demo, shown_by(demo))


def test_a_closed_hold_and_its_history_are_kept(demo):
    hold = MedicalHold.objects.get(trainee=demo["trainee2"])
    assert not hold.is_open
    assert hold.history.count() == 2


def test_each_demo_person_has_their_role(demo):
    roles = {user.username: user.primary_role for user in User.objects.all()}
    assert roles["admin"] == Role.PROGRAMME_ADMIN
    assert roles["trainer"] == roles["trainer2"] == Role.TRAINER
    assert roles["trainee"] == roles["trainee2"] == Role.TRAINEE
    assert roles["medic"] == Role.MEDICAL_OFFICER
    assert User.objects.get(username="operator").is_superuser
    assert not User.objects.filter(is_superuser=True).exclude(username="operator").exists()


def test_the_payload_specialist_reads_urdu(demo):
    trainee = User.objects.get(username="trainee")
    assert trainee.preferred_language == "ur"
    assert trainee.native_name == "عائشہ خان"
