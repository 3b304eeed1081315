"""Series of sessions (issue 29): every occurrence checked before any is written, a clash
naming its date; moved and cancelled from a date on, all or nothing; one occurrence changed on
its own like any session; the pages, their access and their double submissions."""

import datetime as dt
import uuid
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from trainees.models import SessionSeries, SessionStatus, TrainingSession
from trainees.sessions.bookings import booking_clashes_many
from trainees.sessions.series import (
    series_cancel_from,
    series_move_from,
    series_schedule,
    series_times,
)
from trainees.sessions.services import SchedulingWarnings, session_cancel, session_schedule

# A fixed clock (a Monday): the series below start the Monday after.
NOW = dt.datetime(2027, 3, 1, 8, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
MONDAY = dt.date(2027, 3, 8)
MON_WED_FRI = 1 | 4 | 16


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def crew(world):
    return [f.TraineeFactory(cohort=world["cohort_a"]) for _ in range(2)]


def _series(world, personas, crew, *, resources=(), weeks=10, **kwargs):
    return series_schedule(
        cohort=world["cohort_a"],
        module=world["module"],
        trainer=kwargs.pop("trainer", personas["trainer"]),
        first_day=kwargs.pop("first_day", MONDAY),
        weeks=weeks,
        weekdays=kwargs.pop("weekdays", MON_WED_FRI),
        starts=kwargs.pop("starts", dt.time(9)),
        ends=kwargs.pop("ends", dt.time(11)),
        zone="Asia/Shanghai",
        resources=list(resources),
        trainees=crew,
        by=kwargs.pop("by", personas["trainer"]),
        key=uuid.uuid4(),
        **kwargs,
    )


def _new_series(world):
    """The series the test made (the world has one per cohort)."""
    return SessionSeries.objects.exclude(pk__in=[world["series_a"].pk, world["series_b"].pk])


def _local(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), zoneinfo.ZoneInfo("Asia/Shanghai"))


def _single(world, personas, *, day, hour=10, resources=(), trainees=(), **kwargs):
    return session_schedule(
        cohort=kwargs.pop("cohort", world["cohort_b"]),
        module=kwargs.pop("module", world["module"]),
        trainer=kwargs.pop("trainer", personas["other_trainer"]),
        starts_at=_local(day, hour),
        ends_at=_local(day, hour + 1),
        resources=list(resources),
        trainees=list(trainees),
        by=kwargs.pop("by", personas["other_trainer"]),
        key=uuid.uuid4(),
    )


def test_the_pattern_makes_each_chosen_day_at_its_wall_clock_time_across_summer_time():
    # Europe/Berlin moves its clocks on 28 March 2027: 09:00 stays 09:00, an hour less in UTC.
    times = series_times(
        first_day=dt.date(2027, 3, 22),
        weeks=2,
        weekdays=MON_WED_FRI,
        starts=dt.time(9),
        ends=dt.time(10, 30),
        zone="Europe/Berlin",
    )
    assert [s.date().isoformat() for s, _e in times] == [
        "2027-03-22",
        "2027-03-24",
        "2027-03-26",
        "2027-03-29",
        "2027-03-31",
        "2027-04-02",
    ]
    assert {s.astimezone(zoneinfo.ZoneInfo("Europe/Berlin")).hour for s, _e in times} == {9}
    assert times[0][0].astimezone(dt.UTC).hour == 8 and times[3][0].astimezone(dt.UTC).hour == 7
    assert all(e - s == dt.timedelta(minutes=90) for s, e in times)


def test_a_series_of_30_is_written_with_its_bookings(world, personas, crew):
    pool = f.ResourceFactory(name="Pool", kind="pool")
    series = _series(world, personas, crew, resources=[pool])
    occurrences = list(series.occurrences.order_by("starts_at"))
    assert len(occurrences) == 30
    assert timezone.localtime(occurrences[0].starts_at).date() == MONDAY
    assert timezone.localtime(occurrences[-1].starts_at).date() == MONDAY + dt.timedelta(
        weeks=9, days=4
    )
    for session in (occurrences[0], occurrences[-1]):
        assert set(session.trainees.all()) == set(crew)
        assert list(session.resources.all()) == [pool]
        assert session.history.first().history_user == personas["trainer"]


