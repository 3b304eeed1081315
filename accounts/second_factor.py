"""Two-factor sign-in for password sign-in: a time-based code from an authenticator app (TOTP),
or one of ten recovery codes, each good once.

django-otp keeps the devices: a TOTPDevice (its secret, the last code used, so a code is never
taken twice, and a back-off after wrong codes) and a StaticDevice holding the recovery codes.
The password step (accounts.views.SignInView) signs no one in while a second factor is due: it
keeps who passed it in the session (`pending_*`), and the second step signs them in.

Who must have one: the roles in settings.SECOND_FACTOR_ROLES. Anyone else may set one up, and
once set up it is asked for at every password sign-in. Signing in through single sign-on asks
for none: the agency's provider is responsible for how its people sign in.
"""

import time

import segno
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import audit
from .models import User

RECOVERY_CODES = 10
AUTHENTICATOR, RECOVERY = "authenticator", "recovery"
PENDING = "second_factor_pending"
# Wrong codes one password sign-in may give before it must start again (django-otp's back-off
# slows them down too, across sign-ins).
PENDING_FAILURES = 5


def second_factor_required(user: User) -> bool:
    """Whether `user`'s roles must sign in with a second factor (SECOND_FACTOR_ROLES)."""
    return bool(user.roles & set(settings.SECOND_FACTOR_ROLES))


def second_factor_device(user: User) -> TOTPDevice | None:
    """The person's authenticator, once set up (confirmed with a first code)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def second_factor_due(user: User) -> bool:
    """Whether a password sign-in must give a second factor (or set one up) before it counts."""
    return second_factor_required(user) or second_factor_device(user) is not None


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__name=RECOVERY).count()


def totp_device_unconfirmed(*, user: User) -> TOTPDevice:
    """The authenticator being set up: the same one until it is confirmed, so the code shown
    stays the same when the page is opened again."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=False)
    return device


def totp_setup_picture(device: TOTPDevice) -> str:
    """The otpauth:// address of the device as an SVG QR code (a data: address, as the CSP
    allows for images)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=4)


def totp_setup_key(device: TOTPDevice) -> str:
    """The secret as an authenticator app takes it typed in: base32, in groups of four."""
    from base64 import b32encode

    key = b32encode(device.bin_key).decode()
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def _history(user: User, *, by: User, reason: str) -> None:
    """A row in the person's history saying what happened to their second factor (nothing of
    the person changes; the save only writes that row)."""
    user._history_user = by
    user._change_reason = reason
    user.save(update_fields=["display_name"])


def recovery_codes_new(*, user: User) -> list[str]:
    """Ten new recovery codes for `user`, replacing any left; each signs in once."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _n in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def totp_confirm(*, user: User, code: str) -> list[str]:
    """Finish setting up the authenticator with its first code; returns the recovery codes.

    Refused when nothing is being set up (set up already: a second press of the button), or
    for a wrong code. Recorded in the person's history.
    """
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None:
        raise ValidationError(_("Two-factor sign-in is already set up."), code="done")
    if not device.verify_token(code):
        raise ValidationError({"code": _("This code is not right. Type the code shown now.")})
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = recovery_codes_new(user=user)
    _history(user, by=user, reason=_("Two-factor sign-in set up."))
    return codes


def second_factor_check(*, user: User, code: str) -> str | None:
    """Which second factor `code` is of `user`'s, or None: the authenticator's current code, or
    an unused recovery code (used up by this). Not atomic: a wrong code's back-off is kept."""
    code = code.replace(" ", "").lower()
    device = second_factor_device(user)
    if device is not None and code.isdigit() and device.verify_token(code):
        return AUTHENTICATOR
    recovery = StaticDevice.objects.filter(user=user, name=RECOVERY).first()
    if recovery is not None and not code.isdigit() and recovery.verify_token(code):
        return RECOVERY
    return None


@transaction.atomic
def second_factor_reset(*, user: User, by: User) -> None:
    """A programme admin removes a person's authenticator and recovery codes (a lost phone):
    they set up a new one at their next password sign-in, if their role requires one. In the
    person's history."""
    if user.pk == by.pk:
        raise ValidationError(_("Ask another programme admin to reset your own second factor."))
    removed = TOTPDevice.objects.filter(user=user).delete()[0]
    removed += StaticDevice.objects.filter(user=user).delete()[0]
    if not removed:
        raise ValidationError(_("This person has no second factor to reset."))
    _history(user, by=by, reason=_("Second factor reset: set up again at the next sign-in."))
    audit.second_factor_reset(user=user, by=by)


# The password step passed, the second not yet --------------------------------------------------


def pending_start(request, *, user: User, backend: str, next_url: str) -> None:
    """Keep who passed the password step, for OIDC_ROUND_TRIP_SECONDS at most."""
    request.session.cycle_key()
    request.session[PENDING] = {
        "user": user.pk,
        "backend": backend,
        "next": next_url,
        "started": int(time.time()),
        "failures": 0,
    }
    request.session.set_expiry(settings.SECOND_FACTOR_PENDING_SECONDS)


def pending_user(request) -> tuple[dict, User] | None:
    """Who is between the two steps, and their step's data; None when no one is, or too late."""
    data = request.session.get(PENDING)
    if not data:
        return None
    if time.time() - data["started"] > settings.SECOND_FACTOR_PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None
    user = User.objects.filter(pk=data["user"], is_active=True).first()
    return (data, user) if user is not None else None


def pending_failed(request) -> bool:
    """Count a wrong code; True once there were too many (the sign-in must start again)."""
    data = request.session[PENDING]
    data["failures"] += 1
    request.session.modified = True
    if data["failures"] >= PENDING_FAILURES:
        request.session.pop(PENDING)
        return True
    return False
