"""Reads about people that are more than a queryset: the current sign-in lock-outs."""

import datetime as dt
from dataclasses import dataclass

from axes.models import AccessAttempt
from django.conf import settings
from django.utils import timezone

from .models import User


@dataclass(frozen=True)
class Lockout:
    """A person's account locked for one client (django-axes' record of the failures)."""

    id: int
    person: User
    ip_address: str | None
    failures: int
    last_attempt: dt.datetime
    until: dt.datetime


def lockouts_current(*, viewer: User, now: dt.datetime | None = None) -> list[Lockout]:
    """The lock-outs in force now of the people `viewer` manages, the latest first.

    django-axes locks a user name for one client (AXES_LOCKOUT_PARAMETERS) once it has failed
    AXES_FAILURE_LIMIT times, until AXES_COOLOFF_TIME after the last failure. A lock-out on a
    user name nobody has is not listed: it locks no one out, and ends on its own.
    """
    now = now or timezone.now()
    attempts = list(
        AccessAttempt.objects.filter(
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
            attempt_time__gt=now - settings.AXES_COOLOFF_TIME,
        ).order_by("-attempt_time", "-pk")
    )
    people = User.objects.visible_to(viewer).filter(
        username__in={attempt.username for attempt in attempts}
    )
    by_username = {person.username: person for person in people}
    return [
        Lockout(
            id=attempt.pk,
            person=by_username[attempt.username],
            ip_address=attempt.ip_address,
            failures=attempt.failures_since_start,
            last_attempt=attempt.attempt_time,
            until=attempt.attempt_time + settings.AXES_COOLOFF_TIME,
        )
        for attempt in attempts
        if attempt.username in by_username
    ]