def test_a_series_of_30_with_one_clash_writes_nothing_and_names_the_date(world, personas, crew):
    pool = f.ResourceFactory(name="Neutral buoyancy pool", kind="pool")
    clash_day = MONDAY + dt.timedelta(weeks=6, days=2)  # the 20th occurrence, a Wednesday
    other = _single(world, personas, day=clash_day, hour=10, resources=[pool])
    before = TrainingSession.objects.count()
    with pytest.raises(ValidationError) as refused:
        _series(world, personas, crew, resources=[pool])
    errors = refused.value.message_dict
    assert errors["__all__"][0] == "1 of the 30 occurrences clash; nothing was saved."
    (line,) = errors["resources"]
    assert line.startswith("On Wednesday April 21, 2027: Neutral buoyancy pool is booked for")
    assert other.module.code in line
    assert TrainingSession.objects.count() == before
    assert not _new_series(world).exists()


def test_every_clashing_date_is_named_up_to_ten_then_counted(world, personas, crew):
    # The trainer already leads 12 Monday sessions of the other cohort at 10:00.
    for week in range(12):
        _single(
            world,
            personas,
            day=MONDAY + dt.timedelta(weeks=week),
            trainer=personas["trainer"],
            by=personas["programme_admin"],
        )
    with pytest.raises(ValidationError) as refused:
        _series(world, personas, crew, weeks=12)
    errors = refused.value.message_dict
    assert errors["__all__"] == [
        "12 of the 36 occurrences clash; nothing was saved.",
        "2 more dates clash as well.",
    ]
    assert len(errors["trainer"]) == 10
    assert errors["trainer"][0].startswith("On Monday March 8, 2027: ")


def test_the_clash_check_costs_four_queries_whatever_the_number_of_occurrences(
    world, personas, crew, django_assert_num_queries
):
    pool = f.ResourceFactory(name="Pool", kind="pool")
    times = series_times(
        first_day=MONDAY,
        weeks=10,
        weekdays=MON_WED_FRI,
        starts=dt.time(9),
        ends=dt.time(11),
        zone="Asia/Shanghai",
    )
    for count in (1, 30):
        with django_assert_num_queries(4):
            booking_clashes_many(
                times=times[:count],
                trainer=personas["trainer"],
                trainees=crew,
                resources=[pool],
            )


def test_a_warning_stops_a_trainer_and_an_admin_goes_on_with_a_reason(world, personas, crew):
    # trainee_a is on a medical hold (the world's persona): the series warns, for its whole span.
    on_hold = [world["trainee_a"], *crew]
    with pytest.raises(SchedulingWarnings) as warned:
        _series(world, personas, on_hold, weeks=2)
    assert any("medical hold" in w for w in warned.value.warnings)
    with pytest.raises(ValidationError) as refused:
        _series(world, personas, on_hold, weeks=2, override_reason="Observer only")
    assert "override_reason" in refused.value.message_dict
    series = _series(
        world,
        personas,
        on_hold,
        weeks=2,
        override_reason="Observer only",
        by=personas["programme_admin"],
    )
    first = series.occurrences.order_by("starts_at").first()
    reason = first.history.earliest().history_change_reason
    assert "medical hold" in reason and "Observer only" in reason


