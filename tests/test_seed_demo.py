import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from accounts.models import User
from demo.seed import DEMO_PASSWORD, DEMO_PEOPLE
from tests.demo_checks import assert_every_promised_state, demo_trainees, progress_by_record


@pytest.fixture(autouse=True)
def _development(settings):
    # pytest-django turns DEBUG off; seed_demo is for development sites.
    settings.DEBUG = True


def seed(**options):
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def counts():
    """Rows of every model of the project, history included."""
    models = [
        model
        for model in apps.get_models()
        if model._meta.app_label in {"accounts", "auth", "curriculum", "trainees"}
    ]
    return {model._meta.label: model.objects.count() for model in models}


def test_it_refuses_production_then_seeds_once_and_refreshes_to_the_same_counts(db, rf, settings):
    """One seed for the command's whole life (a seed is seconds of CPU, more on PostgreSQL):
    refused in production unless forced; forced, it creates the demo people and prints their
    logins; run again it leaves what is present alone; a refresh rebuilds the records to the
    same counts."""
    settings.DEBUG = False
    with pytest.raises(CommandError, match="refuses to run with DJANGO_DEBUG=0"):
        seed()
    assert not User.objects.exists()
    output = seed(force=True)
    for username in [person.username for person in DEMO_PEOPLE]:
        assert f"  {username} " in output
        user = authenticate(rf.post("/accounts/login/"), username=username, password=DEMO_PASSWORD)
        assert user is not None, username
    assert DEMO_PASSWORD in output

    settings.DEBUG = True
    first = counts()
    assert first["trainees.TrainingSession"] > 80
    assert "already present" in seed()
    assert counts() == first

    seed(refresh=True)
    now = counts()
    records = [
        label for label in first if label.startswith("trainees.") and "Historical" not in label
    ]
    assert {label: now[label] for label in records} == {label: first[label] for label in records}


# Awkward days: a month's end that is also a Sunday, 29 February, New Year's Eve, and the days
# on which the old demo broke (its records placed before their prerequisites).
SHANGHAI = ZoneInfo("Asia/Shanghai")  # the site's zone (settings.TIME_ZONE)
AWKWARD_DAYS = [
    dt.datetime(2027, 1, 31, 23, 30, tzinfo=SHANGHAI),
    dt.datetime(2028, 2, 29, 9, 5, tzinfo=SHANGHAI),
    dt.datetime(2026, 12, 31, 13, 0, tzinfo=SHANGHAI),
    dt.datetime(2026, 12, 5, 7, 0, tzinfo=SHANGHAI),
    dt.datetime(2026, 12, 10, 18, 0, tzinfo=SHANGHAI),
]


# What the demo promises on a day is the dates' doing, not the database's (the seed itself runs
# on PostgreSQL above): .ci/run's PostgreSQL pass leaves these out.
@pytest.mark.same_on_any_database
@pytest.mark.parametrize("moment", AWKWARD_DAYS, ids=lambda m: m.date().isoformat())
def test_the_promised_states_hold_on_awkward_days(db, moment):
    with time_machine.travel(moment):
        seed()
        demo = demo_trainees()
        assert_every_promised_state(demo, progress_by_record(demo))
