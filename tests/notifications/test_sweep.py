"""The reminder sweep, with time travel: what is due is delivered exactly once, e-mail waits for
the end of quiet hours, a dead worker's claim is taken over after its lease."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from notifications import services, tasks
from notifications.delivery import renderer
from notifications.models import Channel, Delivery, DeliveryStatus, Notification, ReminderSettings
from tests import factories as f
from trainees.models import CohortPlanEntry, QualificationGrant

UTC = dt.UTC
MONDAY = dt.datetime(2026, 3, 9, 2, 0, tzinfo=UTC)  # 10:00 in Beijing, 07:00 in Karachi


@pytest.fixture
def course(trainer, trainee):
    revision = f.revision_ready(modules=1)
    cohort = f.CohortFactory(revision=revision, trainers=[trainer], starts_on=dt.date(2026, 1, 5))
    enrolled = f.TraineeFactory(user=trainee, cohort=cohort)
    return {"revision": revision, "cohort": cohort, "trainee": enrolled}


def _session(course, trainer, starts_at):
    session = f.TrainingSessionFactory(
        cohort=course["cohort"], trainer=trainer, starts_at=starts_at, status="scheduled"
    )
    session.trainees.set([course["trainee"]])
    return session


def _emails(key_part=""):
    return [m for m in mail.outbox if key_part in m.extra_headers["X-Notification-Key"]]


@time_machine.travel(MONDAY, tick=False)
def test_it_reminds_the_trainer_and_trainees_of_a_session_once(course, trainer, trainee, enqueued):
    _session(course, trainer, MONDAY + dt.timedelta(hours=20))
    _session(course, trainer, MONDAY + dt.timedelta(hours=30))  # beyond the 24 hours

    first = services.reminders_sweep()
    enqueued.run(times=2)  # a redelivered task finds its delivery sent
    second = services.reminders_sweep()
    enqueued.run()

    assert first["recorded"] == 2 and second["recorded"] == 0
    assert sorted(Notification.objects.values_list("recipient__username", flat=True)) == [
        "ayesha",
        "lihao",
    ]
    assert sorted(m.to[0] for m in mail.outbox) == ["ayesha@example.org", "lihao@example.org"]
    assert Notification.objects.filter(shown_at__isnull=False).count() == 2
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}

    # Six hours later the second session is within 24 hours: reminded, once; the first is not.
    with time_machine.travel(MONDAY + dt.timedelta(hours=7), tick=False):
        assert services.reminders_sweep()["recorded"] == 2
        enqueued.run()
        assert services.reminders_sweep()["recorded"] == 0
    assert len(mail.outbox) == 4


@time_machine.travel(MONDAY, tick=False)
def test_it_writes_the_email_in_the_recipients_language_and_time_zone(
    course, trainer, trainee, enqueued
):
    trainer.time_zone = "Asia/Karachi"
    trainer.save()
    _session(course, trainer, dt.datetime(2026, 3, 10, 1, 0, tzinfo=UTC))
    services.reminders_sweep()
    enqueued.run()

    to_trainer = next(m for m in mail.outbox if m.to == ["lihao@example.org"])
    assert "6 a.m." in to_trainer.body  # 01:00 UTC is 06:00 in Karachi
    html = to_trainer.alternatives[0][0]
    assert 'lang="en"' in html and "/sessions/" in html
    to_trainee = next(m for m in mail.outbox if m.to == ["ayesha@example.org"])
    assert 'lang="ur" dir="rtl"' in to_trainee.alternatives[0][0]


def test_quiet_hours_delay_the_email_but_not_the_notice(course, trainer, trainee, enqueued):
    trainee.time_zone = "Asia/Karachi"
    trainee.quiet_hours_start = dt.time(22, 0)
    trainee.quiet_hours_end = dt.time(7, 0)
    trainee.save()
    late = dt.datetime(2026, 3, 9, 18, 30, tzinfo=UTC)  # 23:30 in Karachi
    _session(course, trainer, late + dt.timedelta(hours=12))

    with time_machine.travel(late, tick=False):
        services.reminders_sweep()
        enqueued.run()
    assert Notification.objects.get(recipient=trainee).shown_at is not None
    assert _emails() and all(m.to == ["lihao@example.org"] for m in mail.outbox)
    waiting = Delivery.objects.get(notification__recipient=trainee, channel=Channel.EMAIL)
    assert waiting.status == DeliveryStatus.PENDING
    assert waiting.not_before == dt.datetime(2026, 3, 10, 2, 0, tzinfo=UTC)  # 07:00 Karachi

    with time_machine.travel(dt.datetime(2026, 3, 10, 1, 59, tzinfo=UTC), tick=False):
        services.reminders_sweep()
        enqueued.run()
    assert [m.to for m in mail.outbox] == [["lihao@example.org"]]

    for minute in (1, 6):  # the first sweep after the quiet hours sends it, the next does not
        with time_machine.travel(dt.datetime(2026, 3, 10, 2, minute, tzinfo=UTC), tick=False):
            services.reminders_sweep()
            enqueued.run()
    assert sorted(m.to[0] for m in mail.outbox) == ["ayesha@example.org", "lihao@example.org"]


def test_quiet_hours_chosen_after_queueing_still_hold_the_email(course, trainer, trainee):
    with time_machine.travel(dt.datetime(2026, 3, 9, 18, 30, tzinfo=UTC), tick=False):
        services.notify(
            recipient=trainee,
            kind="debrief_pending",
            key="k1",
            params={"code": "A-1", "title": "Exam", "url": ""},
        )
        trainee.time_zone = "Asia/Karachi"
        trainee.quiet_hours_start, trainee.quiet_hours_end = dt.time(22, 0), dt.time(7, 0)
        trainee.save()
        email = Delivery.objects.get(channel=Channel.EMAIL)
        assert services.delivery_send(delivery_id=email.pk) == DeliveryStatus.PENDING
    assert mail.outbox == []
    email.refresh_from_db()
    assert email.not_before == dt.datetime(2026, 3, 10, 2, 0, tzinfo=UTC)


def test_a_qualification_is_reminded_at_each_lead_time_and_on_the_day(course, trainee, enqueued):
    qualification = course["revision"].qualifications.first()
    QualificationGrant.objects.create(
        trainee=course["trainee"],
        qualification=qualification,
        granted_on=dt.date(2026, 1, 10),
        expires_on=dt.date(2026, 4, 10),
        granted_by=trainee,
    )
    for day in [
        dt.date(2026, 3, 1),
        dt.date(2026, 3, 20),
        dt.date(2026, 3, 21),
        dt.date(2026, 4, 5),
        dt.date(2026, 4, 6),
        dt.date(2026, 4, 10),
        dt.date(2026, 4, 11),
    ]:
        with time_machine.travel(dt.datetime.combine(day, dt.time(3, 0), UTC), tick=False):
            services.reminders_sweep()
            enqueued.run()
    keys = sorted(Notification.objects.values_list("key", flat=True))
    assert [k.rsplit(":", 1)[1] for k in keys] == ["0", "30", "7"]
    assert len(_emails("qualification:")) == 3


def test_a_renewed_qualification_is_not_reminded(course, trainee, enqueued):
    qualification = course["revision"].qualifications.first()
    for granted, expires in [
        (dt.date(2026, 1, 10), dt.date(2026, 4, 10)),
        (dt.date(2026, 3, 1), dt.date(2026, 6, 1)),
    ]:
        QualificationGrant.objects.create(
            trainee=course["trainee"],
            qualification=qualification,
            granted_on=granted,
            expires_on=expires,
            granted_by=trainee,
        )
    with time_machine.travel(dt.datetime(2026, 4, 5, 3, 0, tzinfo=UTC), tick=False):
        assert services.reminders_sweep()["found"] == 0


def test_an_unsigned_result_and_an_unacknowledged_debrief_are_reminded_after_two_days(
    course, trainer, trainee, enqueued
):
    with time_machine.travel(MONDAY, tick=False):
        unsigned = f.AssessmentResultFactory(
            trainee=course["trainee"], assessor=trainer, signed=False
        )
        signed = f.AssessmentResultFactory(trainee=course["trainee"], assessor=trainer, attempt=2)
        assert services.reminders_sweep()["found"] == 0
    with time_machine.travel(MONDAY + dt.timedelta(days=2, minutes=1), tick=False):
        services.reminders_sweep()
        enqueued.run()
        services.reminders_sweep()
    found = dict(Notification.objects.values_list("kind", "recipient__username"))
    assert found == {"signature_pending": "lihao", "debrief_pending": "ayesha"}
    assert (
        Notification.objects.get(kind="signature_pending")
        .params["url"]
        .endswith(f"/results/{unsigned.pk}/")
    )
    assert str(signed.pk) in Notification.objects.get(kind="debrief_pending").key
    assert len(mail.outbox) == 2


def test_an_assessment_due_then_overdue_against_the_plan(course, trainer, trainee, enqueued):
    module = course["revision"].modules.first()
    entry = CohortPlanEntry.objects.create(
        cohort=course["cohort"], module=module, start_week=8, end_week=10
    )
    due = entry.due_on  # 2026-03-15
    with time_machine.travel(dt.datetime.combine(due - dt.timedelta(days=8), dt.time(3), UTC)):
        assert services.reminders_sweep()["found"] == 0
    with time_machine.travel(dt.datetime.combine(due - dt.timedelta(days=6), dt.time(3), UTC)):
        services.reminders_sweep()
    with time_machine.travel(dt.datetime.combine(due + dt.timedelta(days=1), dt.time(3), UTC)):
        services.reminders_sweep()
        services.reminders_sweep()
    kinds = sorted(Notification.objects.values_list("kind", "recipient__username"))
    assert kinds == [
        ("assessment_due", "ayesha"),
        ("assessment_overdue", "ayesha"),
        ("assessment_overdue", "lihao"),
    ]


def test_a_passed_assessment_is_not_reminded(course, trainer, trainee):
    module = course["revision"].modules.first()
    CohortPlanEntry.objects.create(
        cohort=course["cohort"], module=module, start_week=8, end_week=10
    )
    with time_machine.travel(dt.datetime(2026, 3, 10, 3, tzinfo=UTC)):
        f.AssessmentResultFactory(trainee=course["trainee"], assessor=trainer, score=Decimal(90))
        assert services.reminders_sweep()["found"] == 0


def test_lead_times_come_from_the_settings_programme_admins_edit(course, trainer, enqueued):
    lead = ReminderSettings.load()
    lead.session_hours = 48
    lead.save()
    with time_machine.travel(MONDAY, tick=False):
        _session(course, trainer, MONDAY + dt.timedelta(hours=40))
        assert services.reminders_sweep()["recorded"] == 2


def test_a_dead_workers_claim_is_taken_over_after_its_lease(
    course, trainer, trainee, enqueued, settings
):
    settings.NOTIFICATION_CLAIM_LEASE = 360
    with time_machine.travel(MONDAY, tick=False):
        _session(course, trainer, MONDAY + dt.timedelta(hours=3))
        services.reminders_sweep()
        email_ids = list(
            Delivery.objects.filter(channel=Channel.EMAIL).values_list("pk", flat=True)
        )
        enqueued.clear()
        # A worker claims the e-mails, then dies before sending them.
        assert all(services.delivery_claim(delivery_id=pk) for pk in email_ids)
        assert not services.delivery_claim(delivery_id=email_ids[0])  # a second worker: no
    with time_machine.travel(MONDAY + dt.timedelta(seconds=300), tick=False):
        services.reminders_sweep()
        assert not (set(enqueued) & set(email_ids))  # the lease has not lapsed
    with time_machine.travel(MONDAY + dt.timedelta(seconds=400), tick=False):
        services.reminders_sweep()
        assert set(email_ids) <= set(enqueued)
        enqueued.run(times=2)
    assert len(mail.outbox) == 2
    assert set(Delivery.objects.filter(pk__in=email_ids).values_list("attempts", flat=True)) == {2}


def test_a_transient_error_releases_the_claim_for_the_retry(course, trainer, enqueued, settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_sweep.BrokenBackend"
    with time_machine.travel(MONDAY, tick=False):
        services.notify(
            recipient=trainer,
            kind="debrief_pending",
            key="x",
            params={"code": "A", "title": "T", "url": ""},
        )
        email = Delivery.objects.get(channel=Channel.EMAIL)
        with pytest.raises(ConnectionRefusedError):
            services.delivery_send(delivery_id=email.pk)
    email.refresh_from_db()
    assert email.status == DeliveryStatus.PENDING and "ConnectionRefused" in email.last_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # The retry comes after the failure, on the same clock (not on the run's own day, which
    # `make test-dates` may set before Monday).
    with time_machine.travel(MONDAY + dt.timedelta(minutes=1), tick=False):
        assert services.delivery_send(delivery_id=email.pk) == DeliveryStatus.SENT
    assert len(mail.outbox) == 1


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server is down")


def test_notify_records_a_key_once_and_honours_the_channels(trainer, enqueued):
    trainer.notify_email = False
    trainer.save()
    params = {"code": "A", "title": "T", "url": ""}
    assert services.notify(recipient=trainer, kind="debrief_pending", key="k", params=params)
    assert not services.notify(recipient=trainer, kind="debrief_pending", key="k", params=params)
    assert list(Delivery.objects.values_list("channel", flat=True)) == [Channel.IN_APP]
    enqueued.run()
    assert Notification.objects.get().shown_at is not None and mail.outbox == []


def test_notify_enqueues_only_after_the_transaction_commits(
    trainer, django_capture_on_commit_callbacks, monkeypatch
):
    from notifications import tasks

    sent = []
    monkeypatch.setattr(tasks.delivery_send, "delay", sent.append)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.notify(recipient=trainer, kind="debrief_pending", key="k", params={})
        assert sent == []
    assert len(callbacks) == 2 and len(sent) == 2
    assert timezone.now() >= Delivery.objects.first().not_before


@renderer("test_broken")
def _broken(recipient, params):
    raise ValueError("a renderer that cannot write this")


def test_an_unknown_kind_is_refused_before_anything_is_recorded(trainer):
    with pytest.raises(LookupError):
        services.notify(recipient=trainer, kind="no_such_kind", key="k", params={})
    assert not Notification.objects.exists()


@pytest.mark.expect_error_log
def test_a_delivery_that_cannot_be_sent_is_marked_failed_with_its_error(trainer, enqueued):
    services.notify(recipient=trainer, kind="test_broken", key="k", params={})
    email = Delivery.objects.get(channel=Channel.EMAIL)
    tasks.delivery_send.apply(args=[email.pk])
    email.refresh_from_db()
    assert email.status == DeliveryStatus.FAILED and "cannot write" in email.last_error
    assert mail.outbox == []
