"""A change to the timetable reaches the people it touches (issue 29): each trainee expected
and the trainer hear of a session moved, changed or cancelled, a trainee added or taken off
hears of that, and a series changed from a date on is one notice each; in their own language,
on their channels; the calendar feed shows the new times with a higher SEQUENCE."""

import datetime as dt
import uuid
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import translation
from icalendar import Calendar

from notifications.models import CalendarToken, Notification
from notifications.receivers import timetable_change_told
from tests import factories as f
from trainees.models import TrainingSession
from trainees.sessions.series import series_cancel_from, series_move_from, series_schedule
from trainees.sessions.services import session_cancel, session_reschedule, session_schedule
from trainees.signals import timetable_changed

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2027, 3, 1, 8, 0, tzinfo=SHANGHAI)  # a Monday
MONDAY = dt.date(2027, 3, 8)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), SHANGHAI)


@pytest.fixture
def session(world, personas):
    """Tomorrow's session of cohort A, scheduled by the programme admin: the trainer leads it,
    the world's trainee is expected."""
    return session_schedule(
        cohort=world["cohort_a"],
        module=world["module"],
        trainer=personas["trainer"],
        starts_at=_at(MONDAY, 9),
        ends_at=_at(MONDAY, 11),
        resources=[world["resource"]],
        trainees=[world["trainee_a"]],
        override_reason="The trainee's hold is for the pool only.",
        by=personas["programme_admin"],
        key=uuid.uuid4(),
    )


def _reschedule(session, by, **changes):
    session = TrainingSession.objects.get(pk=session.pk)
    fields = {
        "module": session.module,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "resources": list(session.resources.all()),
        "trainees": list(session.trainees.all()),
        "notes": session.notes,
        **changes,
    }
    return session_reschedule(
        session=session,
        version=session.version,
        override_reason="Checked with the medical officer.",
        by=by,
        **fields,
    )


def _told(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind="timetable_changed"))


def test_a_moved_session_reaches_the_trainee_and_the_trainer_and_the_trainees_feed(
    world, personas, session, enqueued, client
):
    trainee, trainer = personas["trainee"], personas["trainer"]
    trainee.preferred_language, trainee.email = "zh-hans", "ayesha@example.org"
    trainee.notify_email = True
    trainee.save()
    token = CalendarToken.objects.create(user=trainee).token

    _reschedule(
        session, personas["programme_admin"], starts_at=_at(MONDAY, 14), ends_at=_at(MONDAY, 16)
    )
    enqueued.run()

    (notice,) = _told(trainee)
    assert notice.params["change"] == "moved" and notice.shown_at is not None
    assert notice.params["url"] == session.get_absolute_url()
    # In the trainee's language, by e-mail and in the application.
    (message,) = [m for m in mail.outbox if m.to == ["ayesha@example.org"]]
    assert "时间表变更" in message.subject, message.subject
    assert "14:00" in message.body
    client.force_login(trainee)
    listing = client.get(reverse("notifications:list")).content.decode()
    assert "移至" in listing and session.module.code in listing
    # The trainer hears of it too; the admin who moved it does not.
    assert [n.params["change"] for n in _told(trainer)] == ["moved"]
    assert not _told(personas["programme_admin"])

    # The trainee's feed holds the new times, as a newer version of the same event.
    client.logout()
    feed = Calendar.from_ical(client.get(reverse("calendar_feed", args=[token])).content)
    (event,) = [
        e for e in feed.walk("VEVENT") if str(e["uid"]).startswith(f"session-{session.pk}@")
    ]
    assert event.decoded("dtstart") == _at(MONDAY, 14)
    assert event["sequence"] == 1


def test_a_cancellation_names_the_reason_and_the_trainer_who_cancels_is_not_told(
    world, personas, session
):
    session_cancel(
        session=session, version=session.version, reason="Pool closed.", by=personas["trainer"]
    )
    (notice,) = _told(personas["trainee"])
    assert notice.params["change"] == "cancelled" and notice.params["reason"] == "Pool closed."
    assert not _told(personas["trainer"])


