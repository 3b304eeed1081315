"""A week of a timetable served from the cache (trainees/timetables/views.py) is never stale:
after each kind of write it shows, and when notice may no longer be given, it is exactly the
week computed afresh; warm, it reads no session, however many the week holds.

These tests commit for real (`transaction=True`), as production does, in a fresh local-memory
cache, on the fixed clock of tests/trainees/timetables/conftest.py (Thursday 31 December 2026,
10:00 in Shanghai).
"""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from curriculum.services import translation_save
from tests.trainees.progress.test_cache import _fresh
from tests.trainees.sessions.test_views import signed_in
from tests.trainees.timetables.conftest import NOW, at, session_of
from trainees.absences.services import absence_notice_give, absence_notice_withdraw
from trainees.sessions.services import session_cancel, session_reschedule

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("progress_cache_on")]

# A warm week: the session, the person, their permissions, the subject through its gate, the
# stamp, the bell's count; for a resource, the person's calendar token for its feed link. (A
# cohort's name, read in its programme's language, needs no texts.)
WARM = {"cohort": 6, "resource": 7}


@pytest.fixture
def pages(world, personas, week):
    """Each timetable of the week, as a reader of it: (client, URL)."""
    cohort = reverse("trainees:cohort_timetable", args=[world["cohort_a"].pk])
    trainee = reverse("trainees:trainee_timetable", args=[world["trainee_a"].pk])
    trainer = reverse("trainees:trainer_timetable", args=[personas["trainer"].pk])
    resource = reverse("trainees:resource_timetable", args=[world["resource"].pk])
    query = "?view=week&on=2026-12-31"
    return {
        "cohort as trainer": (signed_in(personas["trainer"]), cohort + query),
        "cohort as trainee": (signed_in(personas["trainee"]), cohort + query),
        "own": (signed_in(personas["trainee"]), trainee + query),
        "led": (signed_in(personas["trainer"]), trainer + query),
        "resource": (signed_in(personas["medic"]), resource + query),
        "resource as admin": (signed_in(personas["programme_admin"]), resource + query),
    }


def _all_fresh(pages, settings) -> dict[str, bytes]:
    return {name: _fresh(client, url, settings) for name, (client, url) in pages.items()}


def _changed(before: dict, after: dict) -> set[str]:
    return {name for name in before if before[name] != after[name]}


def test_each_write_a_week_shows_reaches_its_cached_pages(world, personas, week, pages, settings):
    trainer, trainee = personas["trainer"], world["trainee_a"]
    first = _all_fresh(pages, settings)

    # A notice of absence: counted for the trainer, "you gave notice" for the trainee.
    notice = absence_notice_give(
        session=week["new_year"],
        trainee=trainee,
        category="illness",
        reason="Influenza.",
        by=trainee.user,
    )
    noticed = _all_fresh(pages, settings)
    assert b"1 excused ahead" in noticed["cohort as trainer"]
    assert b"tt-notice" in noticed["own"]  # "you gave notice", in Urdu
    assert {"cohort as trainer", "cohort as trainee", "own", "led"} <= _changed(first, noticed)
    absence_notice_withdraw(notice=notice, by=trainee.user)
    withdrawn = _all_fresh(pages, settings)
    assert b"excused ahead" not in withdrawn["cohort as trainer"]

    # A session of the week before moved into this week, into the hall.
    before = week["before"]
    session_reschedule(
        session=before,
        version=before.version,
        module=before.module,
        starts_at=at("2026-12-29", 15),
        ends_at=at("2026-12-29", 17),
        resources=[world["resource"]],
        trainees=[],
        notes="",
        by=trainer,
    )
    moved = _all_fresh(pages, settings)
    assert {"cohort as trainer", "led", "resource", "resource as admin"} <= _changed(
        withdrawn, moved
    )

    # Cancelled; then another cohort's session booking the hall (a cohort the page had not).
    new_year = week["new_year"]
    new_year.refresh_from_db()
    session_cancel(session=new_year, version=new_year.version, reason="Snow.", by=trainer)
    cancelled = _all_fresh(pages, settings)
    assert {"cohort as trainer", "own", "resource"} <= _changed(moved, cancelled)
    booked = session_of(world, "b", starts_at=at("2026-12-30", 16))
    booked.resources.add(world["resource"])
    assert _changed(cancelled, after := _all_fresh(pages, settings)) == {
        "resource",
        "resource as admin",
    }

    # Names shown with every session: the resource's, the trainer's, the module's.
    world["resource"].name = "Centrifuge hall"
    world["resource"].save()
    trainer.display_name = "Li Hao (lead)"
    trainer.save()
    # A module's title in Urdu, for the trainee who reads the site in it.
    translation_save(
        obj=week["monday"].module,
        name="title",
        language="ur",
        text="مداری میکانیات",
        by=personas["programme_admin"],
    )
    renamed = _all_fresh(pages, settings)
    assert b"Centrifuge hall" in renamed["resource"]
    assert b"Li Hao (lead)" in renamed["cohort as trainer"]
    assert "مداری میکانیات".encode() in renamed["own"]
    assert _changed(after, renamed) == set(pages)


