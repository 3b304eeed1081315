"""Single sign-on by OpenID Connect: what the tracker decides once a provider has answered.

The protocol itself (discovery, the code exchange, the ID token's signature and claims) is
authlib's, and is exercised end to end against a real provider in
tests/e2e/test_single_sign_on.py. Here a stand-in for authlib's client answers as a provider
would, so that each of the tracker's own refusals can be shown: state, age, who the claims name,
whether a confirmation is fresh, and that strangers keep nothing.
"""

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts import single_sign_on
from accounts.models import Role
from tests import factories as f
from trainees.assessments.services import result_sign, signature_of

AGENCY = {
    "issuer": "https://id.agency.test",
    "client_id": "tracker",
    "client_secret": "secret",
    "label": "Agency",
    "claim": "email",
}


class Provider:
    """authlib's client, answering as the provider would: `claims` is the ID token it checks."""

    def __init__(self):
        self.claims = {}
        self.asked = []

    def create_authorization_url(self, redirect_uri, **kwargs):
        self.asked.append(kwargs)
        state = f"state-{len(self.asked)}"
        return {
            "url": f"https://id.agency.test/authorize?state={state}",
            "state": state,
            "nonce": "n",
            "code_verifier": "v",
        }

    def fetch_access_token(self, **kwargs):
        return {"access_token": "a", "id_token": "i"}

    def parse_id_token(self, token, nonce):
        assert nonce == "n"
        return {"iss": AGENCY["issuer"], "sub": "agency-42", **self.claims}


@pytest.fixture
def provider(db, settings, monkeypatch):
    settings.OIDC_PROVIDERS = {"agency": AGENCY}
    stand_in = Provider()
    monkeypatch.setattr(single_sign_on, "_client", lambda key: stand_in)
    return stand_in


def start(client, **data):
    response = client.post(reverse("accounts:oidc_start", args=["agency"]), data)
    assert response.status_code == 302
    return parse_qs(urlsplit(response["Location"]).query)["state"][0]


def come_back(client, state, **params):
    url = reverse("accounts:oidc_callback", args=["agency"])
    return client.get(url, {"state": state, "code": "c", **params})


def test_it_signs_in_the_person_with_the_verified_address_and_reads_no_role(
    client, provider, trainer
):
    provider.claims = {"email": "LIHAO@example.org", "email_verified": True, "roles": ["admin"]}
    response = come_back(client, start(client, next="/sessions/"))
    assert response.status_code == 302
    assert response["Location"] == "/sessions/"
    assert int(client.session["_auth_user_id"]) == trainer.pk
    assert trainer.roles == {Role.TRAINER}
    # The sign-in lasts as long as any other, not as long as the round trip.
    assert client.session.get_expiry_age() == 36000


def test_a_role_that_requires_a_second_factor_is_not_asked_for_one_after_the_provider(
    client, provider, settings, programme_admin
):
    # The agency's provider decides how its people sign in there; only the password asks.
    settings.SECOND_FACTOR_ROLES = ["programme_admin"]
    provider.claims = {"email": programme_admin.email, "email_verified": True}
    assert come_back(client, start(client))["Location"] == "/"
    assert int(client.session["_auth_user_id"]) == programme_admin.pk


def test_an_address_the_provider_did_not_verify_matches_no_one(client, provider, trainer):
    provider.claims = {"email": trainer.email, "email_verified": False}
    response = come_back(client, start(client))
    assert response.status_code == 403
    assert "has no one who matches" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_configured_claim_matches_a_user_name(client, provider, settings, trainer):
    settings.OIDC_PROVIDERS = {"agency": {**AGENCY, "claim": "employee_id"}}
    provider.claims = {"email": "someone@else.test", "email_verified": True, "employee_id": "lihao"}
    assert come_back(client, start(client)).status_code == 302
    assert int(client.session["_auth_user_id"]) == trainer.pk


def test_a_stranger_is_refused_and_nothing_is_kept(client, provider, trainer):
    provider.claims = {"email": "stranger@agency.test", "email_verified": True}
    state = start(client)
    # The round trip is all a stranger's session holds, and only for the round trip's time.
    assert Session.objects.count() == 1
    assert set(client.session.keys()) == {single_sign_on.ROUND_TRIP, "_session_expiry"}
    assert client.session.get_expiry_age() == 600
    response = come_back(client, state)
    assert response.status_code == 403
    assert not Session.objects.exists()


