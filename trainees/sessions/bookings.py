"""The rules of booking a session: who and what it holds may not be elsewhere at the same time
(clashes, refused), and who should not be booked at all yet (warnings, which only a programme
admin may override, with a reason).

Both are read in a fixed number of queries whatever the history: each looks only at rows whose
times overlap the session's (indexed by person or resource and start).
"""

import datetime as dt
from collections import defaultdict
from functools import reduce
from operator import or_

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
    own = [session.pk] if session and session.pk else []
    return booking_clashes_many(
        times=[(starts_at, ends_at)],
        trainer=trainer,
        trainees=trainees,
        resources=resources,
        excluding=own,
    )[0]


def booking_clashes_many(
    *, times: list[tuple[dt.datetime, dt.datetime]], trainer, trainees, resources, excluding=()
) -> list[dict[str, list[str]]]:
    """`booking_clashes` for each of several times the same people and resources would be
    booked (the occurrences of a series), in the same four queries: for each time, field ->
    one line per clash. The sessions `excluding` names (being moved) do not count."""
    found: list[dict[str, list[str]]] = [defaultdict(list) for _time in times]
    if not times:
        return []
    overlapping = reduce(or_, (_overlapping(s, e) for s, e in times))
    own = Q(pk__in=list(excluding))
    related = ("module__revision", "cohort")

    others = list(
        TrainingSession.objects.filter(overlapping, trainer=trainer)
        .filter(status__in=HELD)
        .exclude(own)
        .select_related(*related)
        .order_by("starts_at")
    )
    for index, (starts_at, ends_at) in enumerate(times):
        for other in _within(others, starts_at, ends_at)[:SHOWN]:
            found[index]["trainer"].append(
                _("%(trainer)s leads %(session)s.")
                % {"trainer": trainer, "session": _session_named(other)}
            )

    trainee_ids = [t.pk for t in trainees]
    if trainee_ids:
        rows = list(
            SessionTrainee.objects.filter(
                overlapping, trainee__in=trainee_ids, session__status__in=HELD
            )
            .exclude(session__in=TrainingSession.objects.filter(own))
            .select_related("trainee__user", *(f"session__{r}" for r in related))
            .order_by("trainee__user__display_name", "starts_at")
        )
        for index, (starts_at, ends_at) in enumerate(times):
            shown = defaultdict(int)
            for row in _within(rows, starts_at, ends_at):
                shown[row.trainee_id] += 1
                if shown[row.trainee_id] <= SHOWN:
                    found[index]["trainees"].append(
                        _("%(trainee)s is expected at %(session)s.")
                        % {"trainee": row.trainee.user, "session": _session_named(row.session)}
                    )

    resources = list(resources)
    if resources:
        rows = list(
            SessionResource.objects.filter(
                overlapping, resource__in=resources, session__status__in=HELD
            )
            .exclude(session__in=TrainingSession.objects.filter(own))
            .select_related(*(f"session__{r}" for r in related))
            .order_by("starts_at")
        )
        closed = list(
            ResourceUnavailability.objects.filter(overlapping, resource__in=resources)
            .select_related("resource")
            .order_by("starts_at")
        )
        for index, (starts_at, ends_at) in enumerate(times):
            _resource_clashes(
                found[index]["resources"],
                resources=resources,
                rows=_within(rows, starts_at, ends_at),
                closed=_within(closed, starts_at, ends_at),
                starts_at=starts_at,
                ends_at=ends_at,
            )
    return [{field: lines for field, lines in clashes.items() if lines} for clashes in found]


def _within(rows, starts_at, ends_at) -> list:
    """The rows (with their own starts_at and ends_at) that overlap the time."""
    return [row for row in rows if row.starts_at < ends_at and row.ends_at > starts_at]


def _resource_clashes(lines, *, resources, rows, closed, starts_at, ends_at) -> None:
    by_resource = defaultdict(list)
    for row in rows:
        by_resource[row.resource_id].append(row)
    for resource in resources:
        booked = by_resource.get(resource.pk, [])
        # Full when, at some moment of the new session, `capacity` others already use it.
        overlap = [(max(r.starts_at, starts_at), min(r.ends_at, ends_at)) for r in booked]
        if booked and _most_at_once(overlap) >= resource.capacity:
            for row in booked[:SHOWN]:
                lines.append(
                    _("%(resource)s is booked for %(session)s.")
                    % {"resource": resource, "session": _session_named(row.session)}
                )
    for period in closed[: SHOWN * len(resources)]:
        lines.append(
            _("%(resource)s is unavailable %(when)s: %(reason)s")
            % {
                "resource": period.resource,
                "when": span(period.starts_at, period.ends_at),
                "reason": period.reason,
            }
        )
    for resource in resources:
        if resource.retired_on is not None:
            lines.append(
                _("%(resource)s is retired and cannot be booked.") % {"resource": resource}
            )


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


def holds_during(*, trainees, first: dt.date, last: dt.date) -> list[str]:
    """A warning for each trainee on a medical hold at some time from `first` to `last` (the
    days of a series), in one query."""
    if not trainees:
        return []
    names = {t.pk: t.user for t in trainees}
    holds = (
        MedicalHold.objects.filter(trainee__in=list(names), opened_on__lte=last)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=first))
        .order_by("opened_on")
        .values_list("trainee_id", "opened_on")
    )
    warnings = []
    for trainee_id, opened_on in holds:
        warnings.append(
            _("%(trainee)s is on a medical hold from %(day)s, during the series.")
            % {
                "trainee": names[trainee_id],
                "day": formats.date_format(max(opened_on, first), "SHORT_DATE_FORMAT"),
            }
        )
    return warnings
