"""A lock-out holds for one user name from one client together, the client's address taken from
the proxies the deployment trusts; programme admins unlock from a page."""

import logging

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD

LOGIN = "/accounts/login/"
PROXY = "10.0.0.2"  # the load balancer: every request arrives from it
OWNER = "198.51.100.7"
STRANGER = "203.0.113.66"


@pytest.fixture
def behind_the_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1


def sign_in(client, username, password=PASSWORD, *, forwarded_for):
    return client.post(
        LOGIN,
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def test_a_strangers_wrong_passwords_do_not_lock_the_owner_out(trainer, settings, behind_the_proxy):
    stranger = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(stranger, "lihao", "guess", forwarded_for=STRANGER).status_code == 200
    # Writing the owner's address in front of the proxy's changes nothing: still the stranger.
    locked = sign_in(stranger, "lihao", "guess", forwarded_for=f"{OWNER}, {STRANGER}")
    assert locked.status_code == 429
    # The stranger stays locked out, even with the right password.
    assert sign_in(stranger, "lihao", forwarded_for=STRANGER).status_code == 429
    [attempt] = AccessAttempt.objects.all()
    assert (attempt.username, attempt.ip_address) == ("lihao", STRANGER)

    # The owner, from their own client behind the same proxy, signs in.
    owner = Client()
    assert sign_in(owner, "lihao", forwarded_for=OWNER).status_code == 302
    assert owner.get("/").status_code == 302  # signed in: sent to their landing page


def test_the_lock_out_message_says_it_is_this_device_and_who_unlocks(trainer, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(LOGIN, {"username": "lihao", "password": "guess"})
    assert response.status_code == 429
    text = " ".join(response.content.decode().split())
    assert "this account is locked on this device for 15 minutes" in text
    assert "ask a programme admin to unlock it (on the People page, under Locked sign-ins)" in text


def test_an_admin_unlocks_the_owner_from_the_page(
    trainer, programme_admin, settings, behind_the_proxy, caplog
):
    owner = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(owner, "lihao", "typo", forwarded_for=OWNER)
    assert sign_in(owner, "lihao", forwarded_for=OWNER).status_code == 429

    admin = Client()
    admin.force_login(programme_admin)
    people = admin.get(reverse("accounts:people")).content.decode()
    assert reverse("accounts:lockouts") in people
    page = admin.get(reverse("accounts:lockouts"))
    [lockout] = page.context["lockouts"]
    assert (lockout.person, lockout.ip_address) == (trainer, OWNER)
    assert OWNER in page.content.decode()

    with caplog.at_level(logging.INFO, logger="trainingtracker.audit"):
        done = admin.post(reverse("accounts:lockouts"), {"lockout": lockout.id}, follow=True)
    assert f"Li Hao can sign in again from {OWNER}." in done.content.decode()
    assert done.context["lockouts"] == []
    assert f"lock-out released user={trainer.pk} ip={OWNER} by={programme_admin.pk}" in (
        caplog.text
    )
    # In the person's history: who, and why.
    history = admin.get(reverse("trainees:person_history", args=[trainer.pk])).content.decode()
    # (six: the right password typed while locked counted too)
    assert f"Sign-in unlocked for the client {OWNER} after 6 failed attempts." in history
    entry = trainer.history.latest()
    assert (entry.history_user, entry.history_type) == (programme_admin, "~")

    assert sign_in(owner, "lihao", forwarded_for=OWNER).status_code == 302


def test_a_lock_out_on_no_ones_user_name_or_an_unknown_id_is_not_found(
    programme_admin, operator, settings
):
    stranger = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        stranger.post(LOGIN, {"username": "nobody", "password": "guess"})
    for _ in range(settings.AXES_FAILURE_LIMIT):
        stranger.post(LOGIN, {"username": operator.username, "password": "guess"})
    admin = Client()
    admin.force_login(programme_admin)
    # Not listed: no one is locked out by the first, and the admin does not manage operators.
    assert admin.get(reverse("accounts:lockouts")).context["lockouts"] == []
    for attempt in AccessAttempt.objects.all():
        assert admin.post(reverse("accounts:lockouts"), {"lockout": attempt.pk}).status_code == 404
    for junk in ["", "x", "99999999999999999999999"]:
        assert admin.post(reverse("accounts:lockouts"), {"lockout": junk}).status_code == 404
    assert AccessAttempt.objects.count() == 2


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "198.51.100.7", PROXY),  # no proxy trusted: the header is anyone's to write
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "1.2.3.4, 198.51.100.7", "198.51.100.7"),
        (2, "1.2.3.4, 198.51.100.7, 10.0.0.1", "198.51.100.7"),
        (2, "198.51.100.7", PROXY),  # fewer addresses than proxies: not through them
        (1, "not-an-address", PROXY),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_address_is_the_one_the_outermost_trusted_proxy_wrote(
    rf, settings, count, forwarded, expected
):
    from accounts.throttle import client_address

    settings.TRUSTED_PROXY_COUNT = count
    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected
