"""The notification pages through the client: the bell, the list, marking read, the lead times,
the jobs, the calendar link and the feed."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from accounts.models import User
from notifications import tasks
from notifications.models import CalendarToken, JobRun, Notification, ReminderSettings
from tests import factories as f
from trainees.models import QualificationGrant, TrainingSession


def _signed_in(client, user):
    client.force_login(user)
    return client


def test_it_shows_the_unread_count_in_the_bell_and_the_list(client, world, trainee):
    response = _signed_in(client, trainee).get(reverse("notifications:list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="badge rounded-pill text-bg-danger tt-unread-count">1<' in html
    assert "A-1 Systems exam" in html
    assert "Zhao" not in html  # the other trainee's is not listed


def test_opening_a_notification_marks_it_read_and_follows_its_link(client, world, trainee):
    notification = world["notification_a"]
    response = _signed_in(client, trainee).post(
        reverse("notifications:open", args=[notification.pk])
    )
    assert response.status_code == 302
    assert response["Location"] == world["session_a"].get_absolute_url()
    notification.refresh_from_db()
    assert notification.read_at is not None
    html = client.get(reverse("notifications:list")).content.decode()
    assert "tt-unread-count" not in html


def test_someone_elses_notification_is_not_found(client, world, trainee):
    theirs = world["notification_b"]
    response = _signed_in(client, trainee).post(reverse("notifications:open", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_marks_only_ones_own(client, world, trainee):
    response = _signed_in(client, trainee).post(reverse("notifications:read_all"))
    assert response.status_code == 302
    assert Notification.objects.get(pk=world["notification_a"].pk).read_at is not None
    assert Notification.objects.get(pk=world["notification_b"].pk).read_at is None


def test_the_list_is_paginated(client, trainee):
    for i in range(25):
        Notification.objects.create(
            recipient=trainee,
            kind="debrief_pending",
            key=f"n{i}",
            params={"code": f"X-{i:02d}", "title": "T", "url": ""},
            shown_at=timezone.now(),
        )
    _signed_in(client, trainee)
    first = client.get(reverse("notifications:list")).content.decode()
    second = client.get(reverse("notifications:list") + "?page=2").content.decode()
    assert first.count("tt-notification") == 20 and second.count("tt-notification") == 5


def test_a_pending_notification_is_not_listed_before_it_is_delivered(client, trainee):
    Notification.objects.create(recipient=trainee, kind="debrief_pending", key="k", params={})
    html = _signed_in(client, trainee).get(reverse("notifications:list")).content.decode()
    assert "tt-notification" not in html


def test_bad_lead_times_are_refused_beside_the_field_and_kept(client, programme_admin):
    _signed_in(client, programme_admin)
    url = reverse("notifications:reminder_settings")
    response = client.post(
        url,
        {
            "session_hours": "0",
            "qualification_days": "30, soon",
            "assessment_due_days": "7",
            "pending_days": "2",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"session_hours", "qualification_days"}
    assert 'value="30, soon"' in response.content.decode()
    assert ReminderSettings.load().session_hours == 24


def test_lead_times_are_saved(client, programme_admin):
    _signed_in(client, programme_admin)
    url = reverse("notifications:reminder_settings")
    data = {
        "session_hours": "12",
        "qualification_days": "7, 60,14",
        "assessment_due_days": "5",
        "pending_days": "3",
    }
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # twice: the same one row
    lead = ReminderSettings.objects.get()
    assert (lead.session_hours, lead.qualification_days, lead.pending_days) == (12, [60, 14, 7], 3)
    assert 'value="60, 14, 7"' in client.get(url).content.decode()


def test_the_lead_times_start_from_the_setting(db):
    assert ReminderSettings.load().qualification_days == [30, 7]


def test_the_jobs_page_shows_each_jobs_last_run_and_outcome(client, programme_admin):
    tasks.reminders_sweep.apply()
    html = _signed_in(client, programme_admin).get(reverse("notifications:jobs")).content.decode()
    assert "reminders-sweep" in html and "clear-expired-sessions" in html
    assert "5 minutes" in html and "360 minutes" in html
    run = JobRun.objects.get(job="notifications.tasks.reminders_sweep")
    assert run.outcome == JobRun.Outcome.OK and run.finished_at >= run.started_at
    assert "text-bg-success" in html and "Not run yet" in html


@pytest.mark.expect_error_log
def test_a_failed_job_is_shown_with_its_error(client, programme_admin, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(tasks.services, "reminders_sweep", broken)
    tasks.reminders_sweep.apply()
    run = JobRun.objects.get()
    assert run.outcome == JobRun.Outcome.FAILED and "went away" in run.detail
    html = _signed_in(client, programme_admin).get(reverse("notifications:jobs")).content.decode()
    assert "the database went away" in html and "text-bg-danger" in html


# The calendar feed ------------------------------------------------------------------------------


def _feed(client, token):
    client.logout()
    return client.get(reverse("calendar_feed", args=[token]))


def test_the_calendar_link_is_made_shown_regenerated_and_revoked(client, world, trainee):
    _signed_in(client, trainee)
    assert client.post(reverse("notifications:calendar_token_new")).status_code == 302
    token = CalendarToken.objects.active().get(user=trainee).token
    assert f"/calendar/{token}.ics" in client.get(reverse("accounts:profile")).content.decode()

    client.post(reverse("notifications:calendar_token_new"))
    new = CalendarToken.objects.active().get(user=trainee).token
    assert new != token
    assert _feed(client, token).status_code == 404
    assert _feed(client, new).status_code == 200

    _signed_in(client, trainee).post(reverse("notifications:calendar_token_revoke"))
    assert _feed(client, new).status_code == 404
    assert not CalendarToken.objects.active().exists()


def test_the_feed_holds_sessions_cancellations_and_expiries(client, world, trainee, trainer):
    session = world["session_a"]
    session.trainees.add(world["trainee_a"])
    cancelled = f.TrainingSessionFactory(
        cohort=world["cohort_a"],
        trainer=trainer,
        starts_at=timezone.now() + dt.timedelta(days=2),
        status="cancelled",
        cancellation_reason="Simulator down.",
    )
    cancelled.trainees.add(world["trainee_a"])
    grant = QualificationGrant.objects.create(
        trainee=world["trainee_a"],
        qualification=world["qualification"],
        granted_on=dt.date(2026, 1, 1),
        expires_on=dt.date(2026, 4, 1),
        granted_by=trainer,
    )
    token = CalendarToken.objects.create(user=trainee).token
    response = _feed(client, token)
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert f"session-{session.pk}@127.0.0.1" in events
    assert str(events[f"session-{cancelled.pk}@127.0.0.1"]["STATUS"]) == "CANCELLED"
    expiry = events[f"qualification-{grant.pk}@127.0.0.1"]
    assert expiry.decoded("DTSTART") == dt.date(2026, 4, 1)
    # The trainer's feed holds the sessions they lead, not the trainee's expiries.
    trainer_feed = Calendar.from_ical(
        _feed(client, CalendarToken.objects.create(user=trainer).token).content
    )
    uids = {str(e["UID"]) for e in trainer_feed.walk("VEVENT")}
    assert f"session-{cancelled.pk}@127.0.0.1" in uids and not any("qualif" in u for u in uids)


def test_a_deactivated_persons_feed_is_not_found(client, trainee):
    token = CalendarToken.objects.create(user=trainee).token
    trainee.is_active = False
    trainee.save()
    assert _feed(client, token).status_code == 404


def test_the_demo_trainees_feed_holds_their_sessions(client, db):
    call_command("seed_demo", force=True, verbosity=0)
    user = User.objects.get(username="trainee")
    expected = set(
        TrainingSession.objects.filter(
            trainees__user=user, starts_at__gte=timezone.now() - dt.timedelta(days=89)
        ).values_list("pk", flat=True)
    )
    assert expected
    token = CalendarToken.objects.create(user=user).token
    calendar = Calendar.from_ical(_feed(client, token).content)
    uids = {str(e["UID"]) for e in calendar.walk("VEVENT")}
    assert {f"session-{pk}@127.0.0.1" for pk in expected} <= uids
    assert any(uid.startswith("qualification-") for uid in uids)
