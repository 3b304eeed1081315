from playwright.sync_api import expect

from tests.e2e.conftest import PHONE
from tests.factories import PASSWORD


def sign_in(page, base_url, username):
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_a_trainer_signs_in_and_switches_to_urdu(page, live_server, trainer, console_errors):
    sign_in(page, live_server.url, "lihao")
    expect(page.get_by_role("heading", level=1)).to_have_text("Training floor")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")

    page.get_by_label("Language").select_option("ur")
    page.get_by_role("button", name="Change", exact=True).click()

    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ur")
    expect(page.get_by_role("heading", level=1)).to_have_text("تربیتی میدان")
    # The right-to-left stylesheet puts the navigation's brand on the right.
    brand = page.locator(".navbar-brand").bounding_box()
    assert brand["x"] > page.viewport_size["width"] / 2
    assert console_errors == []


def test_on_a_phone_the_menu_opens_by_keyboard(page, live_server, trainer, console_errors):
    page.set_viewport_size(PHONE)
    sign_in(page, live_server.url, "lihao")
    sign_out = page.get_by_role("button", name="Sign out")
    expect(sign_out).to_be_hidden()

    toggler = page.get_by_role("button", name="Show or hide the menu")
    toggler.focus()
    page.keyboard.press("Enter")
    expect(toggler).to_have_attribute("aria-expanded", "true")
    page.get_by_role("button", name="Li Hao").click()
    sign_out.click()

    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    assert console_errors == []


def test_a_locked_account_is_told_so_on_the_sign_in_page(page, live_server, trainer, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill("lihao")
        page.get_by_label("Password").fill("not-my-password")
        page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "this account is locked on this device for 15 minutes"
    )


def test_the_first_tab_offers_a_skip_to_the_main_content(page, live_server, trainer):
    sign_in(page, live_server.url, "lihao")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