def test_cancel_from_a_date_on_leaves_the_earlier_and_the_held(world, personas, crew):
    series = _series(world, personas, crew, weeks=4)  # 12 occurrences
    occurrences = list(series.occurrences.order_by("starts_at"))
    session_cancel(session=occurrences[7], version=1, reason="Pool closed", by=personas["trainer"])
    cut = MONDAY + dt.timedelta(weeks=2)  # the 7th occurrence on
    cancelled = series_cancel_from(
        series=series, from_day=cut, reason="Crew reassigned", by=personas["trainer"]
    )
    assert len(cancelled) == 5  # 6 from the cut, one already cancelled
    states = [(s.status, s.cancellation_reason) for s in series.occurrences.order_by("starts_at")]
    assert states[:6] == [(SessionStatus.SCHEDULED, "")] * 6
    assert states[7] == (SessionStatus.CANCELLED, "Pool closed")
    assert {states[i] for i in (6, 8, 9, 10, 11)} == {(SessionStatus.CANCELLED, "Crew reassigned")}
    # The cancelled occurrences free their trainees: another session may take the time.
    assert not any(
        booking_clashes_many(
            times=[(occurrences[8].starts_at, occurrences[8].ends_at)],
            trainer=personas["other_trainer"],
            trainees=crew,
            resources=[],
        )
    )


def test_cancel_from_a_date_with_nothing_left_is_refused(world, personas, crew):
    series = _series(world, personas, crew, weeks=1)
    with pytest.raises(ValidationError) as refused:
        series_cancel_from(
            series=series,
            from_day=MONDAY + dt.timedelta(weeks=5),
            reason="Why",
            by=personas["trainer"],
        )
    assert "from_day" in refused.value.message_dict


def test_move_from_a_date_on_moves_all_or_none(world, personas, crew):
    series = _series(world, personas, crew, weeks=4)
    cut = MONDAY + dt.timedelta(weeks=2)
    # Something already at 14:00 on the last Friday, for a trainee of the crew.
    last_friday = MONDAY + dt.timedelta(weeks=3, days=4)
    _single(
        world,
        personas,
        day=last_friday,
        hour=14,
        cohort=world["cohort_a"],
        trainer=personas["programme_admin"],
        by=personas["programme_admin"],
        trainees=crew[:1],
    )
    with pytest.raises(ValidationError) as refused:
        series_move_from(
            series=series,
            from_day=cut,
            days=0,
            starts=dt.time(14),
            ends=dt.time(16),
            by=personas["trainer"],
        )
    (line,) = refused.value.message_dict["trainees"]
    assert line.startswith("On Friday April 2, 2027: ")
    assert {timezone.localtime(s.starts_at).hour for s in series.occurrences.all()} == {9}

    moved = series_move_from(
        series=series,
        from_day=cut,
        days=1,
        starts=dt.time(13),
        ends=dt.time(15),
        by=personas["trainer"],
    )
    assert len(moved) == 6
    times = [timezone.localtime(s.starts_at) for s in series.occurrences.order_by("starts_at")]
    assert [t.hour for t in times] == [9] * 6 + [13] * 6
    assert [t.strftime("%a") for t in times[6:]] == ["Tue", "Thu", "Sat"] * 2
    # Moving onto its own old times is no clash: back again.
    series_move_from(
        series=series,
        from_day=cut,
        days=-1,
        starts=dt.time(9),
        ends=dt.time(11),
        by=personas["trainer"],
    )
    assert {timezone.localtime(s.starts_at).hour for s in series.occurrences.all()} == {9}
    assert sorted({s.version for s in series.occurrences.all()}) == [1, 3]


# The pages ------------------------------------------------------------------------------------


def _form(world, crew, **changes):
    data = {
        "submission_key": str(uuid.uuid4()),
        "module": world["module"].pk,
        "first_day": MONDAY.isoformat(),
        "weekdays": ["0", "2", "4"],
        "starts": "09:00",
        "ends": "11:00",
        "weeks": "10",
        "trainer": "",
        "trainees": [t.pk for t in crew],
        "notes": "Strength block",
    }
    data.update(changes)
    return data


