"""The trainer hears of a notice of absence, and of its withdrawal, in their own language: the
receiver (notifications/receivers.py) records it inside the notice's transaction; delivery
writes it when it is sent. On a fixed clock: Monday 9 March 2026, 08:00 UTC."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.db import transaction

from notifications.models import Channel, Notification
from tests import factories as f
from trainees.absences import services

NOW = dt.datetime(2026, 3, 9, 8, 0, tzinfo=dt.UTC)
REASON = "Dental surgery at the clinic."


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def upcoming(trainer, trainee):
    revision = f.revision_ready(modules=1)
    cohort = f.CohortFactory(revision=revision, trainers=[trainer], starts_on=dt.date(2026, 1, 5))
    enrolled = f.TraineeFactory(user=trainee, cohort=cohort)
    session = f.TrainingSessionFactory(
        cohort=cohort,
        trainer=trainer,
        starts_at=NOW + dt.timedelta(days=1),
        ends_at=NOW + dt.timedelta(days=1, hours=2),
        status="scheduled",
    )
    session.trainees.set([enrolled])
    return session, enrolled


def _give(session, enrolled):
    return services.absence_notice_give(
        session=session, trainee=enrolled, category="illness", reason=REASON, by=enrolled.user
    )


def test_the_trainer_is_told_of_a_notice_and_of_its_withdrawal(upcoming, trainer, enqueued):
    session, enrolled = upcoming
    notice = _give(session, enrolled)
    given = Notification.objects.get(recipient=trainer)
    assert (given.kind, given.key) == ("absence_notice", f"absence:{notice.pk}:given")
    assert given.params["reason"] == REASON
    assert set(given.deliveries.values_list("channel", flat=True)) == {
        Channel.IN_APP,
        Channel.EMAIL,
    }

    services.absence_notice_withdraw(notice=notice, by=enrolled.user)
    keys = set(Notification.objects.filter(recipient=trainer).values_list("key", flat=True))
    assert keys == {f"absence:{notice.pk}:given", f"absence:{notice.pk}:withdrawn"}
    assert not Notification.objects.filter(recipient=enrolled.user).exists()


def test_a_refused_notice_tells_no_one(upcoming, trainer, enqueued):
    session, enrolled = upcoming
    _give(session, enrolled)
    with pytest.raises(Exception, match="already given notice"):
        _give(session, enrolled)
    assert Notification.objects.filter(recipient=trainer).count() == 1


def test_a_notice_rolled_back_leaves_no_notification(upcoming, trainer, enqueued):
    session, enrolled = upcoming
    with pytest.raises(RuntimeError), transaction.atomic():
        _give(session, enrolled)
        raise RuntimeError("the request failed after the write")
    assert not Notification.objects.exists()


def test_a_chinese_speaking_trainer_reads_it_in_chinese(upcoming, trainer, enqueued):
    trainer.preferred_language = "zh-hans"
    trainer.time_zone = "Asia/Shanghai"
    trainer.save()
    session, enrolled = upcoming
    _give(session, enrolled)
    enqueued.run()

    (email,) = mail.outbox
    assert email.to == [trainer.email]
    assert "将缺席" in email.subject and "Ayesha Khan" in email.subject
    assert "生病" in email.body  # the kind of reason, "Illness", in Chinese
    assert REASON in email.body
    assert "记录表打开时将其标为请假" in email.body
    # The session starts at 08:00 UTC, 16:00 in the trainer's Shanghai.
    assert "2026年3月10日 16:00" in email.body
