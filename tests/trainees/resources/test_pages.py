"""The resource pages and the API's resources: who reads and who writes, a refusal kept beside
its field with what was typed, a double submit that saves once."""

import datetime as dt
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from tests.api.conftest import bearer
from trainees.models import Resource, ResourceUnavailability, TrainerAuthorisation


@pytest.fixture
def admin_client(programme_admin):
    client = Client()
    client.force_login(programme_admin)
    return client


def _signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_staff_read_the_resources_and_trainees_are_refused(world, personas):
    resource = world["resource"]
    for persona in ("trainer", "medic", "programme_admin"):
        client = _signed_in(personas[persona])
        listing = client.get(reverse("trainees:resource_list"))
        assert resource.name in listing.content.decode(), persona
        assert client.get(resource.get_absolute_url()).status_code == 200
        # Only programme admins are offered the writes.
        offered = reverse("trainees:resource_add") in listing.content.decode()
        assert offered == (persona == "programme_admin"), persona
        add = client.get(reverse("trainees:resource_add")).status_code
        assert add == (200 if persona == "programme_admin" else 403), persona
    trainee = _signed_in(personas["trainee"])
    assert trainee.get(reverse("trainees:resource_list")).status_code == 403
    assert trainee.get(resource.get_absolute_url()).status_code == 403


def test_the_nav_links_to_resources_for_staff_only(world, personas):
    link = f'href="{reverse("trainees:resource_list")}"'
    for persona in ("trainer", "medic", "programme_admin"):
        page = _signed_in(personas[persona]).get(reverse("accounts:profile"))
        assert link in page.content.decode(), persona
    page = _signed_in(personas["trainee"]).get(reverse("accounts:profile"))
    assert link not in page.content.decode()


def test_the_list_filters_by_kind(admin_client, world):
    f.ResourceFactory(name="Soyuz simulator", kind="simulator")
    page = admin_client.get(reverse("trainees:resource_list"), {"kind": "simulator"})
    assert "Soyuz simulator" in page.content.decode()
    assert world["resource"].name not in page.content.decode()


def test_a_double_submit_creates_one_resource(admin_client):
    url = reverse("trainees:resource_add")
    form = {
        "submission_key": str(uuid.uuid4()),
        "name": "Centrifuge",
        "kind": "centrifuge",
        "capacity": "1",
    }
    first = admin_client.post(url, form)
    resource = Resource.objects.get(name="Centrifuge")
    assert first["Location"] == resource.get_absolute_url()
    second = admin_client.post(url, form)
    assert second["Location"] == resource.get_absolute_url()
    assert Resource.objects.filter(name="Centrifuge").count() == 1


def test_bad_input_is_kept_beside_its_field(admin_client, world):
    url = reverse("trainees:resource_add")
    taken = admin_client.post(
        url,
        {
            "submission_key": str(uuid.uuid4()),
            "name": world["resource"].name.upper(),
            "kind": "classroom",
            "capacity": "2",
            "notes": "Second floor.",
        },
    )
    assert taken.status_code == 200
    form = taken.context["form"]
    assert "exists already" in " ".join(form.errors["name"])
    assert form["notes"].value() == "Second floor."
    too_big = admin_client.post(
        url,
        {"submission_key": str(uuid.uuid4()), "name": "Hangar", "kind": "other", "capacity": "51"},
    )
    assert "capacity" in too_big.context["form"].errors
    unknown = admin_client.post(
        url,
        {
            "submission_key": str(uuid.uuid4()),
            "name": "Pool",
            "kind": "pool",
            "capacity": "1",
            "required_qualification": "Q-NOPE",
        },
    )
    assert "required_qualification" in unknown.context["form"].errors
    assert unknown.context["form"]["required_qualification"].value() == "Q-NOPE"
    assert not Resource.objects.filter(name__in=["Hangar", "Pool"]).exists()


