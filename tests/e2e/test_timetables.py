"""The demo trainer, on a phone, opens their timetable from the menu: a week of sessions as a
day list that needs no sideways scrolling, and the next and previous weeks by keyboard alone
(issue 29)."""

import datetime as dt

from playwright.sync_api import expect

from accounts.models import User
from demo.seed import DEMO_PASSWORD
from tests.e2e.conftest import PHONE
from trainees.models import TrainingSession


def _tab_to(page, name: str, limit: int = 60) -> None:
    """Press Tab until the link `name` has the focus (as a keyboard user reaches it)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == name:
            return
    raise AssertionError(f"{name!r} is not reached by Tab")


def test_the_trainer_reads_their_week_on_a_phone_and_turns_it_by_keyboard(
    page, live_server, demo, console_errors
):
    trainer = User.objects.get(username="trainer")
    session = TrainingSession.objects.filter(trainer=trainer).order_by("-starts_at").first()
    day = session.starts_at.astimezone(trainer.time_zone).date()
    monday = day - dt.timedelta(days=day.weekday())

    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("trainer")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Show or hide the menu").click()
    page.get_by_role("link", name="My timetable").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Timetable")

    # The week of the trainer's last session, with the session in it.
    page.goto(f"{page.url.split('?')[0]}?view=week&on={day.isoformat()}")
    expect(page.get_by_role("link", name=session.module.code).first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # Each session is a block of labelled lines on the phone, not a wide table.
    assert (
        page.locator(".tt-timetable td").first.evaluate("cell => getComputedStyle(cell).display")
        == "block"
    )

    _tab_to(page, "Next week")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**on={(day + dt.timedelta(days=7)).isoformat()}")
    expect(page.locator("#period")).to_contain_text(f"{(monday + dt.timedelta(days=7)).day}")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    _tab_to(page, "Previous week")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**on={day.isoformat()}")
    expect(page.get_by_role("link", name=session.module.code).first).to_be_visible()
    assert not console_errors, console_errors
