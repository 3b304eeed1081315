"""The demo trainer, on a phone, schedules a session in the pool while the second cohort has it:
the form says the pool is taken, by which session and when, beside the resources, and keeps
what was typed (issue 28)."""

import datetime as dt

from playwright.sync_api import expect

from accounts.models import User
from demo.seed import DEMO_PASSWORD
from tests.e2e.conftest import PHONE
from trainees.models import Resource, TrainingSession


def test_the_trainer_is_told_the_pool_is_taken_and_by_what_at_phone_width(
    page, live_server, demo, console_errors
):
    pool = Resource.objects.get(name="Neutral buoyancy pool")
    theirs = TrainingSession.objects.filter(cohort__trainers__username="trainer2").first()
    # The second cohort's pool session, a fortnight ahead at 09:00 in the trainer's zone.
    trainer2 = theirs.cohort.trainers.get()
    day = dt.datetime.now(trainer2.time_zone).date() + dt.timedelta(days=15)
    starts = dt.datetime.combine(day, dt.time(9), tzinfo=trainer2.time_zone)
    taken = TrainingSession.objects.create(
        cohort=theirs.cohort,
        module=theirs.module,
        trainer=trainer2,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=3),
        status="scheduled",
    )
    taken.resources.set([pool])

    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("trainer")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Schedule a session").first.click()

    page.get_by_label("Module").select_option(index=1)
    # The trainer's own clock may differ from the second trainer's: type theirs, an hour in.
    local = (starts + dt.timedelta(hours=1)).astimezone(
        User.objects.get(username="trainer").time_zone
    )
    page.get_by_label("Starts").fill(local.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Ends").fill((local + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Neutral buoyancy pool").check()
    page.get_by_label("Notes").fill("Suit familiarisation, lane 2")
    page.get_by_role("button", name="Schedule", exact=True).click()

    refusal = page.locator("#div_id_resources")
    expect(refusal).to_contain_text("Neutral buoyancy pool is booked for")
    expect(refusal).to_contain_text(taken.module.code)
    expect(refusal).to_contain_text(taken.cohort.name)
    # Nothing was saved, and the input is kept.
    expect(page.get_by_label("Notes")).to_have_value("Suit familiarisation, lane 2")
    expect(page.get_by_label("Neutral buoyancy pool")).to_be_checked()
    assert TrainingSession.objects.filter(notes="Suit familiarisation, lane 2").count() == 0
    # The message fits the phone: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert console_errors == []
