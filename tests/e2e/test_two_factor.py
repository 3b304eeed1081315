"""Two-factor sign-in in the browser: a programme admin, whose role requires it, sets up an
authenticator at their first password sign-in, then signs in with its code and with a recovery
code, which works once."""

import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.factories import PASSWORD


def password_step(page, base_url, username="chenjing"):
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def code_of(device, *, steps_ahead=0):
    """The authenticator's code, `steps_ahead` 30-second steps from now (the device takes the
    next step's too, and never a step it took already)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def sign_out(page):
    page.context.clear_cookies()


def test_an_admin_sets_up_an_authenticator_then_signs_in_with_it_and_a_recovery_code(
    page, live_server, programme_admin, settings, console_errors
):
    settings.SECOND_FACTOR_ROLES = ["programme_admin"]
    # django-otp's back-off after a wrong code (a second, then two...) would make the right code
    # typed just after it fail, on a fast machine; the back-off is django-otp's to test.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0

    password_step(page, live_server.url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    expect(page.get_by_role("img", name="QR code")).to_be_visible()
    device = TOTPDevice.objects.get(user=programme_admin)
    wrong = f"{(int(code_of(device)) + 1) % 1_000_000:06d}"
    page.get_by_label("The six-digit code your app shows").fill(wrong)
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_text("This code is not right")).to_be_visible()
    page.get_by_label("The six-digit code your app shows").fill(code_of(device))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="I have kept them: continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Programme")
    sign_out(page)

    # The password alone no longer signs in; a wrong code is refused, the app's code signs in.
    password_step(page, live_server.url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-factor sign-in")
    page.get_by_label("Code from your authenticator app").fill(wrong)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#id_code")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("This code is not right")).to_be_visible()
    page.goto(f"{live_server.url}/programme/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/programme/")
    password_step(page, live_server.url)
    page.get_by_label("Code from your authenticator app").fill(code_of(device, steps_ahead=1))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Programme")
    sign_out(page)

    # A recovery code signs in once.
    for attempt in range(2):
        password_step(page, live_server.url)
        page.get_by_label("Code from your authenticator app").fill(codes[0])
        page.get_by_role("button", name="Continue").click()
        if attempt == 0:
            expect(page.get_by_role("heading", level=1)).to_have_text("Programme")
            expect(page.get_by_text("You signed in with a recovery code")).to_be_visible()
            sign_out(page)
        else:
            expect(page.get_by_text("This code is not right")).to_be_visible()
    assert console_errors == []