@pytest.mark.parametrize(
    "why", ["wrong state", "no round trip", "too old", "provider error", "deactivated"]
)
def test_an_answer_that_cannot_be_used_signs_no_one_in(client, provider, trainer, why):
    provider.claims = {"email": trainer.email, "email_verified": True}
    state = start(client)
    params = {}
    if why == "wrong state":
        state = "state-forged"
    elif why == "no round trip":
        client.cookies.clear()
    elif why == "too old":
        session = client.session
        session[single_sign_on.ROUND_TRIP]["started"] -= 601
        session.save()
    elif why == "provider error":
        params = {"error": "access_denied"}
    else:
        trainer.is_active = False
        trainer.save()
    response = come_back(client, state, **params)
    assert response.status_code in (400, 403)
    assert "_auth_user_id" not in client.session
    # A state is used once: the same answer again finds no round trip.
    assert come_back(client, state).status_code == 400


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.test/", "//evil.test/", "/x\x00y", "/" + "x" * 3000, "javascript:alert(1)"],
)
def test_the_way_back_goes_nowhere_but_this_site(client, provider, trainer, next_url):
    provider.claims = {"email": trainer.email, "email_verified": True}
    response = come_back(client, start(client, next=next_url))
    assert response["Location"] == "/"


def test_a_strangers_round_trip_stays_small_whatever_it_is_sent(client, provider):
    start(client, next="/" + "x" * (2 * 1024 * 1024), state="s" * 10_000)
    stored = Session.objects.get().session_data
    assert len(stored) < 1024


def test_an_unknown_provider_is_not_found(client, provider):
    assert client.post(reverse("accounts:oidc_start", args=["other"])).status_code == 404
    url = reverse("accounts:oidc_callback", args=["other"])
    assert client.get(url, {"state": "s", "code": "c"}).status_code == 404


@pytest.mark.expect_error_log  # a 502, which an operator should see in the log
def test_a_provider_that_does_not_answer_is_said_so(client, settings):
    # Nothing listens on this port: the discovery document cannot be fetched.
    settings.OIDC_PROVIDERS = {"down": {**AGENCY, "issuer": "http://127.0.0.1:9"}}
    response = client.post(reverse("accounts:oidc_start", args=["down"]))
    assert response.status_code == 502
    assert "does not answer" in response.content.decode()


def test_the_sign_in_page_offers_each_provider_and_lets_its_form_lead_there(client, provider):
    response = client.get(reverse("accounts:login"))
    assert "Sign in with Agency" in response.content.decode()
    assert "form-action 'self' https://id.agency.test" in response["Content-Security-Policy"]


def test_password_sign_in_can_be_turned_off_per_person(client, trainer):
    trainer.password_sign_in = False
    trainer.save()
    response = client.post(reverse("accounts:login"), {"username": "lihao", "password": f.PASSWORD})
    assert response.status_code == 200
    assert "signs in through your agency" in response.content.decode()
    assert "_auth_user_id" not in client.session


# Signing with a fresh confirmation at the provider ----------------------------------------------


@pytest.fixture
def unsigned(world, trainer):
    trainer.password_sign_in = False
    trainer.set_unusable_password()
    trainer.save()
    result = f.AssessmentResultFactory(
        trainee=world["trainee_a"], assessor=trainer, signed=False, attempt=2
    )
    result.definition.assessors.add(trainer)
    return result


def confirm(client, provider, result, **claims):
    sign_page = reverse("trainees:result_sign", args=[result.pk])
    response = client.post(reverse("accounts:oidc_confirm", args=["agency"]), {"next": sign_page})
    assert response.status_code == 302
    assert provider.asked[-1] == {"prompt": "login", "max_age": 0}
    state = parse_qs(urlsplit(response["Location"]).query)["state"][0]
    provider.claims = {"auth_time": int(time.time()), "email_verified": True, **claims}
    return come_back(client, state)


