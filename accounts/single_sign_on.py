"""Single sign-on by OpenID Connect: the round trip to an agency's provider and back.

Authlib does the protocol: the provider's discovery document, the authorization code flow with
PKCE and a nonce, and the ID token's checks (signature against the provider's keys, issuer,
audience, expiry, nonce). This module keeps what is ours:

- what one round trip needs to come back (state, nonce, PKCE verifier, why it was started, where
  to go next) in one small session entry that expires with the round trip
  (OIDC_ROUND_TRIP_SECONDS): a stranger who starts a sign-in stores that and nothing more;
- which person the provider's claims name (`person_for_claims`): a verified e-mail address, or a
  configured claim matched to a user name; never a new person, never a role;
- a fresh confirmation at the provider (`prompt=login`, `max_age=0`), which a person who signs
  without a password signs with (`ProviderConfirmation`, trainees.assessments.services).
"""

import time
from dataclasses import asdict, dataclass
from urllib.parse import urlsplit

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.http import Http404
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from joserfc.errors import JoseError

from .models import User

ROUND_TRIP = "oidc_round_trip"
CONFIRMATION = "oidc_confirmation"
SIGN_IN, CONFIRM = "sign-in", "confirm"
# How far the provider's clock, and the person's typing, may be from ours when we check that a
# confirmation was a sign-in made after we asked for it.
AUTH_TIME_LEEWAY = 30
# The longest code and state a provider sends back that we read at all.
PARAMETER_LIMIT = 2048

_clients: dict[tuple, object] = {}


