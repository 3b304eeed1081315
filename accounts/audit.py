"""The security audit log: sign-ins, failed sign-ins, lock-outs and role changes.

Records go to the logger "trainingtracker.audit" (INFO, WARNING for failures and lock-outs), one
line each with `key=value` pairs, so that a log collector can keep them apart from the rest. The
record changes themselves are in each model's history (django-simple-history); this log covers
what changes no record: who signed in, who failed to, and who was locked out.
A failed sign-in names the username that was typed, never the password.
"""

import logging

logger = logging.getLogger("trainingtracker.audit")


def _ip(request) -> str:
    return (request.META.get("REMOTE_ADDR") or "-") if request is not None else "-"


def signed_in(sender, request=None, user=None, **kwargs) -> None:
    logger.info("sign-in user=%s ip=%s", user.pk, _ip(request))


def sign_in_failed(sender, credentials=None, request=None, **kwargs) -> None:
    username = (credentials or {}).get("username", "")
    logger.warning("sign-in failed username=%r ip=%s", username[:150], _ip(request))


def signed_out(sender, request=None, user=None, **kwargs) -> None:
    logger.info("sign-out user=%s ip=%s", getattr(user, "pk", "-"), _ip(request))


def locked_out(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    logger.warning("lock-out username=%r ip=%s", (username or "")[:150], ip_address or "-")


def roles_changed(*, user, added, removed, by=None) -> None:
    logger.info(
        "roles changed user=%s by=%s added=%s removed=%s",
        user.pk,
        getattr(by, "pk", "-"),
        ",".join(sorted(added)) or "-",
        ",".join(sorted(removed)) or "-",
    )
