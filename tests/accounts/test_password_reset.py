"""Password reset tells a stranger nothing and cannot be used to flood a mailbox.

The request only queues the e-mail (after commit); the Celery task decides whether there is
anyone to write to. So a known and an unknown address get the same answer after the same work,
however slow the mail server is, and both count against the same limits.
"""

import time

import pytest
from django.core import mail

from accounts import tasks
from tests.slow_smtp import SlowSMTPServer

RESET = "/accounts/password/reset/"
NOBODY = "nobody@example.org"
SMTP_DELAY = 0.5  # seconds before each of the server's replies: 3.5 s for one message


@pytest.fixture
def slow_smtp(settings):
    with SlowSMTPServer(delay=SMTP_DELAY) as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = 30
        yield server


def test_a_known_and_an_unknown_address_get_the_same_answer_in_the_same_time(
    client, trainer, slow_smtp, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://tracker.example.org"
    client.get(RESET)  # the templates compiled, as on a running site
    answers, queued, last = {}, {}, {}
    for _ in range(3):
        for email in (trainer.email, NOBODY):
            with django_capture_on_commit_callbacks() as callbacks:
                started = time.perf_counter()
                response = client.post(RESET, {"email": email})
                took = time.perf_counter() - started
            answers.setdefault(email, []).append((response.status_code, response["Location"]))
            queued.setdefault(email, []).append(len(callbacks))
            last[email] = callbacks
            # Talking to this server takes seconds: the request never does.
            assert took < SMTP_DELAY, (email, took)
            assert slow_smtp.messages == []
    sent = (302, "/accounts/password/reset/sent/")
    assert answers[trainer.email] == answers[NOBODY] == [sent] * 3
    # The same work: one task queued for either address.
    assert queued[trainer.email] == queued[NOBODY] == [1, 1, 1]

    # The worker sends it: to the known address only.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    for callbacks in last.values():
        for callback in callbacks:
            callback()
    [(recipients, message)] = slow_smtp.messages
    assert recipients == [trainer.email]
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Content-Language"] == "en"
    assert message["Message-ID"].endswith("@tracker.example.org>")


def test_an_address_may_ask_three_times_an_hour_known_or_not(
    client, trainer, settings, time_machine
):
    time_machine.move_to("2026-12-03 09:00Z")
    for email in (trainer.email, NOBODY):
        for _ in range(settings.PASSWORD_RESET_LIMIT_PER_ADDRESS):
            assert client.post(RESET, {"email": email}).status_code == 302
        refused = client.post(RESET, {"email": email.upper()})
        assert refused.status_code == 429
        assert "Too many links were asked for" in refused.content.decode()
        assert refused.context["form"]["email"].value() == email.upper()
    time_machine.move_to("2026-12-03 10:01Z")
    assert client.post(RESET, {"email": trainer.email}).status_code == 302


def test_a_client_may_ask_for_ten_addresses_an_hour(client, db, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for n in range(settings.PASSWORD_RESET_LIMIT_PER_CLIENT):
        response = client.post(
            RESET, {"email": f"n{n}@example.org"}, HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy
        )
        assert response.status_code == 302
    # A forged address written in front of the proxy's does not make another client.
    forged = client.post(
        RESET, {"email": "more@example.org"}, HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7", **proxy
    )
    assert forged.status_code == 429
    # Another client behind the same proxy is not held back.
    other = client.post(
        RESET, {"email": "more@example.org"}, HTTP_X_FORWARDED_FOR="203.0.113.20", **proxy
    )
    assert other.status_code == 302


def test_a_redelivered_task_sends_once(trainer, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    kwargs = {"email": trainer.email, "domain": "testserver", "use_https": True}
    assert tasks.password_reset_send.apply(kwargs=kwargs, task_id="same").get() == 1
    assert tasks.password_reset_send.apply(kwargs=kwargs, task_id="same").get() == 0
    assert len(mail.outbox) == 1
    assert "https://testserver/accounts/password/reset/" in mail.outbox[0].body
