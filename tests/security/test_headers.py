"""Headers: no-store on every page and download with someone's records, and the headers of
every automated e-mail."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.services import LinkSite, password_reset_send
from notifications.models import Channel, Delivery, DeliveryStatus
from notifications.services import delivery_send, notify
from reports.models import ReportKind
from reports.services import report_send
from trainees.models import MedicalHold


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("persona", "url_name", "obj"),
    [
        ("medic", "trainees:medical_home", None),
        ("medic", "trainees:medical_record", "trainee_a"),
        ("medic", "trainees:hold_detail", "hold_a"),
        ("trainee", "trainees:my_records", None),
        ("trainee", "trainees:trainee_home", None),
        ("trainer", "trainees:transcript", "trainee_a"),
        ("trainer", "trainees:transcript_pdf", "trainee_a"),
        ("trainer", "trainees:cohort_board_csv", "cohort_a"),
    ],
)
def test_records_are_never_stored_by_a_cache(world, personas, persona, url_name, obj):
    args = [world[obj].pk] if obj else []
    response = signed_in(personas[persona]).get(reverse(url_name, args=args))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_a_hold_the_medic_opened_is_marked_too(world, personas):
    hold = MedicalHold.objects.filter(trainee=world["trainee_a"]).first()
    response = signed_in(personas["medic"]).get(reverse("trainees:hold_detail", args=[hold.pk]))
    assert "no-store" in response["Cache-Control"]


def assert_automated(message, tag):
    headers = message.message()
    assert headers["Auto-Submitted"] == "auto-generated"
    assert headers["Content-Language"] == tag
    assert headers["Message-ID"].endswith("@tracker.example.org>")


@pytest.mark.parametrize(("language", "tag"), [("zh-hans", "zh-Hans"), ("ur", "ur"), ("en", "en")])
def test_a_notification_e_mail_says_it_is_automated_in_the_readers_language(
    trainer, settings, language, tag
):
    settings.SITE_URL = "https://tracker.example.org:8443"
    trainer.preferred_language = language
    trainer.notify_email = True
    trainer.save()
    params = {"code": "A", "title": "T", "url": ""}
    assert notify(recipient=trainer, kind="debrief_pending", key="k", params=params)
    email = Delivery.objects.get(channel=Channel.EMAIL)
    assert delivery_send(delivery_id=email.pk) == DeliveryStatus.SENT
    [message] = mail.outbox
    assert_automated(message, tag)


def test_a_report_e_mail_says_it_is_automated(world, trainee, settings):
    settings.SITE_URL = "https://tracker.example.org"
    assert report_send(reader=trainee, kind=ReportKind.TRAINEE_WEEKLY, key="k")
    [message] = mail.outbox
    assert_automated(message, "ur")  # the trainee reads Urdu


def test_a_password_reset_e_mail_says_it_is_automated(trainee, settings):
    settings.SITE_URL = "https://tracker.example.org"
    password_reset_send(email=trainee.email, site=LinkSite(domain="testserver", use_https=True))
    [message] = mail.outbox
    assert_automated(message, "ur")
