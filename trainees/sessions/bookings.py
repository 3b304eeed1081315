"""The rules of booking a session: who and what it holds may not be elsewhere at the same time
(clashes, refused), and who should not be booked at all yet (warnings, which only a programme
admin may override, with a reason).

Both are read in a fixed number of queries whatever the history: each looks only at rows whose
times overlap the session's (indexed by person or resource and start).
"""

import datetime as dt
from collections import defaultdict

from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from curriculum.texts import code_title
from trainees.models import (
    MedicalHold,
    Resource,
    ResourceUnavailability,
    SessionResource,
    SessionStatus,
    SessionTrainee,
    TrainerAuthorisation,
    TrainingSession,
)
from trainees.progress.selectors import trainees_progress
from trainees.services import session_named as _session_named
from trainingtracker.helpers import span

HELD = (SessionStatus.SCHEDULED, SessionStatus.COMPLETED)  # what still occupies its time
SHOWN = 5  # clashes named per person or resource; the rest are counted


def _overlapping(starts_at, ends_at) -> Q:
    return Q(starts_at__lt=ends_at, ends_at__gt=starts_at)


def _most_at_once(intervals) -> int:
    events = sorted([(s, 1) for s, _e in intervals] + [(e, -1) for _s, e in intervals])
    most = running = 0
    for _moment, step in events:
        running += step
        most = max(most, running)
    return most


def booking_clashes(
    *,
    session: TrainingSession | None,
    trainer,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    trainees,
    resources,
) -> dict[str, list[str]]:
    """What keeps the session from its time: field -> one line per clash, naming who or what,
    which session and when. Four queries (trainer, trainees, resources, unavailable periods).
    `session` is the session being changed (its own bookings do not count), or None."""
    clashes: dict[str, list[str]] = defaultdict(list)
    own = Q(pk=session.pk) if session and session.pk else Q(pk__in=[])
    related = ("module__revision", "cohort")

    others = (
        TrainingSession.objects.filter(_overlapping(starts_at, ends_at), trainer=trainer)
        .filter(status__in=HELD)
        .exclude(own)
        .select_related(*related)
        .order_by("starts_at")[:SHOWN]
    )
    for other in others:
        clashes["trainer"].append(
            _("%(trainer)s leads %(session)s.")
            % {"trainer": trainer, "session": _session_named(other)}
        )

    trainee_ids = [t.pk for t in trainees]
    if trainee_ids:
        rows = (
            SessionTrainee.objects.filter(
                _overlapping(starts_at, ends_at),
                trainee__in=trainee_ids,
                session__status__in=HELD,
            )
            .exclude(session__in=TrainingSession.objects.filter(own))
            .select_related("trainee__user", *(f"session__{r}" for r in related))
            .order_by("trainee__user__display_name", "starts_at")[: SHOWN * len(trainee_ids)]
        )
        for row in rows:
            clashes["trainees"].append(
                _("%(trainee)s is expected at %(session)s.")
                % {"trainee": row.trainee.user, "session": _session_named(row.session)}
            )

    resources = list(resources)
    if resources:
        rows = list(
            SessionResource.objects.filter(
                _overlapping(starts_at, ends_at),
                resource__in=resources,
                session__status__in=HELD,
            )
            .exclude(session__in=TrainingSession.objects.filter(own))
            .select_related(*(f"session__{r}" for r in related))
            .order_by("starts_at")
        )
        by_resource = defaultdict(list)
        for row in rows:
            by_resource[row.resource_id].append(row)
        for resource in resources:
            booked = by_resource.get(resource.pk, [])
            # Full when, at some moment of the new session, `capacity` others already use it.
            overlap = [(max(r.starts_at, starts_at), min(r.ends_at, ends_at)) for r in booked]
            if booked and _most_at_once(overlap) >= resource.capacity:
                for row in booked[:SHOWN]:
                    clashes["resources"].append(
                        _("%(resource)s is booked for %(session)s.")
                        % {"resource": resource, "session": _session_named(row.session)}
                    )
        closed = ResourceUnavailability.objects.filter(
            _overlapping(starts_at, ends_at), resource__in=resources
        ).select_related("resource")
        for period in closed.order_by("starts_at")[: SHOWN * len(resources)]:
            clashes["resources"].append(
                _("%(resource)s is unavailable %(when)s: %(reason)s")
                % {
                    "resource": period.resource,
                    "when": span(period.starts_at, period.ends_at),
                    "reason": period.reason,
                }
            )
        for resource in resources:
            if resource.retired_on is not None:
                clashes["resources"].append(
                    _("%(resource)s is retired and cannot be booked.") % {"resource": resource}
                )
    return dict(clashes)


