"""The resource services: each refusal names what is in the way, and the booking rows follow a
change of capacity."""

import datetime as dt
import uuid

import pytest
import time_machine
from django.core.exceptions import ValidationError

from tests import factories as f
from trainees.models import Resource, ResourceUnavailability, SessionResource, TrainerAuthorisation
from trainees.resources import services
from trainees.services import AlreadySubmitted

NOW = dt.datetime(2031, 5, 12, 8, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def fixed_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def hall(programme_admin):
    return services.resource_save(
        resource=None, name="Hall 2", kind="classroom", capacity=3, by=programme_admin
    )


def _booked(resource, *, hours_from_now: int, hours: int = 2, status="scheduled"):
    session = f.TrainingSessionFactory(
        starts_at=NOW + dt.timedelta(hours=hours_from_now),
        ends_at=NOW + dt.timedelta(hours=hours_from_now + hours),
        status=status,
        cancellation_reason="Weather." if status == "cancelled" else "",
    )
    session.resources.add(resource)
    return session


def _messages(error: ValidationError, field: str) -> str:
    return " ".join(error.value.message_dict[field])


def test_it_adds_a_resource_once_for_a_key_sent_twice(programme_admin):
    key = uuid.uuid4()
    fields = {"resource": None, "name": "Pool", "kind": "pool", "capacity": 1}
    pool = services.resource_save(**fields, by=programme_admin, key=key)
    with pytest.raises(AlreadySubmitted) as done:
        services.resource_save(**fields, by=programme_admin, key=key)
    assert done.value.target == pool.get_absolute_url()
    assert Resource.objects.count() == 1


def test_it_refuses_a_name_taken_in_another_case_beside_the_name(programme_admin, hall):
    with pytest.raises(ValidationError) as refused:
        services.resource_save(
            resource=None, name="  hall 2 ", kind="other", capacity=1, by=programme_admin
        )
    assert "exists already" in _messages(refused, "name")


def test_it_refuses_an_unknown_qualification_and_takes_a_known_one(programme_admin, hall):
    qualification = f.QualificationFactory(code="Q-WATER")
    with pytest.raises(ValidationError) as refused:
        services.resource_save(
            resource=hall,
            name=hall.name,
            kind=hall.kind,
            capacity=hall.capacity,
            required_qualification="Q-NONE",
            by=programme_admin,
        )
    assert "No qualification" in _messages(refused, "required_qualification")
    saved = services.resource_save(
        resource=hall,
        name=hall.name,
        kind=hall.kind,
        capacity=hall.capacity,
        required_qualification=qualification.code,
        by=programme_admin,
    )
    assert saved.required_qualification == "Q-WATER"


def test_it_refuses_a_capacity_below_the_most_booked_at_once_naming_the_sessions(
    programme_admin, hall
):
    first = _booked(hall, hours_from_now=1)
    second = _booked(hall, hours_from_now=2)  # overlaps the first
    _booked(hall, hours_from_now=3)  # starts as the first ends: two at once, never three
    kwargs = {"resource": hall, "name": hall.name, "kind": hall.kind, "by": programme_admin}
    with pytest.raises(ValidationError) as refused:
        services.resource_save(**kwargs, capacity=1)
    named = _messages(refused, "capacity")
    assert first.module.code in named and second.cohort.name in named
    hall.refresh_from_db()
    assert hall.capacity == 3
    assert services.resource_save(**kwargs, capacity=2).capacity == 2
    assert not SessionResource.objects.filter(resource=hall, exclusive=True).exists()


def test_sessions_over_count_only_when_the_capacity_goes_to_one(programme_admin, hall):
    # Two sessions of the past, still scheduled (not logged), at once: the database's
    # one-at-a-time constraint would read them, so going to 1 is refused; to 2 is not refused
    # by past sessions.
    _booked(hall, hours_from_now=-30)
    _booked(hall, hours_from_now=-29)
    kwargs = {"resource": hall, "name": hall.name, "kind": hall.kind, "by": programme_admin}
    with pytest.raises(ValidationError):
        services.resource_save(**kwargs, capacity=1)
    _booked(hall, hours_from_now=5, status="cancelled")
    assert services.resource_save(**kwargs, capacity=2).capacity == 2


def test_going_to_one_session_at_a_time_marks_the_booking_rows_exclusive(programme_admin, hall):
    session = _booked(hall, hours_from_now=1)
    later = _booked(hall, hours_from_now=10)
    kwargs = {"resource": hall, "name": hall.name, "kind": hall.kind, "by": programme_admin}
    services.resource_save(**kwargs, capacity=1)
    rows = SessionResource.objects.filter(resource=hall)
    assert {row.session_id for row in rows.filter(exclusive=True)} == {session.pk, later.pk}
    services.resource_save(**kwargs, capacity=4)
    assert not rows.filter(exclusive=True).exists()


def test_it_refuses_an_unavailable_period_over_booked_sessions_naming_them(programme_admin, hall):
    session = _booked(hall, hours_from_now=24)
    with pytest.raises(ValidationError) as refused:
        services.unavailability_add(
            resource=hall,
            starts_at=NOW + dt.timedelta(hours=25),
            ends_at=NOW + dt.timedelta(hours=48),
            reason="Repainting.",
            by=programme_admin,
        )
    assert session.module.code in _messages(refused, "starts_at")
    # From the session's end on, it is free.
    period = services.unavailability_add(
        resource=hall,
        starts_at=session.ends_at,
        ends_at=NOW + dt.timedelta(hours=48),
        reason="Repainting.",
        by=programme_admin,
    )
    assert period.recorded_by == programme_admin
    services.unavailability_remove(period=period, by=programme_admin)
    assert not ResourceUnavailability.objects.exists()


def test_a_period_that_is_over_stays(programme_admin, hall):
    period = services.unavailability_add(
        resource=hall,
        starts_at=NOW - dt.timedelta(days=3),
        ends_at=NOW - dt.timedelta(days=2),
        reason="Inspection.",
        by=programme_admin,
    )
    with pytest.raises(ValidationError, match="over"):
        services.unavailability_remove(period=period, by=programme_admin)


def test_retiring_is_refused_while_sessions_to_come_book_it(programme_admin, hall):
    session = _booked(hall, hours_from_now=3)
    with pytest.raises(ValidationError) as refused:
        services.resource_retire(resource=hall, by=programme_admin)
    assert session.module.code in " ".join(refused.value.messages)
    session.status, session.cancellation_reason = "cancelled", "Weather."
    session.save()
    retired = services.resource_retire(resource=hall, by=programme_admin)
    assert retired.retired_on == NOW.date()
    with pytest.raises(ValidationError, match="retired already"):
        services.resource_retire(resource=hall, by=programme_admin)


def test_an_authorisation_is_a_trainers_for_a_module_code_of_the_programme(
    programme_admin, trainer, medic
):
    module = f.ModuleFactory(code="RBT-1")
    programme = module.revision.programme
    grant = {"programme": programme, "granted_on": NOW.date(), "by": programme_admin}
    with pytest.raises(ValidationError) as refused:
        services.authorisation_grant(trainer=medic, module_code="RBT-1", **grant)
    assert "Only a trainer" in _messages(refused, "trainer")
    with pytest.raises(ValidationError) as refused:
        services.authorisation_grant(trainer=trainer, module_code="EVA-9", **grant)
    assert "no module of this code" in _messages(refused, "module_code")

    standing = services.authorisation_grant(trainer=trainer, module_code="RBT-1", **grant)
    with pytest.raises(ValidationError) as refused:
        services.authorisation_grant(trainer=trainer, module_code="RBT-1", **grant)
    assert "withdraw it first" in _messages(refused, "trainer")

    withdrawn = services.authorisation_withdraw(authorisation=standing, by=programme_admin)
    assert withdrawn.withdrawn_on == NOW.date()
    assert not withdrawn.current_on(NOW.date())
    with pytest.raises(ValidationError, match="withdrawn already"):
        services.authorisation_withdraw(authorisation=withdrawn, by=programme_admin)
    # Withdrawn, another may be granted.
    services.authorisation_grant(trainer=trainer, module_code="RBT-1", **grant)
    assert TrainerAuthorisation.objects.filter(trainer=trainer).count() == 2


def test_an_authorisation_withdrawn_before_it_starts_never_was_current(programme_admin, trainer):
    module = f.ModuleFactory(code="RBT-2")
    ahead = NOW.date() + dt.timedelta(days=10)
    authorisation = services.authorisation_grant(
        trainer=trainer,
        programme=module.revision.programme,
        module_code="RBT-2",
        granted_on=ahead,
        by=programme_admin,
    )
    withdrawn = services.authorisation_withdraw(authorisation=authorisation, by=programme_admin)
    assert withdrawn.withdrawn_on == ahead
    assert not withdrawn.current_on(ahead)
