"""The timetables' world on a fixed clock: a week of cohort A's sessions across the year's end.

The site's zone is Asia/Shanghai (UTC+8, no daylight saving).
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests import factories as f
from trainees.models import TrainingSession

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Thursday 31 December 2026, 10:00 in Shanghai: its week runs from Monday 28 December 2026 to
# Sunday 3 January 2027, across a month's and a year's end.
NOW = dt.datetime(2026, 12, 31, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def clock():
    """Every test here on the fixed clock, from before its world is made."""
    with time_machine.travel(NOW, tick=False):
        yield


def at(day: str, hour: int, minute: int = 0, zone=SHANGHAI) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour, minute), tzinfo=zone)


def session_of(world, key="a", *, starts_at, hours=2, **fields) -> TrainingSession:
    cohort = world[f"cohort_{key}"]
    return f.TrainingSessionFactory(
        cohort=cohort,
        trainer=cohort.trainers.get(),
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=hours),
        status=fields.pop("status", "scheduled"),
        **fields,
    )


def shown(response) -> list[TrainingSession]:
    return [session for _day, sessions in response.context["days"] for session in sessions]


@pytest.fixture
def week(world, clock):
    """Sessions of cohort A across the week of 28 December 2026 (one on New Year's Day, one
    cancelled on 3 January, one in the hall) beside the world's, one of the week before and one
    of cohort B."""
    hall = world["resource"]
    monday = session_of(world, starts_at=at("2026-12-28", 9))
    new_year = session_of(world, starts_at=at("2027-01-01", 14))
    new_year.trainees.add(world["trainee_a"])
    new_year.resources.add(hall)
    cancelled = session_of(
        world,
        starts_at=at("2027-01-03", 9),
        status="cancelled",
        cancellation_reason="Centrifuge under repair.",
    )
    cancelled.trainees.add(world["trainee_a"])
    before = session_of(world, starts_at=at("2026-12-27", 23))
    other = session_of(world, "b", starts_at=at("2026-12-29", 9))
    other.resources.add(hall)
    return {
        "held": world["session_a"],  # the world's, a day before the clock: Wednesday 30th
        "monday": monday,
        "new_year": new_year,
        "cancelled": cancelled,
        "before": before,
        "other": other,
    }
