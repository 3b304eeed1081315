"""bench/run's own parts: the form reader that builds its sign-in and session-log requests."""

from django.urls import reverse

from bench.bench import FormFields
from trainees.models import SessionAttendance


def test_it_reads_the_sign_in_form_as_a_browser_would_submit_it(client, db):
    fields = FormFields.of(client.get(reverse("accounts:login")).content.decode(), "password")
    assert {"csrfmiddlewaretoken", "username", "password"} <= set(fields)


def test_the_session_log_it_posts_is_accepted_and_logs_the_crew(client, world, personas):
    # What bench/run sends for each POST: the form's own values, a fresh key, the times.
    client.force_login(personas["trainer"])
    session = world["session_a"]
    url = reverse("trainees:session_log", args=[session.pk])
    fields = FormFields.of(client.get(url).content.decode(), "submission_key")
    assert {"version", "starts_at", "ends_at"} <= set(fields)
    version = session.version
    response = client.post(url, fields)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response.url == session.get_absolute_url()
    session.refresh_from_db()
    assert session.version == version + 1  # saved, not "already submitted"
    assert SessionAttendance.objects.filter(session=session).exists()