def test_a_result_is_signed_after_a_fresh_confirmation_which_signs_once(
    client, provider, trainer, unsigned
):
    client.force_login(trainer)
    sign_page = reverse("trainees:result_sign", args=[unsigned.pk])
    assert "Confirm who I am at Agency" in client.get(sign_page).content.decode()
    response = confirm(client, provider, unsigned, email=trainer.email)
    assert response["Location"] == sign_page

    response = client.post(sign_page, {"version": unsigned.version, "submission_key": "0" * 32})
    assert response.status_code == 302
    unsigned.refresh_from_db()
    assert (unsigned.signed_by, unsigned.signature_method) == (trainer, "oidc:agency")
    assert single_sign_on.CONFIRMATION not in client.session


@pytest.mark.parametrize("why", ["not fresh", "someone else", "no confirmation", "other page"])
def test_nothing_is_signed_without_this_persons_fresh_confirmation_for_this_page(
    client, provider, trainer, other_trainer, unsigned, why
):
    client.force_login(trainer)
    sign_page = reverse("trainees:result_sign", args=[unsigned.pk])
    if why == "not fresh":
        # The provider signed the person in before it was asked (it ignored prompt=login).
        response = confirm(client, provider, unsigned, email=trainer.email)
        session = client.session
        session[single_sign_on.CONFIRMATION]["auth_time"] -= 301
        session.save()
    elif why == "someone else":
        response = confirm(client, provider, unsigned, email=other_trainer.email)
        assert response.status_code == 403
    elif why == "other page":
        confirm(client, provider, unsigned, email=trainer.email)
        session = client.session
        session[single_sign_on.CONFIRMATION]["purpose"] = "/results/999/sign/"
        session.save()
    response = client.post(sign_page, {"version": unsigned.version, "submission_key": "1" * 32})
    assert response.status_code == 200
    assert "First confirm who you are" in response.content.decode()
    unsigned.refresh_from_db()
    assert not unsigned.is_signed


def test_a_confirmation_from_before_it_was_asked_for_is_refused(
    client, provider, trainer, unsigned
):
    client.force_login(trainer)
    sign_page = reverse("trainees:result_sign", args=[unsigned.pk])
    response = client.post(reverse("accounts:oidc_confirm", args=["agency"]), {"next": sign_page})
    state = parse_qs(urlsplit(response["Location"]).query)["state"][0]
    provider.claims = {
        "email": trainer.email,
        "email_verified": True,
        "auth_time": int(time.time()) - 3600,
    }
    response = come_back(client, state)
    assert response.status_code == 400
    assert "did not ask who you are again" in response.content.decode()
    assert single_sign_on.CONFIRMATION not in client.session


def test_signature_of_takes_a_confirmation_only_for_its_own_person_while_fresh(
    trainer, other_trainer
):
    now = int(time.time())
    confirmation = single_sign_on.ProviderConfirmation(
        user_id=trainer.pk, provider="agency", subject="s", auth_time=now, purpose="/x/"
    )
    assert signature_of(user=trainer, confirmation=confirmation).method == "oidc:agency"
    with pytest.raises(ValidationError):
        signature_of(user=other_trainer, confirmation=confirmation)
    stale = single_sign_on.ProviderConfirmation(
        user_id=trainer.pk, provider="agency", subject="s", auth_time=now - 301, purpose="/x/"
    )
    with pytest.raises(ValidationError):
        signature_of(user=trainer, confirmation=stale)


def test_a_password_signature_is_recorded_as_such_and_refused_once_password_sign_in_is_off(
    world, trainer
):
    result = f.AssessmentResultFactory(
        trainee=world["trainee_a"], assessor=trainer, signed=False, attempt=2
    )
    result.definition.assessors.add(trainer)
    signature = f.signed(trainer)
    assert signature.method == "password"
    result_sign(result=result, signature=signature, meaning="assessed")
    result.refresh_from_db()
    assert result.signature_method == "password"
    assert result.signature_method_label == "password typed again"
    trainer.password_sign_in = False
    with pytest.raises(ValidationError, match="not with a password"):
        signature_of(user=trainer, password=f.PASSWORD)
