import smtplib

from celery import shared_task
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.utils import timezone

from . import services

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


@shared_task(
    bind=True,
    autoretry_for=TRANSIENT,
    retry_backoff=5,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=6,
)
def password_reset_send(self, *, email: str, domain: str, use_https: bool) -> int:
    """Send the link to set a password again to whoever has `email` (maybe no one).

    Idempotent: the task claims its id in the cache before sending, so a redelivered task
    (acks_late) sends nothing twice; a transient failure releases the claim and retries.
    """
    claim = f"password-reset-sent:{self.request.id}"
    if self.request.id and not cache.add(claim, True, timeout=CLAIM_SECONDS):
        return 0
    try:
        return services.password_reset_send(
            email=email, site=services.LinkSite(domain=domain, use_https=use_https)
        )
    except BaseException:
        cache.delete(claim)
        raise
