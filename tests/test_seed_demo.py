from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from accounts.models import Role, User
from trainees.demo import DEMO_PASSWORD


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
    for username in ["admin", "trainer", "trainer2", "trainee", "trainee2", "medic", "operator"]:
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


def test_running_it_twice_gives_the_same_counts(db):
    seed()
    counts = (User.objects.count(), User.groups.through.objects.count())
    seed()
    assert (User.objects.count(), User.groups.through.objects.count()) == counts


def test_it_refuses_to_run_in_production_unless_forced(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="refuses to run with DJANGO_DEBUG=0"):
        seed()
    assert not User.objects.exists()
    seed(force=True)
    assert User.objects.filter(username="trainee").exists()
