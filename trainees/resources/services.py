"""Writes to the centre's resources, their unavailable periods and the instructors' authorisations.
Each is atomic and keyword-only; a refusal names the sessions in the way."""

import datetime as dt
import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from curriculum.models import Programme, Qualification
from trainees.models import (
    Resource,
    ResourceUnavailability,
    SessionResource,
    TrainerAuthorisation,
)
from trainees.resources.selectors import module_codes, trainers
from trainees.services import session_named, submission_claim, submission_done
from trainingtracker.helpers import refused_when_raced

SHOWN = 5  # sessions named in a refusal; the rest are counted
NAME_TAKEN = next(
    c.violation_error_message
    for c in Resource._meta.constraints
    if c.name == "resource_name_unique"
)
AUTHORISED = next(
    c.violation_error_message
    for c in TrainerAuthorisation._meta.constraints
    if c.name == "authorisation_one_standing"
)


def _bookings(resource: Resource, *, since: dt.datetime | None):
    """The resource's scheduled bookings (ending after `since`, if given), with what names their
    sessions, in time order."""
    rows = SessionResource.objects.filter(resource=resource, scheduled=True)
    if since is not None:
        rows = rows.filter(ends_at__gt=since)
    return rows.select_related("session__module__revision", "session__cohort").order_by(
        "starts_at", "pk"
    )


def _named(rows, field: str, message: str) -> ValidationError:
    """A refusal on `field`: `message`, then the first sessions named and how many more."""
    lines = [message, *(session_named(row.session) for row in rows[:SHOWN])]
    if len(rows) > SHOWN:
        more = len(rows) - SHOWN
        lines.append(
            ngettext("and %(n)s more session", "and %(n)s more sessions", more) % {"n": more}
        )
    return ValidationError({field: lines})


def _crowded(rows, capacity: int) -> list:
    """The bookings in use at a moment when more than `capacity` are at once (half-open times:
    one may start as another ends)."""
    events = sorted(
        [(row.starts_at, 1, row) for row in rows] + [(row.ends_at, -1, row) for row in rows],
        key=lambda event: (event[0], event[1]),  # an end before a start at the same moment
    )
    active, crowded = {}, {}
    for _moment, step, row in events:
        if step < 0:
            active.pop(row.pk, None)
            continue
        active[row.pk] = row
        if len(active) > capacity:
            crowded.update(active)
    return sorted(crowded.values(), key=lambda row: (row.starts_at, row.pk))


def _capacity_check(resource: Resource, capacity: int) -> None:
    """Lowering the capacity below the most sessions booked at once is refused, naming them.
    The sessions to come count; for one session at a time every scheduled session counts, as
    the database's constraint on the booking rows reads them all."""
    since = None if capacity == 1 else timezone.now()
    crowded = _crowded(list(_bookings(resource, since=since)), capacity)
    if crowded:
        raise _named(
            crowded,
            "capacity",
            _("More sessions than that are booked into it at once:"),
        )


def _qualification_check(code: str) -> None:
    if code and not Qualification.objects.filter(code=code).exists():
        raise ValidationError(
            {"required_qualification": _("No qualification of the curriculum has this code.")}
        )


@refused_when_raced(NAME_TAKEN, field="name")
@transaction.atomic
def resource_save(
    *,
    resource: Resource | None,
    name: str,
    kind: str,
    capacity: int,
    required_qualification: str = "",
    notes: str = "",
    by: User,
    key: uuid.UUID | None = None,
) -> Resource:
    """Add a resource (`resource` None) or change one. Its capacity may not fall below the most
    sessions already booked into it at once; when it changes, the booking rows learn whether the
    resource now takes one session at a time (the database's no-overlap constraint reads that).
    `key`, a form's one-time key: sent twice, the second raises `AlreadySubmitted`."""
    claim = submission_claim(key=key, user=by) if key is not None else None
    if resource is None:
        resource = Resource()
        before = None
    else:
        # Locked: a session booked meanwhile waits for this change (`resources_locked`).
        resource = Resource.objects.select_for_update().get(pk=resource.pk)
        before = resource.capacity
    required_qualification, name = required_qualification.strip(), name.strip()
    # The model's unique constraint, beside the name (its own check reports it on no field).
    if Resource.objects.filter(name__iexact=name).exclude(pk=resource.pk).exists():
        raise ValidationError({"name": NAME_TAKEN})
    resource.name, resource.kind, resource.capacity = name, kind, capacity
    resource.required_qualification, resource.notes = required_qualification, notes
    resource.full_clean()
    _qualification_check(required_qualification)
    if before is not None and capacity < before:
        _capacity_check(resource, capacity)
    resource._history_user = by
    resource.save()
    if before is not None and (before == 1) != (capacity == 1):
        SessionResource.objects.filter(resource=resource).update(exclusive=capacity == 1)
    if claim is not None:
        submission_done(claim=claim, target=resource.get_absolute_url())
    return resource


