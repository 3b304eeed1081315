"""Making, revoking and using personal access tokens. Each write is one statement or atomic."""

import datetime as dt
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from api.models import PREFIX_LENGTH, AccessToken, token_digest

# Every token starts so, so that a secret scanner (and a person) can tell what it is.
TOKEN_MARK = "tt_"  # noqa: S105 (a public prefix, not a secret)
CLIENT_LENGTH = AccessToken._meta.get_field("last_used_client").max_length


def access_token_expiry_check(*, expires_on: dt.date, today: dt.date) -> None:
    """A token expires after today and within `API_TOKEN_MAX_DAYS`."""
    longest = today + dt.timedelta(days=settings.API_TOKEN_MAX_DAYS)
    if not today < expires_on <= longest:
        raise ValidationError(
            {
                "expires_on": _("Choose a day after today and no later than %(day)s.")
                % {"day": longest.isoformat()}
            }
        )


@transaction.atomic
def access_token_create(
    *, user: User, name: str, scope: str, expires_on: dt.date
) -> tuple[AccessToken, str]:
    """Make a token for `user`, expiring at the start of `expires_on` in their time zone.
    Returns the token and its secret, which is kept nowhere: the caller shows it once."""
    now = timezone.now()
    access_token_expiry_check(expires_on=expires_on, today=timezone.localdate(now, user.time_zone))
    if scope not in AccessToken.Scope.values:
        raise ValidationError({"scope": _("Choose read, or read and write.")})
    secret = TOKEN_MARK + secrets.token_urlsafe(32)
    token = AccessToken(
        user=user,
        name=name,
        scope=scope,
        prefix=secret[:PREFIX_LENGTH],
        digest=token_digest(secret),
        created_at=now,
        expires_at=dt.datetime.combine(expires_on, dt.time.min, tzinfo=user.time_zone),
    )
    token.full_clean()
    token.save()
    return token, secret


def access_token_revoke(*, token: AccessToken, by: User) -> AccessToken:
    """Revoke a token from now on, once: revoking it again changes nothing. One conditional
    UPDATE, so two revocations at once record the first."""
    now = timezone.now()
    if AccessToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=now, revoked_by=by
    ):
        token.revoked_at, token.revoked_by = now, by
    return token


def access_token_find(secret: str) -> AccessToken | None:
    """The usable token whose secret this is, with its person; None for anything else (unknown,
    revoked, expired, a deactivated person). One query."""
    if not secret.startswith(TOKEN_MARK) or len(secret) > 100:
        return None
    return (
        AccessToken.objects.usable()
        .select_related("user")
        .filter(digest=token_digest(secret))
        .first()
    )


def access_token_used(*, token: AccessToken, address: str | None, client: str) -> None:
    """Record a use: when, from which address and client (its User-Agent, cut to the column).
    One UPDATE, with no read before it."""
    now = timezone.now()
    client = client.replace("\x00", "")[:CLIENT_LENGTH]
    AccessToken.objects.filter(pk=token.pk).update(
        last_used_at=now, last_used_from=address, last_used_client=client
    )
    token.last_used_at, token.last_used_from, token.last_used_client = now, address, client
