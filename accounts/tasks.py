import smtplib
from contextlib import contextmanager

from celery import shared_task
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.utils import timezone

from . import services
from .models import User

# A claim outlives every retry of its task (backoff up to 10 minutes, six times).
CLAIM_SECONDS = 24 * 60 * 60


@shared_task
def sessions_clear_expired() -> int:
    """Delete expired sign-in sessions; returns how many.

    Idempotent: a second run, or two overlapping runs, find nothing more to delete.
    """
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


# Errors worth another try: the mail server or the network was briefly unavailable.
TRANSIENT = (OSError, smtplib.SMTPException)


MAIL_TASK = {
    "bind": True,
    "autoretry_for": TRANSIENT,
    "retry_backoff": 5,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 6,
}


@contextmanager
def _claimed(task, kind: str):
    """Yield whether this run of `task` may send: its id is claimed in the cache first, so a
    redelivered task (acks_late) sends nothing twice; a failure releases the claim for the
    retry."""
    claim = f"{kind}-sent:{task.request.id}"
    if task.request.id and not cache.add(claim, True, timeout=CLAIM_SECONDS):
        yield False
        return
    try:
        yield True
    except BaseException:
        cache.delete(claim)
        raise


@shared_task(**MAIL_TASK)
def password_reset_send(self, *, email: str, domain: str, use_https: bool) -> int:
    """Send the link to set a password again to whoever has `email` (maybe no one).

    Idempotent: the run claims its task id before sending (`_claimed`); a transient failure
    releases the claim and retries with backoff.
    """
    with _claimed(self, "password-reset") as mine:
        if not mine:
            return 0
        site = services.LinkSite(domain=domain, use_https=use_https)
        return services.password_reset_send(email=email, site=site)


@shared_task(**MAIL_TASK)
def invitation_send(
    self, *, user_id: int, domain: str, use_https: bool, by_id: int | None = None
) -> bool:
    """Send the invitation to set a password to the person `user_id` (none once deactivated).

    Idempotent as `password_reset_send`.
    """
    with _claimed(self, "invitation") as mine:
        user = User.objects.filter(pk=user_id).first()
        if not mine or user is None:
            return False
        site = services.LinkSite(domain=domain, use_https=use_https)
        by = User.objects.filter(pk=by_id).first() if by_id else None
        return services.user_invitation_send(user=user, site=site, by=by)
