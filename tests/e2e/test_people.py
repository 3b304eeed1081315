"""The demo admin adds a trainee in the browser; the trainee sets a password from the e-mail's
link and signs in."""

import re

from django.core import mail
from playwright.sync_api import expect

from demo.seed import DEMO_PASSWORD

NEW_PASSWORD = "long-march-5-heavy"


def test_the_demo_admin_adds_a_trainee_who_sets_a_password_and_signs_in(
    browser, page, live_server, demo, console_errors, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the invitation's task runs as a worker would
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("link", name="Cohorts").click()
    page.get_by_role("link", name="Payload specialist cohort 2026").click()
    page.get_by_role("link", name="Add a trainee").click()
    form = page.locator("main form")
    form.get_by_label("Username").fill("bilal")
    form.get_by_label("Name (Latin script)").fill("Bilal Ahmed")
    form.get_by_label("Name in own script").fill("بلال احمد")
    form.get_by_label("E-mail address").fill("bilal@example.org")
    form.get_by_label("Language").select_option("en")
    form.get_by_label("Agency").select_option("suparco")
    form.get_by_label("Nationality").select_option("PK")
    form.get_by_label("Crew role").select_option("payload_specialist")
    form.get_by_role("button", name="Add and send the invitation").click()

    expect(page.get_by_role("status")).to_contain_text("Bilal Ahmed added")
    expect(page.get_by_role("link", name="Bilal Ahmed")).to_be_visible()
    [message] = [m for m in mail.outbox if m.to == ["bilal@example.org"]]
    link = re.search(r"https?://\S+/accounts/password/reset/\S+/", message.body).group(0)

    # The trainee, on their own device.
    trainee = browser.new_context().new_page()
    trainee.goto(link)
    trainee.locator("#id_new_password1").fill(NEW_PASSWORD)
    trainee.locator("#id_new_password2").fill(NEW_PASSWORD)
    trainee.get_by_role("button", name="Set my password").click()
    trainee.get_by_role("link", name="Sign in").click()
    trainee.get_by_label("Username").fill("bilal")
    trainee.get_by_label("Password").fill(NEW_PASSWORD)
    trainee.get_by_role("button", name="Sign in").click()
    expect(trainee.get_by_role("heading", level=1)).to_contain_text("My progress")

    # The link worked once.
    trainee.goto(link)
    expect(trainee.get_by_role("alert")).to_contain_text("already been used or has expired")
    assert console_errors == []