def resources_locked(resources) -> list[Resource]:
    """The resources, read again under a lock (PostgreSQL: `SELECT ... FOR UPDATE`, in id
    order so that two bookings never wait on each other; SQLite's write transaction already
    holds the whole database): a hall's count of sessions cannot change until this booking
    commits or rolls back."""
    ids = sorted({r.pk for r in resources})
    return list(Resource.objects.select_for_update().filter(pk__in=ids).order_by("pk"))


def scheduling_warnings(
    *,
    cohort,
    module,
    trainer,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    trainees,
    resources,
) -> list[str]:
    """Why the session should not be held as planned, though nothing is double booked: a
    trainee on a medical hold on the day, a trainee whose prerequisites for the module are
    incomplete, a trainee without a current qualification a resource requires, a trainer not
    authorised or no longer current for the module. By the progress rules
    (`trainees_progress` on the session's day), in a fixed number of queries."""
    day = timezone.localdate(starts_at)
    warnings = []
    trainees = list(trainees)
    for trainee in trainees:  # all of the cohort (the roster check): no query per trainee
        trainee.cohort = cohort
    required = {r.required_qualification: r for r in resources if r.required_qualification}
    if trainees:
        on_hold = set(
            MedicalHold.objects.filter(trainee__in=trainees, opened_on__lte=day)
            .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=day))
            .values_list("trainee_id", flat=True)
        )
        progress = {p.trainee.pk: p for p in trainees_progress(trainees=trainees, on=day)}
        for trainee in trainees:
            name = trainee.user
            if trainee.pk in on_hold:
                warnings.append(
                    _("%(trainee)s is on a medical hold on %(day)s.")
                    % {"trainee": name, "day": formats.date_format(day, "SHORT_DATE_FORMAT")}
                )
            standing = progress[trainee.pk]
            for module_progress in standing.modules:
                if module_progress.module.pk == module.pk and module_progress.status == "blocked":
                    warnings.append(
                        _("%(trainee)s has not completed the prerequisites of %(module)s.")
                        % {"trainee": name, "module": code_title(module)}
                    )
            held = {s.qualification.code: s for s in standing.qualifications}
            for code, resource in required.items():
                qualification = held.get(code)
                if qualification is None or not qualification.current:
                    warnings.append(
                        _(
                            "%(trainee)s does not hold a current %(qualification)s, which "
                            "%(resource)s requires."
                        )
                        % {
                            "trainee": name,
                            "qualification": code_title(qualification.qualification)
                            if qualification
                            else code,
                            "resource": resource,
                        }
                    )
    programme_id = cohort.revision.programme_id
    authorisations = list(
        TrainerAuthorisation.objects.filter(programme_id=programme_id, module_code=module.code)
    )
    if authorisations:
        own = [a for a in authorisations if a.trainer_id == trainer.pk]
        if not own:
            warnings.append(
                _("%(trainer)s is not authorised to instruct %(module)s.")
                % {"trainer": trainer, "module": code_title(module)}
            )
        elif not any(a.current_on(day) for a in own):
            warnings.append(
                _("%(trainer)s's authorisation to instruct %(module)s is not current on %(day)s.")
                % {
                    "trainer": trainer,
                    "module": code_title(module),
                    "day": formats.date_format(day, "SHORT_DATE_FORMAT"),
                }
            )
    return warnings