def test_the_page_schedules_a_series_once_however_often_it_is_sent(client, world, personas, crew):
    client.force_login(personas["trainer"])
    url = reverse("trainees:series_schedule", args=[world["cohort_a"].pk])
    assert client.get(url).status_code == 200
    data = _form(world, crew, trainer=personas["trainer"].pk)
    response = client.post(url, data)
    series = _new_series(world).get()
    assert response.status_code == 302 and response.url == series.get_absolute_url()
    again = client.post(url, data)
    assert again.status_code == 302 and _new_series(world).count() == 1
    assert TrainingSession.objects.filter(series=series).count() == 30
    page = client.get(series.get_absolute_url())
    assert "Monday, Wednesday, Friday" in page.content.decode()


def test_the_page_names_the_clashing_date_beside_the_field_and_keeps_the_input(
    client, world, personas, crew
):
    pool = f.ResourceFactory(name="Pool", kind="pool")
    _single(world, personas, day=MONDAY + dt.timedelta(weeks=6, days=2), resources=[pool])
    client.force_login(personas["trainer"])
    url = reverse("trainees:series_schedule", args=[world["cohort_a"].pk])
    response = client.post(
        url, _form(world, crew, trainer=personas["trainer"].pk, resources=[pool.pk])
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["resources"][0].startswith("On Wednesday April 21, 2027: Pool is booked")
    assert form["notes"].value() == "Strength block"
    assert not _new_series(world).exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"weeks": "60", "weekdays": ["0", "1", "2", "3", "4", "5", "6"]}, "weeks"),
        ({"weeks": "105"}, "weeks"),
        ({"weeks": "0"}, "weeks"),
        ({"ends": "08:00"}, "ends"),
        ({"weekdays": ["7"]}, "weekdays"),
        ({"weekdays": []}, "weekdays"),
        ({"first_day": "1800-01-01"}, "first_day"),
        ({"starts": "25:00"}, "starts"),
        ({"notes": "a\x00b"}, "notes"),
    ],
)
def test_bad_input_is_named_beside_its_field(client, world, personas, crew, changes, field):
    client.force_login(personas["trainer"])
    url = reverse("trainees:series_schedule", args=[world["cohort_a"].pk])
    response = client.post(url, _form(world, crew, trainer=personas["trainer"].pk, **changes))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not _new_series(world).exists()


def test_who_may_see_and_change_a_series(client, world, personas, crew):
    series = _series(world, personas, crew, weeks=1)
    detail = series.get_absolute_url()
    move = reverse("trainees:series_move", args=[series.pk])
    client.force_login(personas["trainee"])  # of the series' cohort
    assert client.get(detail).status_code == 200
    assert client.get(move).status_code == 403
    client.force_login(personas["other_trainee"])
    assert client.get(detail).status_code == 404
    client.force_login(personas["other_trainer"])
    assert client.get(move).status_code == 404
    assert (
        client.get(reverse("trainees:series_schedule", args=[world["cohort_a"].pk])).status_code
        == 404
    )


def test_the_cancel_and_move_pages(client, world, personas, crew):
    series = _series(world, personas, crew, weeks=2)
    client.force_login(personas["trainer"])
    cancel = reverse("trainees:series_cancel", args=[series.pk])
    response = client.post(cancel, {"from_day": (MONDAY + dt.timedelta(weeks=1)).isoformat()})
    assert "reason" in response.context["form"].errors
    response = client.post(
        cancel, {"from_day": (MONDAY + dt.timedelta(weeks=1)).isoformat(), "reason": "Flood"}
    )
    assert response.status_code == 302
    assert series.occurrences.filter(status="cancelled").count() == 3
    move = reverse("trainees:series_move", args=[series.pk])
    response = client.post(
        move, {"from_day": MONDAY.isoformat(), "days": "9", "starts": "10:00", "ends": "11:00"}
    )
    assert "days" in response.context["form"].errors
    response = client.post(
        move, {"from_day": MONDAY.isoformat(), "days": "0", "starts": "10:00", "ends": "11:00"}
    )
    assert response.status_code == 302
    hours = {
        timezone.localtime(s.starts_at).hour for s in series.occurrences.filter(status="scheduled")
    }
    assert hours == {10}