class RoundTripFailed(Exception):
    """The provider's answer cannot be used; the message says what to do."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message, self.status = message, status


def providers() -> dict[str, dict]:
    """The configured providers, by key (settings.OIDC_PROVIDERS)."""
    return settings.OIDC_PROVIDERS


def provider_buttons() -> list[tuple[str, str]]:
    """(key, label) of each provider, for the buttons that start a round trip."""
    return [(key, config["label"]) for key, config in providers().items()]


def provider_or_404(key: str) -> dict:
    try:
        return providers()[key]
    except KeyError:
        raise Http404("No such sign-in provider.") from None


def _client(key: str):
    """Authlib's client for a provider, kept per process (it caches the discovery document and
    the provider's keys), made again if the provider's configuration changes."""
    config = provider_or_404(key)
    cache_key = (key, config["issuer"], config["client_id"], config["client_secret"])
    if cache_key not in _clients:
        registry = OAuth()
        registry.register(
            name=key,
            client_id=config["client_id"],
            client_secret=config["client_secret"],
            server_metadata_url=f"{config['issuer']}/.well-known/openid-configuration",
            client_kwargs={
                "scope": "openid email profile",
                "code_challenge_method": "S256",
                "default_timeout": settings.OIDC_TIMEOUT_SECONDS,
            },
        )
        _clients[cache_key] = registry.create_client(key)
    return _clients[cache_key]


def provider_forms_allowed(response):
    """Let the page's forms lead to the providers: a form that starts a round trip posts here and
    is redirected to the provider, and browsers hold that redirect to the CSP's form-action
    ('self' alone elsewhere). The providers' origins are their issuers'."""
    origins = sorted({_origin(config["issuer"]) for config in providers().values()})
    if origins:
        response._csp_update = {"form-action": origins}
    return response


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def local_next(request, url: str | None) -> str | None:
    """`url` if it is a path on this site, else None (no open redirect through the round trip)."""
    if (
        url
        and len(url) <= PARAMETER_LIMIT
        and url.startswith("/")
        and "\x00" not in url
        and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()})
    ):
        return url
    return None


def round_trip_start(request, *, provider: str, purpose: str, next_url: str):
    """Send the browser to `provider`: to sign in, or (CONFIRM) to sign in again there right now
    (`prompt=login`, `max_age=0`) to confirm who the signed-in person is."""
    client = _client(provider)
    redirect_uri = request.build_absolute_uri(reverse("accounts:oidc_callback", args=[provider]))
    extra = {"prompt": "login", "max_age": 0} if purpose == CONFIRM else {}
    try:
        started = client.create_authorization_url(redirect_uri, **extra)
    except (AuthlibBaseError, requests.RequestException, ValueError) as error:
        raise RoundTripFailed(
            _("The sign-in provider does not answer. Try again later."), status=502
        ) from error
    request.session[ROUND_TRIP] = {
        "provider": provider,
        "purpose": purpose,
        "state": started["state"],
        "nonce": started["nonce"],
        "verifier": started["code_verifier"],
        "redirect_uri": redirect_uri,
        "next": next_url,
        "started": int(time.time()),
        "user": request.user.pk if request.user.is_authenticated else None,
    }
    if not request.user.is_authenticated:
        # A stranger's session holds only this round trip, and lasts no longer.
        request.session.set_expiry(settings.OIDC_ROUND_TRIP_SECONDS)
    return started["url"]


def round_trip_finish(request, *, provider: str) -> tuple[dict, dict]:
    """The round trip that `provider` sent the browser back from, and the ID token's claims.

    The round trip is taken from the session whatever happens (a state is used once). Refused
    when there is none, it is another provider's or too old, the state does not match, the
    provider reports an error, or the code or ID token does not pass authlib's checks.
    """
    flow = request.session.pop(ROUND_TRIP, None)
    state = request.GET.get("state", "")
    code = request.GET.get("code", "")
    if (
        not flow
        or flow["provider"] != provider
        or not constant_time_compare(flow["state"], state[:PARAMETER_LIMIT])
        or time.time() - flow["started"] > settings.OIDC_ROUND_TRIP_SECONDS
    ):
        raise RoundTripFailed(
            _("This sign-in was not started here, or started too long ago. Start it again.")
        )
    if request.GET.get("error") or not code or len(code) > PARAMETER_LIMIT:
        raise RoundTripFailed(_("The sign-in provider did not sign you in. Start it again."))
    client = _client(provider)
    try:
        token = client.fetch_access_token(
            redirect_uri=flow["redirect_uri"], code=code, code_verifier=flow["verifier"]
        )
        claims = client.parse_id_token(token, nonce=flow["nonce"])
    except (AuthlibBaseError, JoseError, requests.RequestException, ValueError) as error:
        raise RoundTripFailed(
            _("The sign-in provider's answer could not be checked. Start it again."), status=502
        ) from error
    if claims is None:
        raise RoundTripFailed(_("The sign-in provider's answer could not be checked."), 502)
    return flow, dict(claims)


def _text_claim(claims: dict, name: str, limit: int) -> str | None:
    value = claims.get(name)
    if isinstance(value, str) and value and len(value) <= limit and "\x00" not in value:
        return value
    return None


def person_for_claims(*, provider: str, claims: dict) -> User | None:
    """The one active person the provider's claims name, or None.

    By the provider's configured claim: "email" matches a person's e-mail address, whatever its
    case, and only when the provider says it verified it (`email_verified`); any other claim
    matches its value to a user name exactly. Two people with the match name no one.
    """
    claim = providers()[provider]["claim"]
    if claim == "email":
        email = _text_claim(claims, "email", 254)
        if email is None or claims.get("email_verified") is not True:
            return None
        people = User.objects.filter(email__iexact=email, is_active=True)
    else:
        value = _text_claim(claims, claim, 150)
        if value is None:
            return None
        people = User.objects.filter(username=value, is_active=True)
    found = list(people[:2])
    return found[0] if len(found) == 1 else None


@dataclass(frozen=True)
class ProviderConfirmation:
    """A person's fresh sign-in at their provider, asked for on one page (`purpose`, its path),
    to sign something there. Kept in their session until it signs or goes stale."""

    user_id: int
    provider: str
    subject: str
    auth_time: int
    purpose: str

    def confirms(self, user: User, *, now: float | None = None) -> bool:
        """Whether this confirms `user` now: theirs, and made within OIDC_CONFIRMATION_SECONDS."""
        age = (time.time() if now is None else now) - self.auth_time
        return (
            self.user_id == user.pk
            and user.is_active
            and -AUTH_TIME_LEEWAY <= age <= settings.OIDC_CONFIRMATION_SECONDS
        )


def confirmation_keep(request, *, flow: dict, claims: dict) -> ProviderConfirmation:
    """Keep the confirmation that a CONFIRM round trip brought back, once it is shown to be a
    sign-in made after it was asked for, by the person who asked."""
    auth_time = claims.get("auth_time")
    user = request.user
    if not user.is_authenticated or user.pk != flow["user"]:
        raise RoundTripFailed(_("Sign in first, then confirm who you are."), status=403)
    if not isinstance(auth_time, int) or auth_time < flow["started"] - AUTH_TIME_LEEWAY:
        raise RoundTripFailed(
            _("The sign-in provider did not ask who you are again. Nothing can be signed.")
        )
    if person_for_claims(provider=flow["provider"], claims=claims) != user:
        raise RoundTripFailed(
            _("You confirmed as someone else at the sign-in provider. Nothing can be signed."),
            status=403,
        )
    confirmation = ProviderConfirmation(
        user_id=user.pk,
        provider=flow["provider"],
        subject=str(claims.get("sub", ""))[:255],
        auth_time=auth_time,
        purpose=flow["next"],
    )
    request.session[CONFIRMATION] = asdict(confirmation)
    return confirmation


def confirmation_for(request, *, purpose: str) -> ProviderConfirmation | None:
    """The signed-in person's confirmation for the page at `purpose`, if still fresh."""
    data = request.session.get(CONFIRMATION)
    if not data or data.get("purpose") != purpose:
        return None
    confirmation = ProviderConfirmation(**data)
    return confirmation if confirmation.confirms(request.user) else None


def confirmation_spent(request) -> None:
    """A confirmation signs once."""
    request.session.pop(CONFIRMATION, None)