def test_a_reader_who_comes_to_see_a_session_sees_it_opened(world, personas, week, settings):
    """On a resource's week, the sessions a trainer may not open are shown without a link;
    made a trainer of the cohort, they are linked at once."""
    other = personas["other_trainer"]
    other.user_permissions.add(*personas["medic"].user_permissions.all())
    other.groups.add(*personas["medic"].groups.all())
    client = signed_in(other)
    url = reverse("trainees:resource_timetable", args=[world["resource"].pk])
    link = reverse("trainees:session_detail", args=[week["new_year"].pk]).encode()
    assert client.get(url).status_code == 200
    _fresh(client, url, settings)
    world["cohort_a"].trainers.add(other)
    assert link in _fresh(client, url, settings)


def test_a_trainees_own_week_stops_offering_notice_when_a_session_starts(
    world, personas, week, settings
):
    """No write: the clock alone. The week is cached until its next session starts."""
    noon = session_of(world, starts_at=at("2026-12-31", 12))
    noon.trainees.add(world["trainee_a"])
    client = signed_in(personas["trainee"])
    url = reverse("trainees:trainee_timetable", args=[world["trainee_a"].pk])
    offer = reverse("trainees:absence_notice", args=[noon.pk]).encode()
    assert offer in _fresh(client, url, settings)
    with time_machine.travel(NOW + dt.timedelta(hours=2, minutes=1), tick=False):
        assert offer not in _fresh(client, url, settings)


@pytest.mark.parametrize("sessions", [0, 36])
def test_a_warm_week_reads_no_session_whatever_it_holds(
    world, personas, week, sessions, django_assert_num_queries
):
    """`WARM` queries with no session in the week and with 40: what the week shows comes from
    the cache."""
    for n in range(sessions):
        # Cancelled: shown all the same, and clear of the trainer's and the hall's scheduled
        # sessions, which PostgreSQL's constraints keep apart.
        extra = session_of(
            world,
            starts_at=at("2026-12-28", 0) + dt.timedelta(hours=4 * n),
            hours=1,
            status="cancelled",
            cancellation_reason="Weather.",
        )
        extra.resources.add(world["resource"])
    for name, user, url in [
        ("cohort", personas["trainer"], "trainees:cohort_timetable"),
        ("resource", personas["medic"], "trainees:resource_timetable"),
    ]:
        subject = world["cohort_a"] if name == "cohort" else world["resource"]
        client = signed_in(user)
        full = reverse(url, args=[subject.pk]) + "?view=week&on=2026-12-31"
        client.get(full)
        with django_assert_num_queries(WARM[name]):
            assert client.get(full).status_code == 200