def test_an_admin_edits_records_a_period_and_retires(admin_client, world):
    resource = world["resource"]
    edit = admin_client.post(
        reverse("trainees:resource_edit", args=[resource.pk]),
        {
            "submission_key": str(uuid.uuid4()),
            "name": "Hall 3",
            "kind": "classroom",
            "capacity": "4",
            "notes": "",
        },
    )
    assert edit["Location"] == resource.get_absolute_url()
    resource.refresh_from_db()
    assert (resource.name, resource.capacity) == ("Hall 3", 4)

    start = (timezone.localtime() + dt.timedelta(days=3)).replace(second=0, microsecond=0)
    url = reverse("trainees:unavailability_add", args=[resource.pk])
    backwards = admin_client.post(
        url,
        {
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "reason": "Lift repair.",
        },
    )
    assert "must end after it starts" in " ".join(backwards.context["form"].errors["ends_at"])
    admin_client.post(
        url,
        {
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + dt.timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M"),
            "reason": "Lift repair.",
        },
    )
    period = ResourceUnavailability.objects.get(reason="Lift repair.")
    assert "Lift repair." in admin_client.get(resource.get_absolute_url()).content.decode()
    admin_client.post(reverse("trainees:unavailability_remove", args=[period.pk]))
    assert not ResourceUnavailability.objects.filter(pk=period.pk).exists()

    admin_client.post(reverse("trainees:resource_retire", args=[resource.pk]), {})
    resource.refresh_from_db()
    assert resource.retired_on == timezone.localdate()
    history = admin_client.get(reverse("trainees:resource_history", args=[resource.pk]))
    assert history.status_code == 200


def test_the_detail_lists_the_next_four_weeks_bookings(admin_client, world):
    resource = world["resource"]
    now = timezone.now()
    soon = f.TrainingSessionFactory(
        cohort=world["cohort_a"], starts_at=now + dt.timedelta(days=2), status="scheduled"
    )
    far = f.TrainingSessionFactory(
        cohort=world["cohort_a"], starts_at=now + dt.timedelta(days=40), status="scheduled"
    )
    soon.resources.add(resource)
    far.resources.add(resource)
    page = admin_client.get(resource.get_absolute_url())
    assert list(page.context["sessions"]) == [soon]


def test_authorisations_are_granted_and_withdrawn_by_admins_and_read_by_trainers(
    admin_client, world, personas
):
    module = world["module"]
    url = reverse("trainees:authorisation_grant")
    refused = admin_client.post(
        url,
        {
            "trainer": personas["medic"].pk,
            "programme": world["programme"].pk,
            "module_code": module.code,
            "granted_on": str(timezone.localdate()),
        },
    )
    assert "trainer" in refused.context["form"].errors
    admin_client.post(
        url,
        {
            "trainer": personas["other_trainer"].pk,
            "programme": world["programme"].pk,
            "module_code": module.code,
            "granted_on": str(timezone.localdate()),
        },
    )
    granted = TrainerAuthorisation.objects.get(trainer=personas["other_trainer"])
    trainer_page = _signed_in(personas["trainer"]).get(reverse("trainees:authorisation_list"))
    assert module.code in trainer_page.content.decode()
    assert reverse("trainees:authorisation_withdraw", args=[granted.pk]) not in (
        trainer_page.content.decode()
    )
    assert (
        _signed_in(personas["medic"]).get(reverse("trainees:authorisation_list")).status_code == 403
    )
    admin_client.post(reverse("trainees:authorisation_withdraw", args=[granted.pk]))
    granted.refresh_from_db()
    assert granted.withdrawn_on == timezone.localdate()


def test_the_api_lists_creates_changes_and_closes_resources(world, personas):
    admin = bearer(personas["programme_admin"], "write")
    listing = admin.get(reverse("api:resource_list"), {"kind": "classroom"})
    assert [r["name"] for r in listing.json()["results"]] == [world["resource"].name]
    body = {"name": "Pool", "kind": "pool", "capacity": 1, "key": str(uuid.uuid4())}
    made = admin.post(reverse("api:resource_list"), body, content_type="application/json")
    assert made.status_code == 201, made.content
    again = admin.post(reverse("api:resource_list"), body, content_type="application/json")
    assert (again.status_code, again.json()["id"]) == (200, made.json()["id"])
    assert Resource.objects.filter(name="Pool").count() == 1

    detail = reverse("api:resource_detail", args=[made.json()["id"]])
    too_big = admin.patch(detail, {"capacity": 51}, content_type="application/json")
    assert too_big.status_code == 400
    nul = admin.patch(detail, {"notes": "a\x00b"}, content_type="application/json")
    assert nul.status_code == 400
    changed = admin.patch(detail, {"capacity": 2}, content_type="application/json")
    assert (changed.status_code, changed.json()["capacity"]) == (200, 2)

    starts = timezone.now() + dt.timedelta(days=5)
    period = admin.post(
        reverse("api:resource_unavailable", args=[made.json()["id"]]),
        {
            "starts_at": starts.isoformat(),
            "ends_at": (starts + dt.timedelta(hours=3)).isoformat(),
            "reason": "Filter change.",
        },
        content_type="application/json",
    )
    assert period.status_code == 201, period.content
    trainer = bearer(personas["trainer"], "write")
    assert trainer.get(detail).status_code == 200
    assert (
        trainer.patch(detail, {"capacity": 3}, content_type="application/json").status_code == 403
    )
