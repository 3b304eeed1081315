"""Two-factor sign-in: set up, asked for after the password, recovery codes, an admin's reset."""

import datetime as dt
import time

import pytest
import time_machine
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts import second_factor
from tests.factories import PASSWORD
from tests.security import examples


def code_of(device, *, steps_ahead=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def password_step(client, username="chenjing"):
    return client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})


def signed_in(client):
    return "_auth_user_id" in client.session


@pytest.fixture
def required(settings):
    settings.SECOND_FACTOR_ROLES = ["programme_admin", "medical_officer"]


@pytest.fixture
def enrolled(programme_admin):
    """Chen Jing's authenticator, set up, and her recovery codes."""
    device = second_factor.totp_device_unconfirmed(user=programme_admin)
    codes = second_factor.totp_confirm(user=programme_admin, code=code_of(device))
    device.refresh_from_db()
    return device, codes


def test_a_role_that_requires_it_sets_it_up_before_the_password_signs_in(
    client, programme_admin, required
):
    response = password_step(client)
    assert response["Location"] == reverse("accounts:second_factor_setup")
    assert not signed_in(client)
    # Between the steps, the session lasts only minutes.
    assert client.session.get_expiry_age() == 300
    page = client.get(response["Location"])
    assert "data:image/svg+xml" in page.content.decode()
    device = TOTPDevice.objects.get(user=programme_admin, confirmed=False)
    # Opened again, the page shows the same authenticator: nothing piles up.
    client.get(response["Location"])
    assert TOTPDevice.objects.filter(user=programme_admin).count() == 1

    response = client.post(response["Location"], {"code": code_of(device)})
    assert response.status_code == 200
    assert len(response.context["codes"]) == 10
    assert signed_in(client)
    assert client.session.get_expiry_age() == 36000
    last = programme_admin.history.latest()
    assert last.history_change_reason == "Two-factor sign-in set up."
    # A second press of the button sets up nothing more.
    response = client.post(reverse("accounts:second_factor_setup"), {"code": code_of(device)})
    assert response.status_code == 302
    assert TOTPDevice.objects.filter(user=programme_admin).count() == 1
    assert StaticDevice.objects.get(user=programme_admin).token_set.count() == 10


def test_without_the_setting_a_password_alone_signs_in(client, programme_admin, settings):
    settings.SECOND_FACTOR_ROLES = []
    assert password_step(client)["Location"] == "/"
    assert signed_in(client)


def test_once_set_up_the_code_is_asked_for_and_a_wrong_one_refused(
    client, programme_admin, enrolled
):
    device, _codes = enrolled
    assert password_step(client)["Location"] == reverse("accounts:second_factor_verify")
    assert not signed_in(client)
    assert client.get(reverse("curriculum:home")).status_code == 302
    wrong = f"{(int(code_of(device, steps_ahead=1)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("accounts:second_factor_verify"), {"code": wrong})
    assert response.status_code == 200
    assert "This code is not right" in response.content.decode()
    assert not signed_in(client)

    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(minutes=1), tick=False):
        code = code_of(device)
        response = client.post(reverse("accounts:second_factor_verify"), {"code": code})
        assert response["Location"] == "/"
        assert signed_in(client)
        # The same code does not sign in twice.
        client.logout()
        password_step(client)
        client.post(reverse("accounts:second_factor_verify"), {"code": code})
        assert not signed_in(client)


def test_five_wrong_codes_end_the_sign_in(client, programme_admin, enrolled):
    password_step(client)
    for _ in range(second_factor.PENDING_FAILURES):
        response = client.post(reverse("accounts:second_factor_verify"), {"code": "12345678"})
    assert response["Location"] == reverse("accounts:login")
    assert second_factor.PENDING not in client.session
    assert client.get(reverse("accounts:second_factor_verify"))["Location"] == reverse(
        "accounts:login"
    )


def test_the_second_step_waits_only_minutes(client, programme_admin, enrolled):
    device, _codes = enrolled
    password_step(client)
    later = dt.datetime.now(tz=dt.UTC) + dt.timedelta(minutes=6)
    with time_machine.travel(later, tick=False):
        response = client.post(reverse("accounts:second_factor_verify"), {"code": code_of(device)})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert not signed_in(client)


def test_a_recovery_code_signs_in_once(client, programme_admin, enrolled):
    _device, codes = enrolled
    for attempt in range(2):
        client.logout()
        password_step(client)
        client.post(reverse("accounts:second_factor_verify"), {"code": codes[0].upper()})
        assert signed_in(client) is (attempt == 0)
    assert second_factor.recovery_codes_left(programme_admin) == 9


def test_new_recovery_codes_need_the_current_code_and_replace_the_old(
    client, programme_admin, enrolled, settings
):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # no back-off after the wrong code: the right one next
    device, old = enrolled
    client.force_login(programme_admin)
    url = reverse("accounts:second_factor")
    assert "You have 10 unused recovery codes." in client.get(url).content.decode()
    response = client.post(url, {"code": "000000" if code_of(device) != "000000" else "111111"})
    assert "This code is not right" in response.content.decode()
    response = client.post(url, {"code": code_of(device, steps_ahead=1)})
    new = response.context["codes"]
    assert len(new) == 10 and not set(new) & set(old)
    assert second_factor.second_factor_check(user=programme_admin, code=old[1]) is None


def test_anyone_may_set_it_up_and_is_then_asked_for_it(client, trainer):
    client.force_login(trainer)
    client.get(reverse("accounts:second_factor_setup"))
    device = TOTPDevice.objects.get(user=trainer)
    client.post(reverse("accounts:second_factor_setup"), {"code": code_of(device)})
    client.logout()
    assert password_step(client, "lihao")["Location"] == reverse("accounts:second_factor_verify")


def test_an_admin_resets_a_lost_second_factor_in_the_history(
    client, programme_admin, medic, required
):
    device = second_factor.totp_device_unconfirmed(user=medic)
    second_factor.totp_confirm(user=medic, code=code_of(device))
    client.force_login(programme_admin)
    detail = client.get(reverse("accounts:person_detail", args=[medic.pk])).content.decode()
    assert "Reset two-factor sign-in" in detail
    url = reverse("accounts:person_second_factor_reset", args=[medic.pk])
    assert client.post(url).status_code == 302
    assert not TOTPDevice.objects.filter(user=medic).exists()
    assert not StaticDevice.objects.filter(user=medic).exists()
    last = medic.history.latest()
    assert (last.history_user, last.history_change_reason) == (
        programme_admin,
        "Second factor reset: set up again at the next sign-in.",
    )
    detail = client.get(reverse("accounts:person_detail", args=[medic.pk])).content.decode()
    assert "Second factor reset" in detail
    # Nothing left to reset, and nobody resets their own.
    assert "no second factor to reset" in client.post(url).content.decode()
    own = reverse("accounts:person_second_factor_reset", args=[programme_admin.pk])
    assert "Ask another programme admin" in client.post(own).content.decode()


CODES = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", " ", "\x00", "1" * 10_000, "１２３４５６", "12 34 56", "<script>", "-1"]),
)


@pytest.mark.fuzz
def test_hostile_codes_never_break_the_second_step(programme_admin, enrolled, db):
    from django.test import Client

    client = Client()
    password_step(client)

    @hypothesis_settings(
        max_examples=examples(40),
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(CODES)
    def post(code):
        session = client.session
        session[second_factor.PENDING]["failures"] = 0
        session.save()
        response = client.post(reverse("accounts:second_factor_verify"), {"code": code})
        assert response.status_code == 200
        assert "<script>" not in response.content.decode()
        assert not signed_in(client)

    post()
