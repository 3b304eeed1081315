"""No trainer, trainee or one-session resource booked twice (issue 28): the service refuses each
kind of clash on both databases, naming who or what, which session and when; PostgreSQL's
exclusion constraints refuse them even when the service is bypassed; of two processes booking
the same simulator at the same moment exactly one wins; readiness warnings stop a trainer and
let a programme admin go on with a reason the history keeps."""

import datetime as dt
import multiprocessing
import sqlite3
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests import factories as f
from trainees.models import QualificationGrant, ResourceUnavailability, TrainingSession
from trainees.sessions.bookings import booking_clashes
from trainees.sessions.services import SchedulingWarnings, session_reschedule, session_schedule

POSTGRES = connection.vendor == "postgresql"
# A fixed hour well ahead, whatever today is: nothing here depends on the clock's hour.
AHEAD = dt.timedelta(days=20)


def _at(hour: int, *, day: int = 0) -> dt.datetime:
    base = timezone.localtime(timezone.now() + AHEAD + dt.timedelta(days=day))
    return base.replace(hour=hour, minute=0, second=0, microsecond=0)


@pytest.fixture
def crew(world, personas):
    """Two trainees of cohort A fit to train (trainee_a is on a medical hold)."""
    return [f.TraineeFactory(cohort=world["cohort_a"]) for _ in range(2)]


def _schedule(world, personas, *, trainees=(), resources=(), start=10, hours=2, day=0, **kwargs):
    return session_schedule(
        cohort=kwargs.pop("cohort", world["cohort_a"]),
        module=world["module"],
        trainer=kwargs.pop("trainer", personas["trainer"]),
        starts_at=_at(start, day=day),
        ends_at=_at(start, day=day) + dt.timedelta(hours=hours),
        resources=list(resources),
        trainees=list(trainees),
        by=kwargs.pop("by", personas["trainer"]),
        key=uuid.uuid4(),
        **kwargs,
    )


