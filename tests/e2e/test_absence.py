"""A notice of absence arrives in the trainer's log as excused (issue 29, part 3), in Chromium.

A demo trainee opens their timetable, gives notice for their next session with the reason;
their trainer signs in, sees the notice on their timetable, opens the log, and the trainee's
line is Excused with the reason as its remark. The demo is laid out from the day it is seeded,
so the session is found as the trainee's next one, whatever the day.
"""

import re

from django.utils import timezone
from playwright.sync_api import expect

from demo.seed import DEMO_PASSWORD
from trainees.models import AbsenceNotice, TrainingSession

REASON = "Dental surgery at the Astronaut Center clinic; back the day after."


def _sign_in(browser, live_server, username: str, errors: list):
    """A browser of one's own, signed in; what goes wrong on its pages (a CSP violation, a
    failing script or request) is put in `errors`."""
    context = browser.new_context()
    page = context.new_page()
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "response",
        lambda response: (
            response.status >= 400 and errors.append(f"{response.status} {response.url}")
        ),
    )
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    return context, page


def test_a_notice_of_absence_arrives_in_the_trainers_log_as_excused(browser, live_server, demo):
    errors = []
    session = (
        TrainingSession.objects.filter(
            status="scheduled",
            starts_at__gt=timezone.now(),
            cohort__trainers__username="trainer",
            trainees__isnull=False,
        )
        .order_by("starts_at")
        .first()
    )
    trainee = session.trainees.select_related("user").order_by("user__username").first()
    trainee.user.preferred_language = "en"
    trainee.user.save(update_fields=["preferred_language"])
    trainer = session.trainer
    trainer.preferred_language = "en"
    trainer.save(update_fields=["preferred_language"])
    day = timezone.localtime(session.starts_at, trainee.user.time_zone).date().isoformat()

    # The trainee, from their own timetable.
    context, page = _sign_in(browser, live_server, trainee.user.username, errors)
    page.goto(f"{live_server.url}/timetable/?view=day&on={day}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Timetable")
    page.locator(f"a[href='/sessions/{session.pk}/absence/']").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notice of absence")
    page.get_by_label("Kind of reason").select_option("medical_appointment")
    page.get_by_role("textbox", name=re.compile("Reason")).fill(REASON)
    page.get_by_role("button", name="Give notice").click()
    expect(page.locator(".alert-success")).to_contain_text("Your trainer is told")
    expect(page.locator("#absence-notices")).to_contain_text(REASON)
    context.close()

    notice = AbsenceNotice.objects.get(session=session)
    assert (notice.trainee, notice.reason, notice.withdrawn_at) == (trainee, REASON, None)

    # Their trainer: the timetable says so, and the log opens with them excused.
    context, page = _sign_in(browser, live_server, trainer.username, errors)
    page.goto(f"{live_server.url}/trainers/{trainer.pk}/timetable/?view=day&on={day}")
    entry = page.locator("tr.tt-entry").filter(
        has=page.locator(f"a[href='/sessions/{session.pk}/']")
    )
    expect(entry.locator(".tt-notice")).to_have_text(re.compile(r"1 excused ahead"))
    entry.get_by_role("link").first.click()
    expect(page.locator("#absence-notices")).to_contain_text(REASON)
    expect(page.locator("#absence-notices")).to_contain_text("Medical appointment")
    page.get_by_role("link", name="Log this session").click()
    line = page.locator("fieldset.card").filter(
        has=page.locator("legend", has_text=trainee.user.display_name)
    )
    expect(line.get_by_label("Attendance")).to_have_value("excused")
    expect(line.get_by_label("Remarks")).to_have_value(REASON)
    expect(line).to_contain_text("Gave notice")
    context.close()
    assert errors == []
