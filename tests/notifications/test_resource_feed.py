"""A resource's calendar feed: its bookings under the subscriber's calendar token, for the staff
who may read the resource; a revoked token, a trainee's, a made-up resource: not found."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from notifications.models import CalendarToken
from tests import factories as f

NOW = dt.datetime(2026, 12, 31, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def hall(world):
    """The world's hall booked by a session of each cohort and a cancelled one of cohort A."""
    hall = world["resource"]
    own = f.TrainingSessionFactory(
        cohort=world["cohort_a"],
        trainer=world["cohort_a"].trainers.get(),
        starts_at=NOW + dt.timedelta(days=1),
        ends_at=NOW + dt.timedelta(days=1, hours=2),
        status="scheduled",
    )
    other = f.TrainingSessionFactory(
        cohort=world["cohort_b"],
        trainer=world["cohort_b"].trainers.get(),
        starts_at=NOW + dt.timedelta(days=2),
        ends_at=NOW + dt.timedelta(days=2, hours=2),
        status="scheduled",
    )
    cancelled = f.TrainingSessionFactory(
        cohort=world["cohort_a"],
        trainer=world["cohort_a"].trainers.get(),
        starts_at=NOW + dt.timedelta(days=3),
        status="cancelled",
        cancellation_reason="Flooded.",
    )
    long_ago = f.TrainingSessionFactory(
        cohort=world["cohort_a"],
        trainer=world["cohort_a"].trainers.get(),
        starts_at=NOW - dt.timedelta(days=120),
    )
    for session in (own, other, cancelled, long_ago):
        session.resources.add(hall)
    return {"own": own, "other": other, "cancelled": cancelled, "long_ago": long_ago}


def feed(token: str, resource) -> object:
    return Client().get(reverse("resource_calendar_feed", args=[token, resource.pk]))


def events(response) -> dict:
    return {str(e["UID"]): e for e in Calendar.from_ical(response.content).walk("VEVENT")}


def uid(session, resource) -> str:
    return f"session-{session.pk}-resource-{resource.pk}@127.0.0.1"


def test_it_holds_every_booking_of_the_resource_cancelled_ones_marked(world, trainer, hall):
    resource = world["resource"]
    response = feed(CalendarToken.objects.create(user=trainer).token, resource)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    found = events(response)
    assert set(found) == {uid(hall[key], resource) for key in ("own", "other", "cancelled")}
    own = found[uid(hall["own"], resource)]
    assert str(own["STATUS"]) == "CONFIRMED"
    assert str(own["LOCATION"]) == "Hall 2"
    assert str(own["URL"]).endswith(reverse("trainees:session_detail", args=[hall["own"].pk]))
    assert str(found[uid(hall["cancelled"], resource)]["STATUS"]) == "CANCELLED"
    # Cohort B's booking: the hall is taken, but the trainer may not open the session.
    assert "URL" not in found[uid(hall["other"], resource)]
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["X-WR-CALNAME"]) == "Bookings: Hall 2"


def test_a_moved_session_moves_in_the_feed(world, trainer, hall):
    resource, session = world["resource"], hall["own"]
    token = CalendarToken.objects.create(user=trainer).token
    later = session.starts_at + dt.timedelta(hours=5)
    session.starts_at, session.ends_at = later, later + dt.timedelta(hours=2)
    session.save()
    moved = events(feed(token, resource))[uid(session, resource)]
    assert moved.decoded("DTSTART") == later


@pytest.mark.parametrize("persona", ["medic", "programme_admin", "other_trainer"])
def test_the_staff_subscribe(world, personas, hall, persona):
    token = CalendarToken.objects.create(user=personas[persona]).token
    assert feed(token, world["resource"]).status_code == 200


def test_a_trainee_a_revoked_token_and_an_unknown_resource_are_not_found(
    world, trainee, trainer, hall
):
    resource = world["resource"]
    assert feed(CalendarToken.objects.create(user=trainee).token, resource).status_code == 404
    token = CalendarToken.objects.create(user=trainer)
    assert feed(token.token, resource).status_code == 200
    assert Client().get(f"/calendar/{token.token}/resources/999999.ics").status_code == 404
    token.revoked_at = timezone.now()
    token.save()
    assert feed(token.token, resource).status_code == 404
    trainer.is_active = False
    trainer.save()
    fresh = CalendarToken.objects.create(user=trainer).token
    assert feed(fresh, resource).status_code == 404


def test_the_resource_page_offers_the_feed(world, trainer):
    resource = world["resource"]
    client = Client()
    client.force_login(trainer)
    page = reverse("trainees:resource_detail", args=[resource.pk])
    assert reverse("accounts:profile") in client.get(page).content.decode()
    token = CalendarToken.objects.create(user=trainer).token
    html = client.get(page).content.decode()
    assert reverse("resource_calendar_feed", args=[token, resource.pk]) in html
    assert "Subscribe" in html