def _refusal(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as refused:
        call()
    return refused.value.message_dict


# The service, on both databases ---------------------------------------------------------------


def test_a_trainer_in_two_sessions_at_once_is_refused_naming_the_other(world, personas):
    first = _schedule(world, personas, start=10)
    errors = _refusal(lambda: _schedule(world, personas, start=11))
    assert "trainer" in errors, errors
    (message,) = errors["trainer"]
    assert str(personas["trainer"]) in message
    assert first.module.code in message and "leads" in message
    assert TrainingSession.objects.filter(status="scheduled", trainer=personas["trainer"]).count()


def test_a_trainee_in_two_sessions_at_once_is_refused_naming_them(world, personas, crew):
    _schedule(world, personas, trainees=crew[:1], start=10)
    errors = _refusal(
        lambda: _schedule(
            world, personas, trainees=crew, start=11, trainer=personas["programme_admin"]
        )
    )
    (message,) = errors["trainees"]
    assert crew[0].user.display_name in message and "expected at" in message


def test_a_one_session_resource_booked_twice_is_refused_naming_the_session(world, personas):
    pool = f.ResourceFactory(name="Neutral buoyancy pool", kind="pool")
    first = _schedule(world, personas, resources=[pool], start=9, hours=3)
    errors = _refusal(
        lambda: _schedule(
            world,
            personas,
            resources=[pool],
            start=11,
            cohort=world["cohort_b"],
            trainer=personas["other_trainer"],
            by=personas["other_trainer"],
        )
    )
    (message,) = errors["resources"]
    assert message.startswith("Neutral buoyancy pool is booked for")
    assert first.module.code in message and first.cohort.name in message


def test_a_hall_takes_as_many_sessions_as_its_capacity(world, personas):
    hall = f.ResourceFactory(name="Lecture hall", kind="classroom", capacity=2)
    _schedule(world, personas, resources=[hall], start=9)
    _schedule(
        world,
        personas,
        resources=[hall],
        start=10,
        cohort=world["cohort_b"],
        trainer=personas["other_trainer"],
        by=personas["other_trainer"],
    )
    # 09-11 and 10-12 overlap from 10 to 11: a third at 10:30 makes three at once; at 11 two.
    admin = personas["programme_admin"]
    errors = _refusal(lambda: _schedule(world, personas, resources=[hall], start=10, trainer=admin))
    assert len(errors["resources"]) == 2
    third = _schedule(world, personas, resources=[hall], start=11, hours=1, trainer=admin)
    assert list(third.resources.all()) == [hall]


def test_an_unavailable_period_refuses_a_booking(world, personas):
    centrifuge = f.ResourceFactory(name="Centrifuge", kind="centrifuge")
    ResourceUnavailability.objects.create(
        resource=centrifuge,
        starts_at=_at(8),
        ends_at=_at(12),
        reason="Annual inspection",
        recorded_by=personas["programme_admin"],
    )
    errors = _refusal(lambda: _schedule(world, personas, resources=[centrifuge], start=11))
    (message,) = errors["resources"]
    assert "Centrifuge is unavailable" in message and "Annual inspection" in message
    assert _schedule(world, personas, resources=[centrifuge], start=12).pk


def test_back_to_back_sessions_do_not_clash_and_a_cancelled_one_frees_its_time(
    world, personas, crew
):
    pool = f.ResourceFactory(kind="pool")
    first = _schedule(world, personas, trainees=crew, resources=[pool], start=8)
    _schedule(world, personas, trainees=crew, resources=[pool], start=10)
    first.status, first.cancellation_reason = "cancelled", "Weather"
    first.save()
    again = _schedule(world, personas, trainees=crew, resources=[pool], start=8)
    assert again.pk


def test_moving_a_session_onto_another_is_refused_and_nothing_moves(world, personas):
    pool = f.ResourceFactory(kind="pool")
    fixed = _schedule(world, personas, resources=[pool], start=8)
    moving = _schedule(
        world,
        personas,
        resources=[pool],
        start=14,
        cohort=world["cohort_b"],
        trainer=personas["other_trainer"],
        by=personas["other_trainer"],
    )
    errors = _refusal(
        lambda: session_reschedule(
            session=moving,
            version=moving.version,
            module=moving.module,
            starts_at=fixed.starts_at,
            ends_at=fixed.ends_at,
            resources=[pool],
            trainees=[],
            notes="",
            by=personas["other_trainer"],
        )
    )
    assert "resources" in errors
    moving.refresh_from_db()
    assert moving.starts_at == _at(14) and moving.version == 1


def test_the_clash_check_costs_the_same_whatever_the_history(world, personas, crew):
    pool = f.ResourceFactory(kind="pool")

    def cost():
        with CaptureQueriesContext(connection) as queries:
            booking_clashes(
                session=None,
                trainer=personas["trainer"],
                starts_at=_at(6, day=60),
                ends_at=_at(7, day=60),
                trainees=crew,
                resources=[pool],
            )
        return len(queries)

    small = cost()
    for day in range(-15, 15):  # a month of the same people and pool, none in the way
        _schedule(world, personas, trainees=crew, resources=[pool], start=9, day=day)
    assert cost() == small == 4


# The database, when the service is bypassed ---------------------------------------------------

needs_postgres = pytest.mark.skipif(
    not POSTGRES, reason="SQLite has no exclusion constraints: the service refuses (above)"
)


@needs_postgres
def test_postgres_refuses_a_trainer_booked_twice_without_the_service(world, personas):
    first = _schedule(world, personas, start=10)
    with pytest.raises(IntegrityError), transaction.atomic():
        TrainingSession.objects.create(
            cohort=world["cohort_b"],
            module=first.module,
            trainer=personas["trainer"],
            starts_at=first.starts_at + dt.timedelta(hours=1),
            ends_at=first.ends_at + dt.timedelta(hours=1),
            status="scheduled",
        )


@needs_postgres
def test_postgres_refuses_a_trainee_booked_twice_without_the_service(world, personas, crew):
    first = _schedule(world, personas, trainees=crew, start=10)
    other = TrainingSession.objects.create(
        cohort=world["cohort_a"],
        module=first.module,
        trainer=personas["programme_admin"],
        starts_at=first.starts_at + dt.timedelta(hours=1),
        ends_at=first.ends_at + dt.timedelta(hours=1),
        status="scheduled",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        other.trainees.add(crew[0])


@needs_postgres
def test_postgres_refuses_a_resource_booked_twice_without_the_service(world, personas):
    simulator = f.ResourceFactory(name="Shenzhou simulator")
    hall = f.ResourceFactory(name="Hall", capacity=3)
    first = _schedule(world, personas, resources=[simulator, hall], start=10)
    other = TrainingSession.objects.create(
        cohort=world["cohort_b"],
        module=first.module,
        trainer=personas["other_trainer"],
        starts_at=first.starts_at,
        ends_at=first.ends_at,
        status="scheduled",
    )
    other.resources.add(hall)  # a hall of three: the service counts, the database allows
    with pytest.raises(IntegrityError), transaction.atomic():
        other.resources.add(simulator)
    with pytest.raises(IntegrityError), transaction.atomic():
        # moving a booked session onto the other's time through the ORM is refused too
        later = _schedule(world, personas, resources=[simulator], start=15)
        TrainingSession.objects.get(pk=later.pk)
        later.starts_at, later.ends_at = first.starts_at, first.ends_at
        later.save()


# Two processes at the same moment ---------------------------------------------------------------


def _book_in_child(database: dict, ids: dict, start, barrier, results) -> None:
    """In a forked process: its own connection (to `database`), then the booking, at once."""
    from accounts.models import User
    from curriculum.models import Module
    from trainees.models import Cohort, Resource

    connections["default"].settings_dict.update(database)
    connections["default"].close()
    try:
        cohort = Cohort.objects.get(pk=ids["cohort"])
        trainer = User.objects.get(pk=ids["trainer"])
        barrier.wait(timeout=30)
        session_schedule(
            cohort=cohort,
            module=Module.objects.get(pk=ids["module"]),
            trainer=trainer,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            resources=[Resource.objects.get(pk=ids["resource"])],
            trainees=[],
            by=trainer,
            key=uuid.uuid4(),
        )
        results.put("booked")
    except ValidationError as refused:
        results.put(f"refused: {refused.messages}")
    except Exception as error:  # noqa: BLE001 -- reported to the parent, which fails on it
        results.put(f"error: {error!r}")
    finally:
        connections["default"].close()


@pytest.mark.django_db(transaction=True)
def test_two_processes_booking_the_simulator_at_the_same_moment_one_wins(personas, tmp_path):
    world_cohorts = [f.CohortFactory(trainers=[personas["trainer"]]) for _ in range(1)]
    other = f.CohortFactory(
        revision=world_cohorts[0].revision, trainers=[personas["other_trainer"]]
    )
    simulator = f.ResourceFactory(name="Shenzhou simulator")
    module = world_cohorts[0].revision.modules.first()
    database = {}
    if not POSTGRES:
        # The in-memory test database, copied to a file both processes open.
        path = tmp_path / "race.sqlite3"
        with sqlite3.connect(path) as copy:
            connection.ensure_connection()
            connection.connection.backup(copy)
        database = {"NAME": str(path)}
    start = _at(10)
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(2), context.Queue()
    children = [
        context.Process(
            target=_book_in_child,
            args=(
                database,
                {
                    "cohort": cohort.pk,
                    "trainer": trainer.pk,
                    "module": module.pk,
                    "resource": simulator.pk,
                },
                start,
                barrier,
                results,
            ),
        )
        for cohort, trainer in [
            (world_cohorts[0], personas["trainer"]),
            (other, personas["other_trainer"]),
        ]
    ]
    connections.close_all()
    for child in children:
        child.start()
    for child in children:
        child.join(timeout=60)
    outcomes = sorted(results.get(timeout=5) for _ in children)
    assert outcomes[0] == "booked", outcomes
    assert outcomes[1].startswith("refused: "), outcomes
    assert "Shenzhou simulator" in outcomes[1] or "a moment ago" in outcomes[1]
    if database:
        with sqlite3.connect(database["NAME"]) as copy:
            (count,) = copy.execute(
                "SELECT COUNT(*) FROM trainees_sessionresource WHERE resource_id = ?",
                [simulator.pk],
            ).fetchone()
    else:
        count = simulator.bookings.count()
    assert count == 1


# Warnings ---------------------------------------------------------------------------------------


def test_a_trainee_on_hold_stops_a_trainer_and_an_admin_goes_on_with_a_reason(world, personas):
    on_hold = world["trainee_a"]
    with pytest.raises(SchedulingWarnings) as warned:
        _schedule(world, personas, trainees=[on_hold])
    (warning,) = warned.value.warnings
    assert f"{on_hold.user.display_name} is on a medical hold" in warning
    # The trainer cannot go on, even with a reason.
    errors = _refusal(
        lambda: _schedule(world, personas, trainees=[on_hold], override_reason="Needed")
    )
    assert errors["override_reason"] == [
        "Only a programme admin can schedule despite these warnings."
    ]
    assert not TrainingSession.objects.filter(status="scheduled").exists()
    admin = personas["programme_admin"]
    session = _schedule(
        world,
        personas,
        trainees=[on_hold],
        by=admin,
        override_reason="Classroom theory only; the flight surgeon agreed.",
    )
    record = session.history.earliest("history_date")
    assert "is on a medical hold" in record.history_change_reason
    assert "the flight surgeon agreed" in record.history_change_reason
    assert record.history_user == admin


def test_a_lapsed_qualification_the_pool_requires_is_a_warning(world, personas, crew):
    qualification = world["revision"].qualifications.first()
    pool = f.ResourceFactory(
        name="Neutral buoyancy pool", kind="pool", required_qualification=qualification.code
    )
    lapsed, current = crew
    today = timezone.localdate()
    QualificationGrant.objects.create(
        trainee=lapsed,
        qualification=qualification,
        granted_on=today - dt.timedelta(days=400),
        expires_on=today - dt.timedelta(days=100),
        granted_by=personas["trainer"],
    )
    QualificationGrant.objects.create(
        trainee=current,
        qualification=qualification,
        granted_on=today - dt.timedelta(days=10),
        expires_on=today + dt.timedelta(days=300),
        granted_by=personas["trainer"],
    )
    with pytest.raises(SchedulingWarnings) as warned:
        _schedule(world, personas, trainees=crew, resources=[pool])
    (warning,) = warned.value.warnings
    assert warning.startswith(f"{lapsed.user.display_name} does not hold a current")
    assert "Neutral buoyancy pool requires" in warning
    assert _schedule(world, personas, trainees=[current], resources=[pool]).pk


def test_a_trainer_not_authorised_for_the_module_is_a_warning(world, personas):
    from trainees.models import TrainerAuthorisation

    module = world["module"]
    today = timezone.localdate()
    TrainerAuthorisation.objects.create(
        trainer=personas["other_trainer"],
        programme=world["revision"].programme,
        module_code=module.code,
        granted_on=today - dt.timedelta(days=30),
        granted_by=personas["programme_admin"],
    )
    with pytest.raises(SchedulingWarnings) as warned:
        _schedule(world, personas)
    assert warned.value.warnings == [
        f"{personas['trainer']} is not authorised to instruct {module.code} {module.title}."
    ]


# On the schedule page --------------------------------------------------------------------------


def _page_data(world, **changes):
    return {
        "submission_key": str(uuid.uuid4()),
        "module": world["module"].pk,
        "starts_at": _at(10).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": _at(12).strftime("%Y-%m-%dT%H:%M"),
        "trainees": [world["trainee_a"].pk],  # on a medical hold
        **changes,
    }


def test_on_the_page_a_trainer_sees_the_warning_and_an_admin_overrides_it(world, personas):
    from django.test import Client
    from django.urls import reverse

    url = reverse("trainees:session_schedule", args=[world["cohort_a"].pk])
    trainer = Client()
    trainer.force_login(personas["trainer"])
    page = trainer.post(url, _page_data(world, trainer=personas["trainer"].pk))
    text = page.content.decode()
    assert page.status_code == 200
    assert "is on a medical hold" in text
    assert "Only a programme admin can schedule a session despite these warnings." in text
    assert "override_reason" not in page.context["form"].fields

    admin = Client()
    admin.force_login(personas["programme_admin"])
    data = _page_data(world, trainer=personas["programme_admin"].pk)
    asked = admin.post(url, data)
    assert asked.status_code == 200
    assert asked.context["form"].errors["override_reason"] == [
        "To schedule it anyway, give your reason: the session's history keeps it."
    ]
    assert not TrainingSession.objects.filter(status="scheduled").exists()
    data["override_reason"] = "Theory in the classroom only."
    done = admin.post(url, data)
    assert done.status_code == 302
    session = TrainingSession.objects.get(status="scheduled")
    history = admin.get(reverse("trainees:session_history", args=[session.pk]))
    assert "Theory in the classroom only." in history.content.decode()