@transaction.atomic
def resource_retire(*, resource: Resource, on: dt.date | None = None, by: User) -> Resource:
    """Retire a resource: it can no longer be booked, and keeps its bookings and history
    (resources are never deleted). Refused while sessions to come book it, naming them."""
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    if resource.retired_on is not None:
        raise ValidationError(_("This resource is retired already."))
    booked = list(_bookings(resource, since=timezone.now()))
    if booked:
        raise _named(
            booked,
            "__all__",
            _("Sessions to come book it; move them to another resource first:"),
        )
    resource.retired_on = on or timezone.localdate()
    resource._history_user = by
    resource.save(update_fields=["retired_on"])
    return resource


@transaction.atomic
def unavailability_add(
    *, resource: Resource, starts_at: dt.datetime, ends_at: dt.datetime, reason: str, by: User
) -> ResourceUnavailability:
    """Record a period the resource cannot be booked. Refused over scheduled sessions that book
    it, naming them: they are moved or cancelled first."""
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    period = ResourceUnavailability(
        resource=resource,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason.strip(),
        recorded_by=by,
    )
    period.full_clean()
    booked = list(
        _bookings(resource, since=None).filter(Q(starts_at__lt=ends_at, ends_at__gt=starts_at))
    )
    if booked:
        raise _named(
            booked,
            "starts_at",
            _("Scheduled sessions book it then; move or cancel them first:"),
        )
    period._history_user = by
    period.save()
    return period


@transaction.atomic
def unavailability_remove(*, period: ResourceUnavailability, by: User) -> None:
    """Take back a period still to end (the history keeps it); one that is over is the
    resource's record."""
    period = ResourceUnavailability.objects.select_for_update().get(pk=period.pk)
    if period.ends_at <= timezone.now():
        raise ValidationError(_("This period is over; it stays on the record."))
    period._history_user = by
    period.delete()


@refused_when_raced(AUTHORISED, field="trainer")
@transaction.atomic
def authorisation_grant(
    *,
    trainer: User,
    programme: Programme,
    module_code: str,
    granted_on: dt.date,
    expires_on: dt.date | None = None,
    by: User,
) -> TrainerAuthorisation:
    """Authorise a trainer to instruct a module of a programme, from `granted_on`, until
    `expires_on` if given. One standing authorisation per trainer and module (a database
    constraint): withdraw it before granting another."""
    if not trainers().filter(pk=trainer.pk).exists():
        raise ValidationError({"trainer": _("Only a trainer can be authorised to instruct.")})
    if module_code not in module_codes([programme]).get(programme.pk, []):
        raise ValidationError({"module_code": _("The programme has no module of this code.")})
    standing = TrainerAuthorisation.objects.filter(
        trainer=trainer, programme=programme, module_code=module_code, withdrawn_on__isnull=True
    )
    if standing.exists():  # the model's constraint, beside the trainer
        raise ValidationError({"trainer": AUTHORISED})
    authorisation = TrainerAuthorisation(
        trainer=trainer,
        programme=programme,
        module_code=module_code,
        granted_on=granted_on,
        expires_on=expires_on,
        granted_by=by,
    )
    authorisation.full_clean()
    authorisation._history_user = by
    authorisation.save()
    return authorisation


@transaction.atomic
def authorisation_withdraw(
    *, authorisation: TrainerAuthorisation, by: User
) -> TrainerAuthorisation:
    """Withdraw a standing authorisation from today (from the day it starts, if that is still
    to come: it never was current)."""
    authorisation = TrainerAuthorisation.objects.select_for_update().get(pk=authorisation.pk)
    if authorisation.withdrawn_on is not None:
        raise ValidationError(_("This authorisation is withdrawn already."))
    authorisation.withdrawn_on = max(timezone.localdate(), authorisation.granted_on)
    authorisation._history_user = by
    authorisation.save(update_fields=["withdrawn_on"])
    return authorisation
