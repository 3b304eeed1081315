"""The timetables: a cohort's, a trainee's, a trainer's and a resource's sessions by day and
week, who may open which, and the days and weeks asked for, on a fixed clock.

The site's zone is Asia/Shanghai (UTC+8, no daylight saving); a viewer in Karachi (UTC+5) sees
their own days.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from tests.trainees.sessions.test_views import signed_in
from tests.trainees.timetables.conftest import at, session_of, shown

# Content ---------------------------------------------------------------------------------------


def test_it_shows_a_cohorts_week_from_monday_across_the_years_end(world, trainer, week):
    response = signed_in(trainer).get(
        reverse("trainees:cohort_timetable", args=[world["cohort_a"].pk])
    )
    assert response.status_code == 200
    days = [day for day, _sessions in response.context["days"]]
    assert days[0] == dt.date(2026, 12, 28) and days[-1] == dt.date(2027, 1, 3)
    assert len(days) == 7
    assert shown(response) == [week["monday"], week["held"], week["new_year"], week["cancelled"]]
    html = response.content.decode()
    # Each entry: the time, the module's code and title, the cohort, the trainer, the
    # resources, the status and a link to the session.
    new_year = week["new_year"]
    assert new_year.module.code in html and new_year.module.title in html
    assert "Hall 2" in html and "Li Hao" in html and world["cohort_a"].name in html
    assert reverse("trainees:session_detail", args=[new_year.pk]) in html
    assert "14:00" in html
    # A cancelled session is shown struck through and marked, not hidden.
    assert "tt-entry-cancelled" in html and "<s>" in html and "Cancelled" in html
    assert "Friday 1 January 2027" in html


def test_the_day_view_shows_one_day(world, trainer, week):
    response = signed_in(trainer).get(
        reverse("trainees:cohort_timetable", args=[world["cohort_a"].pk]),
        {"view": "day", "on": "2027-01-01"},
    )
    assert [day for day, _ in response.context["days"]] == [dt.date(2027, 1, 1)]
    assert shown(response) == [week["new_year"]]
    html = response.content.decode()
    assert "?view=day&amp;on=2026-12-31" in html  # the day before
    assert "?view=day&amp;on=2027-01-02" in html  # the day after
    assert "?view=day&amp;on=2026-12-31" in html  # today (the clock's)


def test_previous_next_and_this_week_links(world, trainer, week):
    response = signed_in(trainer).get(
        reverse("trainees:cohort_timetable", args=[world["cohort_a"].pk]), {"on": "2027-01-02"}
    )
    html = response.content.decode()
    assert "?view=week&amp;on=2026-12-26" in html
    assert "?view=week&amp;on=2027-01-09" in html
    assert "?view=week&amp;on=2026-12-31" in html
    previous = signed_in(trainer).get(
        reverse("trainees:cohort_timetable", args=[world["cohort_a"].pk]), {"on": "2026-12-26"}
    )
    assert shown(previous) == [week["before"]]


def test_a_trainees_timetable_holds_the_sessions_they_are_expected_at(world, trainee, week):
    response = signed_in(trainee).get(
        reverse("trainees:trainee_timetable", args=[world["trainee_a"].pk])
    )
    assert shown(response) == [week["new_year"], week["cancelled"]]


def test_a_trainers_timetable_holds_the_sessions_they_lead(world, trainer, week):
    response = signed_in(trainer).get(reverse("trainees:trainer_timetable", args=[trainer.pk]))
    assert shown(response) == [week["monday"], week["held"], week["new_year"], week["cancelled"]]


def test_a_resources_timetable_holds_every_booking_linking_those_the_reader_may_open(
    world, trainer, week
):
    response = signed_in(trainer).get(
        reverse("trainees:resource_timetable", args=[world["resource"].pk])
    )
    assert shown(response) == [week["other"], week["new_year"]]
    html = response.content.decode()
    assert reverse("trainees:session_detail", args=[week["new_year"].pk]) in html
    # Cohort B's booking is shown (the hall is taken), without a link the trainer may not open.
    assert week["other"].module.code in html
    assert reverse("trainees:session_detail", args=[week["other"].pk]) not in html


# The time zone and the dates asked for ------------------------------------------------------


def test_the_days_are_the_viewers_own(world, trainer, clock):
    # 17:30 UTC on Sunday 3 January 2027 is 01:30 on Monday 4 January in Shanghai and 22:30 on
    # Sunday in Karachi.
    late = session_of(world, starts_at=dt.datetime(2027, 1, 3, 17, 30, tzinfo=dt.UTC))
    address = reverse("trainees:trainer_timetable", args=[trainer.pk])
    in_shanghai = signed_in(trainer).get(address, {"on": "2027-01-03"})
    assert late not in shown(in_shanghai)
    trainer.time_zone = ZoneInfo("Asia/Karachi")
    trainer.save()
    in_karachi = signed_in(trainer).get(address, {"on": "2027-01-03"})
    assert dict(in_karachi.context["days"])[dt.date(2027, 1, 3)] == [late]
    assert "22:30" in in_karachi.content.decode()


def test_a_day_where_the_clocks_change_has_its_hours(world, trainer, clock):
    # London: the clocks go back at 02:00 on Sunday 25 October 2026, a day of 25 hours.
    trainer.time_zone = ZoneInfo("Europe/London")
    trainer.save()
    london = ZoneInfo("Europe/London")
    late = session_of(world, starts_at=at("2026-10-25", 23, 30, london), hours=1)
    early = session_of(world, starts_at=at("2026-10-25", 0, 30, london), hours=1)
    response = signed_in(trainer).get(
        reverse("trainees:trainer_timetable", args=[trainer.pk]),
        {"view": "day", "on": "2026-10-25"},
    )
    assert shown(response) == [early, late]


@pytest.mark.parametrize(
    "value", ["2026-13-45", "\x00", "yesterday", "2026-02-30", "x" * 5000, "1-01-01"]
)
def test_a_date_that_is_not_one_says_so_and_shows_today(world, trainer, clock, value):
    response = signed_in(trainer).get(
        reverse("trainees:trainer_timetable", args=[trainer.pk]), {"on": value}
    )
    assert response.status_code == 200
    assert response.context["period"].day == dt.date(2026, 12, 31)
    html = response.content.decode()
    assert "not a date in the form YYYY-MM-DD" in html
    assert 'aria-invalid="true"' in html


@pytest.mark.parametrize(
    ("value", "day"), [("0001-01-01", dt.date(1900, 1, 1)), ("9999-12-31", dt.date(2200, 12, 31))]
)
def test_a_date_past_the_range_shows_the_nearest(world, trainer, clock, value, day):
    response = signed_in(trainer).get(
        reverse("trainees:trainer_timetable", args=[trainer.pk]), {"on": value}
    )
    assert response.status_code == 200
    assert response.context["period"].day == day
    assert "the nearest is shown" in response.content.decode()
    assert all(d.year in (1900, 2200) for d, _ in response.context["days"])


def test_a_view_that_is_not_one_shows_the_week(world, trainer, clock):
    response = signed_in(trainer).get(
        reverse("trainees:trainer_timetable", args=[trainer.pk]), {"view": "month"}
    )
    assert response.status_code == 200
    assert len(response.context["days"]) == 7
    assert "the week is shown" in response.content.decode()


# Who may open which ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "cohort", "status"),
    [
        ("trainee", "cohort_a", 200),  # their own cohort's
        ("trainee", "cohort_b", 404),
        ("trainer", "cohort_a", 200),
        ("trainer", "cohort_b", 404),
        ("medic", "cohort_b", 200),
        ("programme_admin", "cohort_b", 200),
    ],
)
def test_a_cohorts_timetable_follows_the_cohort(world, personas, persona, cohort, status):
    address = reverse("trainees:cohort_timetable", args=[world[cohort].pk])
    assert signed_in(personas[persona]).get(address).status_code == status


@pytest.mark.parametrize(
    ("persona", "record", "status"),
    [
        ("trainee", "trainee_a", 200),
        ("other_trainee", "trainee_a", 404),
        ("trainer", "trainee_a", 200),
        ("other_trainer", "trainee_a", 404),
        ("programme_admin", "trainee_b", 200),
    ],
)
def test_a_trainees_timetable_follows_the_trainee(world, personas, persona, record, status):
    address = reverse("trainees:trainee_timetable", args=[world[record].pk])
    assert signed_in(personas[persona]).get(address).status_code == status


@pytest.mark.parametrize(
    ("persona", "subject", "status"),
    [
        ("trainer", "trainer", 200),
        ("other_trainer", "trainer", 404),  # another trainer's
        ("trainee", "trainer", 404),
        ("programme_admin", "trainer", 200),
        ("medic", "other_trainer", 200),
        ("programme_admin", "trainee", 404),  # not a trainer
        ("operator", "other_trainer", 200),
    ],
)
def test_a_trainers_timetable_is_their_own_or_the_admins(world, personas, persona, subject, status):
    address = reverse("trainees:trainer_timetable", args=[personas[subject].pk])
    assert signed_in(personas[persona]).get(address).status_code == status


def test_a_trainee_sees_only_what_they_may_in_a_cohort_timetable(world, trainee, week):
    # A trainee's view of their cohort holds the cohort's sessions, never another cohort's.
    response = signed_in(trainee).get(
        reverse("trainees:cohort_timetable", args=[world["cohort_a"].pk])
    )
    assert week["other"] not in shown(response)
    assert week["monday"] in shown(response)


@pytest.mark.parametrize(("persona", "status"), [("trainee", 403), ("medic", 200)])
def test_a_resources_timetable_is_the_staffs(world, personas, persona, status):
    address = reverse("trainees:resource_timetable", args=[world["resource"].pk])
    assert signed_in(personas[persona]).get(address).status_code == status


def test_an_unknown_subject_is_not_found(world, programme_admin):
    client = signed_in(programme_admin)
    for name in ["cohort", "trainee", "trainer", "resource"]:
        address = reverse(f"trainees:{name}_timetable", args=[999_999])
        assert client.get(address).status_code == 404, name


# My timetable and the links to the timetables --------------------------------------------------


def test_my_timetable_is_the_trainers_or_the_trainees(world, trainer, trainee, medic):
    response = signed_in(trainer).get(reverse("trainees:my_timetable"), {"view": "day"})
    target = reverse("trainees:trainer_timetable", args=[trainer.pk])
    assert response.status_code == 302 and response["Location"] == f"{target}?view=day"
    response = signed_in(trainee).get(reverse("trainees:my_timetable"))
    assert response["Location"] == reverse(
        "trainees:trainee_timetable", args=[world["trainee_a"].pk]
    )
    assert signed_in(medic).get(reverse("trainees:my_timetable")).status_code == 403


def test_the_pages_link_their_timetables(world, trainer, trainee, medic):
    cohort, record = world["cohort_a"], world["trainee_a"]
    home = signed_in(trainer).get(reverse("trainees:trainer_home")).content.decode()
    mine = f'href="{reverse("trainees:my_timetable")}"'
    assert mine in home  # the navigation
    html = signed_in(trainer).get(reverse("trainees:cohort_detail", args=[cohort.pk]))
    assert reverse("trainees:cohort_timetable", args=[cohort.pk]) in html.content.decode()
    html = signed_in(trainee).get(reverse("trainees:trainee_home")).content.decode()
    assert reverse("trainees:trainee_timetable", args=[record.pk]) in html
    assert reverse("trainees:cohort_timetable", args=[cohort.pk]) in html
    resource = world["resource"]
    html = signed_in(medic).get(reverse("trainees:resource_detail", args=[resource.pk]))
    assert reverse("trainees:resource_timetable", args=[resource.pk]) in html.content.decode()
    assert mine not in html.content.decode()  # the medical officer has no sessions
