"""The demo trainer logs yesterday's session for the demo cohort on a phone, then finds it."""

from playwright.sync_api import expect

from demo.seed import DEMO_PASSWORD
from tests.e2e.conftest import PHONE
from trainees.models import SessionAttendance, TrainingSession


def test_the_demo_trainer_logs_a_session_at_phone_width(page, live_server, demo, console_errors):
    session = TrainingSession.objects.get(
        cohort__trainers__username="trainer", status="scheduled", notes__startswith="Extra"
    )
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("trainer")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Training floor")

    page.get_by_role("link", name=f"Log {session.module.code} {session.module.title}").click()
    crew = page.locator("fieldset.card")
    expect(crew).to_have_count(session.trainees.count())
    first = crew.first
    name = first.locator("legend.card-header").inner_text()
    first.get_by_label("Attendance").select_option("late")
    first.get_by_label("Hours credited").fill("3.5")
    for grade in first.locator("select[name*='-c']").all():
        grade.select_option("4")
    first.get_by_label("Remarks").fill("Missed the briefing; strong hands-on work.")
    # The draft is kept as the trainer types (htmx, under the site's CSP).
    expect(page.locator("#draft-status")).to_contain_text("Draft saved at")
    # Each change is sent as a draft at once; let the last one arrive before saving.
    with page.expect_response(lambda response: "/log/draft/" in response.url):
        crew.nth(1).get_by_label("Attendance").select_option("excused")

    page.get_by_role("button", name="Save the log").click()
    expect(page.locator(".alert-success")).to_contain_text("The session is logged.")
    expect(page.get_by_text("Missed the briefing; strong hands-on work.")).to_be_visible()

    page.goto(f"{live_server.url}/trainer/sessions/?when=past")
    row = page.get_by_role("row").filter(has_text=session.module.code).first
    expect(row).to_contain_text("Completed")
    row.get_by_role("link").click()
    expect(page.get_by_text(name).first).to_be_visible()

    late = SessionAttendance.objects.get(session=session, trainee__user__display_name=name)
    assert (late.attendance, str(late.hours_credited)) == ("late", "3.50")
    assert console_errors == []


def _log_with_a_saved_draft(page, live_server, world, trainer):
    """A two-trainee session's log open on a phone, its first remark saved as a draft."""
    from tests.e2e.test_sign_in import sign_in
    from tests.factories import TraineeFactory, TrainingSessionFactory

    cohort = world["cohort_a"]
    crew = [world["trainee_a"], TraineeFactory(cohort=cohort)]
    session = TrainingSessionFactory(cohort=cohort, trainer=trainer, status="scheduled")
    session.trainees.set(crew)
    page.set_viewport_size(PHONE)
    sign_in(page, live_server.url, trainer.username)
    page.goto(f"{live_server.url}/sessions/{session.pk}/log/")
    lines = page.locator("fieldset.card")
    with page.expect_response(lambda response: "/log/draft/" in response.url):
        lines.nth(0).get_by_label("Remarks").fill("Reached the server.")
        lines.nth(0).get_by_label("Remarks").blur()
    return session, lines


def test_typing_survives_a_dropped_connection(page, live_server, world, trainer, console_errors):
    session, lines = _log_with_a_saved_draft(page, live_server, world, trainer)

    page.context.set_offline(True)
    lines.nth(1).get_by_label("Remarks").fill("Typed while the wifi was down.")
    lines.nth(1).get_by_label("Remarks").blur()
    expect(page.locator("#draft-status")).to_contain_text("No connection")

    page.context.set_offline(False)
    page.reload()
    expect(page.locator("#draft-status")).to_contain_text("Restored what you typed on this device")
    expect(lines.nth(0).get_by_label("Remarks")).to_have_value("Reached the server.")
    expect(lines.nth(1).get_by_label("Remarks")).to_have_value("Typed while the wifi was down.")
    page.get_by_role("button", name="Save the log").click()
    expect(page.locator(".alert-success")).to_contain_text("The session is logged.")
    remarks = set(
        SessionAttendance.objects.filter(session=session).values_list("remarks", flat=True)
    )
    assert remarks == {"Reached the server.", "Typed while the wifi was down."}
    # The draft request that failed while offline (htmx reports it) is the only error met.
    assert console_errors, "the draft request while offline should have failed"
    assert all(
        error.startswith("htmx:") or "ERR_INTERNET_DISCONNECTED" in error
        for error in console_errors
    ), console_errors


def test_a_log_typed_while_the_sign_in_expired_is_restored_from_the_device(
    page, live_server, world, trainer, console_errors
):
    """The server keeps nothing for a signed-out browser: the device keeps the log
    through signing in again, and the trainer saves it."""
    from django.contrib.sessions.models import Session

    from tests.factories import PASSWORD

    session, lines = _log_with_a_saved_draft(page, live_server, world, trainer)

    # The sign-in expired: its cookie is gone (the CSRF cookie lasts a year and stays).
    page.context.clear_cookies(name="sessionid")
    Session.objects.all().delete()
    lines.nth(1).get_by_label("Remarks").fill("Typed after the sign-in expired.")
    lines.nth(1).get_by_label("Remarks").blur()
    expect(page.locator("#draft-status")).to_contain_text("Your sign-in has expired")
    expect(page.locator("#draft-status form")).to_have_count(0)  # not the sign-in page
    page.get_by_role("button", name="Save the log").click()

    page.wait_for_url(lambda url: "/accounts/login/" in url)
    assert not Session.objects.exists()  # nothing kept on the server for a stranger
    page.get_by_label("Username").fill(trainer.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: f"/sessions/{session.pk}/log/" in url)
    expect(page.locator("#draft-status")).to_contain_text("Restored what you typed on this device")
    expect(lines.nth(0).get_by_label("Remarks")).to_have_value("Reached the server.")
    expect(lines.nth(1).get_by_label("Remarks")).to_have_value("Typed after the sign-in expired.")
    page.get_by_role("button", name="Save the log").click()
    expect(page.locator(".alert-success")).to_contain_text("The session is logged.")
    remarks = set(
        SessionAttendance.objects.filter(session=session).values_list("remarks", flat=True)
    )
    assert remarks == {"Reached the server.", "Typed after the sign-in expired."}
    assert console_errors == []
