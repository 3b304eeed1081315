"""After the reminder sweep runs, the demo trainee sees an unread notification in the bell, opens
the list and follows it. Ayesha reads Urdu: the test reads the page's structure, not its words."""

from django.core.management import call_command
from playwright.sync_api import expect

from demo.seed import DEMO_PASSWORD


def test_the_demo_trainee_sees_the_reminder_the_sweep_found(
    page, live_server, demo, console_errors
):
    call_command("reminders_sweep", inline=True, verbosity=0)

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("trainee")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/trainee/")

    count = page.locator(".tt-bell .tt-unread-count")
    expect(count).to_be_visible()
    unread = int(count.inner_text().split()[0])
    assert unread >= 1
    page.locator(".tt-bell").click()
    page.wait_for_url(f"{live_server.url}/notifications/")
    items = page.locator(".tt-notification.tt-unread")
    expect(items.first).to_be_visible()
    assert items.count() == min(unread, 20)

    # Opening one marks it read and goes where it points.
    items.first.locator("button[type=submit]").click()
    page.wait_for_load_state()
    after = page.locator(".tt-bell .tt-unread-count")
    if unread == 1:
        expect(after).to_have_count(0)
    else:
        expect(after).to_contain_text(str(unread - 1))
    assert console_errors == []
