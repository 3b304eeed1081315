"""Personal access tokens: stored hashed, shown once, refused once expired or revoked, held to
their scope and rate, each use recorded."""

import datetime as dt
import hashlib
import uuid

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from api.models import AccessToken
from tests.api.conftest import token_for
from tests.factories import PASSWORD

LIST = "/api/v1/trainees/"


def _call(secret, url=LIST, method="get", **kwargs):
    client = Client(headers={"Authorization": f"Bearer {secret}"})
    return getattr(client, method)(url, content_type="application/json", **kwargs)


def _every_stored_value() -> str:
    """Everything the tokens' table holds, as text."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {AccessToken._meta.db_table}")  # noqa: S608 (a fixed name)
        return repr(cursor.fetchall())


class TestMaking:
    def test_it_shows_the_secret_once_and_stores_only_its_digest(self, personas):
        client = Client()
        client.force_login(personas["trainer"])
        form = client.get(reverse("api:tokens"))
        assert form.status_code == 200
        made = client.post(
            reverse("api:tokens"),
            {
                "name": "Scheduling tool",
                "scope": "write",
                "expires_on": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
                "submission_key": str(uuid.uuid4()),
            },
        )
        assert made.status_code == 200
        secret = made.context["secret"]
        assert secret.startswith("tt_") and len(secret) > 40
        assert secret in made.content.decode()
        token = AccessToken.objects.get(user=personas["trainer"])
        assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
        assert secret not in _every_stored_value()
        assert secret[12:] not in _every_stored_value()  # not even its tail
        # Shown once: the page lists the token afterwards, never its secret again.
        again = client.get(reverse("api:tokens")).content.decode()
        assert "Scheduling tool" in again and token.prefix in again
        assert secret not in again

    def test_a_second_submission_of_the_form_makes_nothing_twice(self, personas):
        client = Client()
        client.force_login(personas["trainee"])
        data = {
            "name": "My phone",
            "scope": "read",
            "expires_on": (timezone.localdate() + dt.timedelta(days=10)).isoformat(),
            "submission_key": str(uuid.uuid4()),
        }
        assert client.post(reverse("api:tokens"), data).status_code == 200
        again = client.post(reverse("api:tokens"), data)
        assert again.status_code == 302
        assert AccessToken.objects.filter(user=personas["trainee"]).count() == 1

    @pytest.mark.parametrize("days", [0, -3, 367, 100_000])
    def test_an_expiry_out_of_bounds_is_refused_beside_the_field(self, personas, days):
        client = Client()
        client.force_login(personas["trainee"])
        try:
            day = (timezone.localdate() + dt.timedelta(days=days)).isoformat()
        except OverflowError:
            day = "99999-01-01"
        response = client.post(
            reverse("api:tokens"),
            {"name": "x" * 50, "scope": "read", "expires_on": day, "submission_key": uuid.uuid4()},
        )
        assert response.status_code == 200
        assert response.context["form"].errors["expires_on"]
        assert response.context["form"]["name"].value() == "x" * 50  # the input is kept
        assert not AccessToken.objects.exists()

    def test_the_profile_leads_to_the_tokens(self, personas):
        client = Client()
        client.force_login(personas["trainee"])
        token_for(personas["trainee"], "read")
        page = client.get(reverse("accounts:profile")).content.decode()
        assert reverse("api:tokens") in page


class TestUsing:
    def test_a_token_opens_the_api_as_its_person_and_records_each_use(self, world, personas):
        secret = token_for(personas["trainer"], "read")
        response = _call(secret, HTTP_USER_AGENT="MedicalSystem/2.1", REMOTE_ADDR="192.0.2.7")
        assert response.status_code == 200
        assert [t["id"] for t in response.json()["results"]] == [world["trainee_a"].pk]
        token = AccessToken.objects.latest("pk")
        assert token.last_used_at is not None
        assert (token.last_used_from, token.last_used_client) == ("192.0.2.7", "MedicalSystem/2.1")

    def test_no_token_a_wrong_one_or_a_session_alone_is_a_401_problem(self, world, personas):
        for client in [Client(), Client(headers={"Authorization": "Bearer tt_nothing"})]:
            response = client.get(LIST)
            assert response.status_code == 401
            assert response["Content-Type"] == "application/problem+json"
            assert response["WWW-Authenticate"] == "Bearer"
            assert response.json()["status"] == 401
        signed_in = Client()
        signed_in.force_login(personas["programme_admin"])
        assert signed_in.get(LIST).status_code == 401  # a browser's session does not open it

    def test_an_expired_token_is_refused(self, world, personas):
        secret = token_for(personas["trainer"], "read", days=2)
        assert _call(secret).status_code == 200
        with time_machine.travel(timezone.now() + dt.timedelta(days=3)):
            response = _call(secret)
        assert response.status_code == 401
        assert "expired" in response.json()["detail"]

    def test_a_token_revoked_by_its_person_is_refused(self, world, personas):
        secret = token_for(personas["trainer"], "read")
        token = AccessToken.objects.latest("pk")
        client = Client()
        client.force_login(personas["trainer"])
        assert client.post(reverse("api:token_revoke", args=[token.pk])).status_code == 302
        token.refresh_from_db()
        assert token.revoked_by == personas["trainer"]
        assert _call(secret).status_code == 401

    def test_a_programme_admin_revokes_anyones_but_nobody_else_does(self, world, personas):
        secret = token_for(personas["trainer"], "read")
        token = AccessToken.objects.latest("pk")
        for persona in ["trainee", "other_trainer", "medic"]:
            client = Client()
            client.force_login(personas[persona])
            assert client.post(reverse("api:token_revoke", args=[token.pk])).status_code == 404
        assert _call(secret).status_code == 200
        admin = Client()
        admin.force_login(personas["programme_admin"])
        assert "read token" in admin.get(reverse("api:tokens")).content.decode()
        assert admin.post(reverse("api:token_revoke", args=[token.pk])).status_code == 302
        assert _call(secret).status_code == 401

    def test_an_operator_revokes_in_the_admin(self, world, personas):
        secret = token_for(personas["trainer"], "write")
        operator = Client()
        operator.force_login(personas["operator"])
        response = operator.post(
            reverse("admin:api_accesstoken_changelist"),
            {"action": "revoke", "_selected_action": [AccessToken.objects.latest("pk").pk]},
        )
        assert response.status_code == 302
        assert _call(secret).status_code == 401

    def test_a_deactivated_persons_token_is_refused(self, world, personas):
        secret = token_for(personas["trainer"], "read")
        personas["trainer"].is_active = False
        personas["trainer"].save()
        assert _call(secret).status_code == 401

    def test_a_read_token_only_reads(self, world, personas):
        read, write = token_for(personas["trainer"], "read"), token_for(personas["trainer"])
        url = reverse("api:session_schedule", args=[world["cohort_a"].pk])
        refused = _call(read, url, "post", data={})
        assert refused.status_code == 403
        assert "only read" in refused.json()["detail"]
        assert _call(write, url, "post", data={}).status_code == 400  # let in, then checked

    def test_a_token_is_limited_per_minute(self, world, personas, settings):
        settings.API_TOKEN_RATE_PER_MINUTE = 3
        secret, other = token_for(personas["trainer"], "read"), token_for(personas["trainer"])
        assert [_call(secret).status_code for _ in range(3)] == [200, 200, 200]
        limited = _call(secret)
        assert limited.status_code == 429
        assert limited["Retry-After"] == "60"
        assert limited.json()["status"] == 429
        assert _call(other).status_code == 200  # per token, not per person

    def test_the_password_is_no_token(self, world, personas):
        assert _call(PASSWORD).status_code == 401