def test_a_trainee_added_or_taken_off_hears_of_it_and_notes_alone_tell_nobody(
    world, personas, session
):
    newcomer = f.TraineeFactory(cohort=world["cohort_a"])
    _reschedule(session, personas["trainer"], trainees=[newcomer])
    assert [n.params["change"] for n in _told(newcomer.user)] == ["added"]
    (removed,) = _told(personas["trainee"])
    assert removed.params["change"] == "removed"
    # One taken off may no longer open the session: the notice links to their week.
    assert removed.params["url"].startswith(reverse("trainees:my_timetable"))

    before = Notification.objects.count()
    _reschedule(session, personas["trainer"], notes="Bring the logbook.")
    assert Notification.objects.count() == before


def test_another_place_is_a_change_and_the_notice_names_it(world, personas, session):
    pool = f.ResourceFactory(name="Pool")
    _reschedule(session, personas["programme_admin"], resources=[pool])
    (notice,) = _told(personas["trainee"])
    assert notice.params["change"] == "changed" and notice.params["places"] == "Pool"


def test_a_series_moved_from_a_date_is_one_notice_each_naming_the_count(world, personas):
    crew = [world["trainee_a"], f.TraineeFactory(cohort=world["cohort_a"])]
    series = series_schedule(
        cohort=world["cohort_a"],
        module=world["module"],
        trainer=personas["trainer"],
        first_day=MONDAY,
        weeks=4,
        weekdays=1 | 4 | 16,
        starts=dt.time(9),
        ends=dt.time(11),
        zone="Asia/Shanghai",
        resources=[],
        trainees=crew,
        override_reason="The hold is for the pool only.",
        by=personas["programme_admin"],
        key=uuid.uuid4(),
    )
    assert not Notification.objects.filter(kind="timetable_changed").exists()
    moved = series_move_from(
        series=series,
        from_day=MONDAY + dt.timedelta(days=7),
        days=1,
        starts=dt.time(14),
        ends=dt.time(16),
        override_reason="The hold is for the pool only.",
        by=personas["programme_admin"],
    )
    assert len(moved) == 9
    for person in (crew[0].user, crew[1].user, personas["trainer"]):
        (notice,) = _told(person)
        assert notice.params["count"] == 9 and notice.params["change"] == "moved"
    with translation.override("en"):
        (notice,) = _told(crew[1].user)
        from notifications.delivery import render

        text = render("timetable_changed", crew[1].user, notice.params).in_app
    assert text.startswith(f"9 sessions of {world['module'].code}"), text

    series_cancel_from(
        series=series,
        from_day=MONDAY + dt.timedelta(days=14),
        reason="The pool is drained.",
        by=personas["trainer"],
    )
    cancelled = [n for n in _told(crew[1].user) if n.params["change"] == "cancelled"]
    assert [n.params["count"] for n in cancelled] == [6]


def test_telling_a_change_again_records_nothing_twice(world, personas, session):
    _reschedule(
        session, personas["programme_admin"], starts_at=_at(MONDAY, 13), ends_at=_at(MONDAY, 15)
    )
    (notice,) = _told(personas["trainee"])
    change = _last_change(session, personas)
    timetable_change_told(TrainingSession, change=change)
    assert _told(personas["trainee"]) == [notice]


def _last_change(session, personas):
    """The change the last reschedule sent, caught by listening for it once more."""
    from trainees.signals import ChangeKind, TimetableChange

    session = TrainingSession.objects.get(pk=session.pk)
    return TimetableChange(
        kind=ChangeKind.MOVED,
        sessions=(session,),
        recipients=frozenset({personas["trainee"].pk}),
        by=personas["trainer"],
        before={session.pk: (_at(MONDAY, 9), _at(MONDAY, 11))},
    )


@pytest.mark.parametrize("size", [1, 8])
def test_the_notices_cost_the_same_queries_whoever_many_are_told(
    world, personas, session, size, django_assert_num_queries
):
    crew = [f.TraineeFactory(cohort=world["cohort_a"]) for _ in range(size)]
    session = TrainingSession.objects.get(pk=session.pk)
    session.trainees.set(crew)
    from trainees.signals import ChangeKind, TimetableChange

    change = TimetableChange(
        kind=ChangeKind.CANCELLED,
        sessions=(session,),
        recipients=frozenset(t.user_id for t in crew),
        by=personas["trainer"],
        reason="Storm.",
    )
    # The people, the module and its title, the places, the keys recorded, the notices, the
    # deliveries (a savepoint and its release around the writes).
    with django_assert_num_queries(9):
        timetable_changed.send(sender=TrainingSession, change=change)
    assert Notification.objects.filter(kind="timetable_changed").count() == size
