"""Single sign-on in the browser, against a real OpenID provider started for these tests
(django-oauth-toolkit in a process of its own: tests/oidc_provider/)."""

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from accounts.models import Role
from tests import factories as f
from tests.e2e.conftest import PROVIDER_PASSWORD
from trainees.models import AssessmentResult


@pytest.fixture
def agency(settings, oidc_provider):
    settings.OIDC_PROVIDERS = oidc_provider
    return oidc_provider


@pytest.fixture
def sso_trainer(db):
    """Li Hao, who signs in only through his agency: no password, password sign-in off."""
    trainer = f.UserFactory(
        username="lihao",
        display_name="Li Hao",
        email="LiHao@example.org",  # the provider's address, in another case
        roles=[Role.TRAINER],
        password_sign_in=False,
    )
    trainer.set_unusable_password()
    trainer.save()
    return trainer


def provider_sign_in(page, username):
    expect(page.get_by_role("heading", name="Agency sign-in")).to_be_visible()
    page.get_by_label("Agency user name").fill(username)
    page.get_by_label("Agency password").fill(PROVIDER_PASSWORD)
    page.get_by_role("button", name="Sign in at the agency").click()


def test_a_trainer_signs_in_at_the_agency_and_signs_a_result_there_again(
    page, live_server, agency, sso_trainer, console_errors
):
    revision = f.revision_ready()
    cohort = f.CohortFactory(revision=revision, trainers=[sso_trainer])
    trainee = f.TraineeFactory(cohort=cohort)
    result = f.AssessmentResultFactory(trainee=trainee, assessor=sso_trainer, signed=False)
    result.definition.assessors.add(sso_trainer)

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("button", name="Sign in with Agency").click()
    provider_sign_in(page, "li.hao")
    expect(page.get_by_role("heading", level=1)).to_have_text("Training floor")

    # Signing asks the provider again, even though the browser is signed in there.
    page.goto(f"{live_server.url}/results/{result.pk}/sign/")
    expect(page.get_by_label("Your password, to sign")).to_have_count(0)
    page.get_by_role("button", name="Confirm who I am at Agency").click()
    provider_sign_in(page, "li.hao")
    expect(page.get_by_text("You confirmed who you are at your sign-in provider.")).to_be_visible()
    page.get_by_role("button", name="Sign", exact=True).click()

    expect(page.get_by_text("The result is signed.")).to_be_visible()
    expect(page.get_by_text("Signer authenticated by a fresh sign-in at Agency.")).to_be_visible()
    result.refresh_from_db()
    assert (result.signed_by, result.signature_method) == (sso_trainer, "oidc:agency")
    assert console_errors == []


def test_someone_the_tracker_does_not_know_is_refused_and_nothing_is_kept(
    page, live_server, agency, sso_trainer
):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("button", name="Sign in with Agency").click()
    # While the round trip is under way, the stranger's session holds it, briefly.
    expect(page.get_by_role("heading", name="Agency sign-in")).to_be_visible()
    assert Session.objects.count() == 1
    provider_sign_in(page, "stranger")

    expect(page.get_by_role("heading", level=1)).to_have_text("Not signed in")
    expect(page.get_by_role("alert")).to_contain_text("The tracker has no one who matches")
    assert not Session.objects.exists()
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")
    assert not AssessmentResult.objects.exists()
