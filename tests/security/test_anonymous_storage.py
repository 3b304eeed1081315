"""Nothing an anonymous client sends is stored.

A stranger may leave only small, bounded, short-lived state: the CSRF cookie (in their own
browser), rate-limit counters and django-axes' failure counters. The session log used to keep a
log posted after the sign-in expired in a new sign-in session, 2 MB a request; the log is now
kept on the trainer's device (static/js/session_log.js), and the server keeps nothing.
"""

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.urls import reverse

from tests.trainees.sessions.test_views import crew, log_data  # noqa: F401 (a fixture)

TWO_MB = "x" * (2 * 1024 * 1024)
A_FEW_KB = 4 * 1024


def stored_sizes() -> list[int]:
    """The size of every sign-in session and failure record the server holds."""
    sessions = [len(data) for data in Session.objects.values_list("session_data", flat=True)]
    attempts = [
        len(a.get_data) + len(a.post_data) + len(a.user_agent) + len(a.username or "")
        for a in AccessAttempt.objects.all()
    ]
    return sessions + attempts


def cookie_names(response) -> set[str]:
    """The cookies `response` sets, none of them a sign-in session's."""
    names = set(response.cookies)
    assert django_settings.SESSION_COOKIE_NAME not in names
    return names


@pytest.fixture(params=["django.contrib.sessions.backends.db", "cached_db"])
def session_engine(request, settings):
    """Sessions in the database, or read from the cache and written through (production's)."""
    if request.param == "cached_db":
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
        settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    yield request.param
    cache.clear()


def test_an_anonymous_post_of_2_mb_to_a_session_log_stores_nothing(
    client,
    world,
    crew,  # noqa: F811
    session_engine,
):
    session, trainees = crew
    data = log_data(session, trainees)
    data[f"t{trainees[0].pk}-remarks"] = TWO_MB
    url = reverse("trainees:session_log", args=[session.pk])
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not Session.objects.exists()
    assert cookie_names(response) <= {"csrftoken"}
    # The sign-in page it is sent to stores nothing either.
    assert client.get(response["Location"]).status_code == 200
    assert not Session.objects.exists()


@pytest.mark.parametrize(
    ("url_name", "field"),
    [
        ("accounts:login", "username"),
        ("accounts:login", "password"),
        ("accounts:login", "next"),
        ("accounts:password_reset", "email"),
        ("set_language", "language"),
        ("set_language", "next"),
    ],
)
def test_an_anonymous_post_of_2_mb_anywhere_open_leaves_nothing_larger_than_a_few_kb(
    client, trainer, session_engine, url_name, field
):
    data = {"username": trainer.username, "password": "wrong", "email": "x@example.org"}
    data[field] = TWO_MB
    for _ in range(3):
        response = client.post(reverse(url_name), data)
        assert response.status_code < 500
    assert all(size < A_FEW_KB for size in stored_sizes()), stored_sizes()
    assert cookie_names(response) <= {"csrftoken", "django_language"}
