"""The security audit log: sign-ins, failed sign-ins, lock-outs and role changes.

Records go to the logger "trainingtracker.audit" (INFO, WARNING for failures and lock-outs), one
line each with `key=value` pairs, so that a log collector can keep them apart from the rest. The
record changes themselves are in each model's history (django-simple-history); this log covers
what changes no record: who signed in, who failed to, and who was locked out.
A failed sign-in names the username that was typed, never the password.
"""

import logging

from .throttle import client_address

logger = logging.getLogger("trainingtracker.audit")


# The longest user name there is (User.username); what is typed past it names no one.
USERNAME_KEPT = 150


def _ip(request) -> str:
    """The client's address, from the proxy header the deployment trusts (accounts/throttle.py)."""
    return (client_address(request) if request is not None else None) or "-"


def username_typed(request, credentials=None) -> str | None:
    """The user name django-axes counts failures under (AXES_USERNAME_CALLABLE): what was typed,
    cut to the longest user name, so a stranger's 2 MB "user name" is not what it stores."""
    if credentials is not None:
        username = credentials.get("username")
    else:
        username = request.POST.get("username") if request is not None else None
    return username[:USERNAME_KEPT] if isinstance(username, str) else None


def signed_in(sender, request=None, user=None, **kwargs) -> None:
    logger.info("sign-in user=%s ip=%s", user.pk, _ip(request))


def sign_in_failed(sender, credentials=None, request=None, **kwargs) -> None:
    username = (credentials or {}).get("username", "")
    logger.warning("sign-in failed username=%r ip=%s", username[:USERNAME_KEPT], _ip(request))


def signed_out(sender, request=None, user=None, **kwargs) -> None:
    logger.info("sign-out user=%s ip=%s", getattr(user, "pk", "-"), _ip(request))


def locked_out(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    logger.warning(
        "lock-out username=%r ip=%s", (username or "")[:USERNAME_KEPT], ip_address or "-"
    )


def lockout_released(*, user, ip_address, by) -> None:
    logger.info("lock-out released user=%s ip=%s by=%s", user.pk, ip_address or "-", by.pk)


def roles_changed(*, user, added, removed, by=None) -> None:
    logger.info(
        "roles changed user=%s by=%s added=%s removed=%s",
        user.pk,
        getattr(by, "pk", "-"),
        ",".join(sorted(added)) or "-",
        ",".join(sorted(removed)) or "-",
    )


def second_factor_failed(*, user, request) -> None:
    logger.warning("second factor failed user=%s ip=%s", user.pk, _ip(request))


def second_factor_reset(*, user, by) -> None:
    logger.info("second factor reset user=%s by=%s", user.pk, by.pk)


def sign_in_refused(*, provider: str, request) -> None:
    """Someone the provider signed in whom the tracker does not know (no claim is logged)."""
    logger.warning("single sign-on refused provider=%s ip=%s", provider, _ip(request))
