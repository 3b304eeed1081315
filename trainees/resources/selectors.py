"""Reads of the resource pages: who may be authorised, which module codes a programme has, a
resource's sessions and unavailable periods to come."""

import datetime as dt
from collections import defaultdict

from django.db.models import Q

from accounts.models import Role, User
from curriculum.models import Module
from trainees.models import Resource, ResourceUnavailability, SessionStatus, TrainingSession

UPCOMING_DAYS = 28  # how far ahead a resource's page lists its bookings


def trainers():
    """Who may be authorised to instruct: active people with the trainer role."""
    return User.objects.filter(groups__name=Role.TRAINER, is_active=True).order_by("display_name")


def module_codes(programmes) -> dict[int, list[str]]:
    """Programme id -> its module codes across its revisions (an authorisation holds across
    them), in one query."""
    pairs = Module.objects.filter(revision__programme__in=[p.pk for p in programmes])
    codes = defaultdict(set)
    for programme_id, code in pairs.values_list("revision__programme_id", "code"):
        codes[programme_id].add(code)
    return {programme_id: sorted(found) for programme_id, found in codes.items()}


def resource_upcoming(*, resource: Resource, now: dt.datetime):
    """The scheduled sessions booking the resource in the next `UPCOMING_DAYS` days (and any
    under way), with their module, revision and cohort; its unavailable periods not yet over."""
    horizon = now + dt.timedelta(days=UPCOMING_DAYS)
    sessions = (
        TrainingSession.objects.filter(
            Q(starts_at__lt=horizon, ends_at__gt=now),
            resources=resource,
            status=SessionStatus.SCHEDULED,
        )
        .select_related("module__revision", "cohort", "trainer")
        .order_by("starts_at", "pk")
    )
    periods = (
        ResourceUnavailability.objects.filter(resource=resource, ends_at__gt=now)
        .select_related("recorded_by")
        .order_by("starts_at", "pk")
    )
    return sessions, periods
