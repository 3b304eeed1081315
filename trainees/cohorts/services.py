"""Writes that run a programme: cohorts, their plans and trainers, trainees enrolled, added
or imported, their status, and a cohort's move to a newer revision. Keyword-only and atomic: a
record is saved whole or not at all.
"""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.services import USERNAME_TAKEN, LinkSite, person_create
from curriculum.models import (
    Module,
    ProgrammeRevision,
)
from trainees.models import (
    Cohort,
    CohortPlanEntry,
    CohortRevisionMove,
    Trainee,
    TraineeStatusChange,
    TrainingSession,
)
from trainingtracker.helpers import refused_when_raced


def _check_open(cohort: Cohort) -> None:
    if cohort.closed_on is not None:
        raise ValidationError(_("This cohort is closed; its plan, trainers and trainees stay."))


def _check_trainers(trainers: Iterable[User]) -> None:
    for user in trainers:
        if not (user.is_active and user.has_perm("accounts.log_training")):
            raise ValidationError(
                {"trainers": _("%(name)s cannot train a cohort.") % {"name": user}}
            )


@refused_when_raced(_("A cohort of this name already exists."), field="name")
@transaction.atomic
def cohort_create(
    *,
    name: str,
    revision: ProgrammeRevision,
    starts_on: dt.date,
    ends_on: dt.date,
    trainers: Iterable[User],
    by: User,
) -> Cohort:
    """Start a cohort on a published revision, with its dates and trainers (its plan next)."""
    trainers = list(trainers)
    _check_trainers(trainers)
    cohort = Cohort(name=name, revision=revision, starts_on=starts_on, ends_on=ends_on)
    cohort.full_clean()
    cohort._history_user = by
    cohort.save()
    cohort.trainers.set(trainers)
    return cohort


@transaction.atomic
def cohort_update(
    *, cohort: Cohort, name: str, starts_on: dt.date, ends_on: dt.date, by: User
) -> Cohort:
    """Rename a cohort or move its dates. Its revision never changes: trainees are pinned to it."""
    _check_open(cohort)
    cohort.name, cohort.starts_on, cohort.ends_on = name, starts_on, ends_on
    cohort.full_clean()
    _check_plan_fits(cohort, cohort.plan.values_list("end_week", flat=True))
    cohort._history_user = by
    cohort.save(update_fields=["name", "starts_on", "ends_on"])
    return cohort


def cohort_weeks(cohort: Cohort) -> int:
    """How many plan weeks the cohort's dates hold (a started week counts)."""
    return -(-(cohort.ends_on - cohort.starts_on).days // 7)


def _check_plan_fits(cohort: Cohort, end_weeks: Iterable[int]) -> None:
    weeks = cohort_weeks(cohort)
    if any(end > weeks for end in end_weeks):
        raise ValidationError(
            _("The plan runs past the cohort's planned end (week %(weeks)s).") % {"weeks": weeks}
        )


@transaction.atomic
def cohort_plan_set(
    *, cohort: Cohort, weeks: Mapping[Module, tuple[int, int] | None], by: User
) -> None:
    """Plan which modules the cohort takes in which weeks; None takes a module off the plan.

    Entries are saved one by one so that each change is in the plan's history.
    """
    _check_open(cohort)
    for module, span in weeks.items():
        if module.revision_id != cohort.revision_id:
            raise ValidationError(_("The module must belong to the cohort's programme revision."))
        if span is not None and not 1 <= span[0] <= span[1]:
            raise ValidationError(_("The last week cannot come before the first."))
    _check_plan_fits(cohort, [span[1] for span in weeks.values() if span])
    existing = {entry.module_id: entry for entry in cohort.plan.all()}
    for module, span in weeks.items():
        entry = existing.get(module.pk)
        if span is None:
            if entry is not None:
                entry._history_user = by
                entry.delete()  # a plan, not a record: its history keeps what it was
            continue
        if entry is None:
            entry = CohortPlanEntry(cohort=cohort, module=module)
        elif (entry.start_week, entry.end_week) == span:
            continue
        entry.start_week, entry.end_week = span
        entry._history_user = by
        entry.save()


@transaction.atomic
def cohort_trainers_set(*, cohort: Cohort, trainers: Iterable[User], by: User) -> None:
    """Assign or reassign the cohort's trainers; the change is kept in the cohort's history."""
    _check_open(cohort)
    trainers = list(trainers)
    _check_trainers(trainers)
    cohort._history_user = by
    cohort.trainers.set(trainers)


@transaction.atomic
def cohort_close(
    *, cohort: Cohort, closed_on: dt.date, graduate: bool, reason: str, by: User
) -> list[Trainee]:
    """Close a cohort on the day it graduates; with `graduate`, every trainee still in training
    graduates that day, with `reason` in their status history. Returns those who graduated."""
    # Read again inside the transaction: two admins closing at once close it once.
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    _check_open(cohort)
    if closed_on < cohort.starts_on:
        raise ValidationError({"closed_on": _("A cohort cannot close before it starts.")})
    if closed_on > timezone.localdate():
        raise ValidationError(
            {"closed_on": _("A cohort closes on the day it graduates, not ahead.")}
        )
    graduated = []
    if graduate:
        if not reason.strip():
            raise ValidationError({"reason": _("Give the reason for the change.")})
        for trainee in cohort.trainees.filter(status=Trainee.Status.IN_TRAINING):
            trainee_status_change(
                trainee=trainee,
                status=Trainee.Status.GRADUATED,
                effective_on=closed_on,
                reason=reason,
                by=by,
            )
            graduated.append(trainee)
    cohort.closed_on = closed_on
    cohort._history_user = by
    if reason.strip():
        cohort._change_reason = reason
    cohort.save(update_fields=["closed_on"])
    return graduated


@refused_when_raced(USERNAME_TAKEN, field="username")
@transaction.atomic
def trainee_add(
    *,
    cohort: Cohort,
    person: Mapping[str, str],
    agency: str,
    nationality: str,
    crew_role: str,
    by: User,
    on: dt.date | None = None,
    invite_via: LinkSite | None = None,
) -> Trainee:
    """Add a new person as a trainee of `cohort` and send them the link to set their password.

    `person` holds the fields of `accounts.services.person_create` (username, names, e-mail,
    language).
    """
    _check_open(cohort)
    user = person_create(**person, roles=[Role.TRAINEE], by=by, invite_via=invite_via)
    return trainee_enrol(
        user=user,
        cohort=cohort,
        agency=agency,
        nationality=nationality,
        crew_role=crew_role,
        by=by,
        on=on,
    )


@refused_when_raced(_("Someone in the file was added meanwhile; check the file again."))
@transaction.atomic
def trainees_import(
    *,
    cohort: Cohort,
    rows: Sequence[Mapping[str, str]],
    by: User,
    on: dt.date | None = None,
    invite_via: LinkSite | None = None,
) -> list[Trainee]:
    """Add every row as a trainee of `cohort`, or none: a row that fails rolls back the rest.

    The rows are checked first by `trainees.imports.trainee_rows_check`; this is the backstop
    when the database changed in between (a unique constraint), and then nothing is saved and
    no invitation leaves (they are sent on commit).
    """
    _check_open(cohort)
    added = []
    for row in rows:
        person = {key: row[key] for key in PERSON_KEYS if key in row}
        added.append(
            trainee_add(
                cohort=cohort,
                person=person,
                agency=row["agency"],
                nationality=row["nationality"],
                crew_role=row["crew_role"],
                by=by,
                on=on,
                invite_via=invite_via,
            )
        )
    return added


PERSON_KEYS = ("username", "display_name", "native_name", "email", "preferred_language")


@transaction.atomic
def trainee_enrol(
    *,
    user: User,
    cohort: Cohort,
    agency: str,
    nationality: str,
    crew_role: str,
    by: User,
    on: dt.date | None = None,
) -> Trainee:
    """Make `user` a trainee of `cohort`, opening their status history with "in training"."""
    on = on or timezone.localdate()
    trainee = Trainee.objects.create(
        user=user,
        cohort=cohort,
        agency=agency,
        nationality=nationality,
        crew_role=crew_role,
        status=Trainee.Status.IN_TRAINING,
        status_since=on,
    )
    TraineeStatusChange.objects.create(
        trainee=trainee,
        status=Trainee.Status.IN_TRAINING,
        effective_on=on,
        reason=_("Enrolled in %(cohort)s.") % {"cohort": cohort},
        recorded_by=by,
    )
    return trainee


@transaction.atomic
def trainee_status_change(
    *, trainee: Trainee, status: str, effective_on: dt.date, reason: str, by: User
) -> TraineeStatusChange:
    """Change a trainee's status with a date and a reason, both kept in the status history."""
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the change.")})
    if status == trainee.status:
        raise ValidationError({"status": _("The trainee already has this status.")})
    change = TraineeStatusChange.objects.create(
        trainee=trainee, status=status, effective_on=effective_on, reason=reason, recorded_by=by
    )
    trainee.status = status
    trainee.status_since = effective_on
    trainee._history_user, trainee._change_reason = by, reason
    trainee.save(update_fields=["status", "status_since"])
    return change


@transaction.atomic
def cohort_revision_move(
    *,
    cohort: Cohort,
    from_revision: ProgrammeRevision,
    to_revision: ProgrammeRevision,
    reason: str,
    by: User,
) -> CohortRevisionMove:
    """Pin `cohort` to a newer published revision of its programme, and record the move.

    `from_revision` is the revision the admin saw the preview for: if the cohort was moved
    meanwhile (or the form is submitted twice) the move is refused rather than made on a
    preview that no longer holds. Records stay as they were and count by code (see
    `trainees.progress.selectors`); the plan and the sessions still to come follow the modules by
    code, and those of modules the new revision no longer requires are dropped from the plan and
    cancelled.
    """
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the move.")})
    cohort = Cohort.objects.select_for_update().select_related("revision").get(pk=cohort.pk)
    if cohort.revision_id != from_revision.pk:
        raise ValidationError(
            _("This cohort is no longer on revision %(number)s: it was moved meanwhile.")
            % {"number": from_revision.number}
        )
    if not to_revision.supersedes(from_revision):
        raise ValidationError(
            {"revision": _("Choose a newer published revision of the same programme.")}
        )
    modules = {m.code: m for m in Module.objects.filter(revision=to_revision).active()}
    cohort.revision = to_revision
    cohort._history_user, cohort._change_reason = by, reason
    cohort.save(update_fields=["revision"])
    # Row by row, so that the history of every plan entry and session keeps the change.
    for entry in CohortPlanEntry.objects.filter(cohort=cohort).select_related("module"):
        module = modules.get(entry.module.code)
        if module is None:
            entry.delete()
        else:
            entry.module = module
            entry.save(update_fields=["module"])
    for session in TrainingSession.objects.filter(
        cohort=cohort, status=TrainingSession.Status.SCHEDULED
    ).select_related("module"):
        module = modules.get(session.module.code)
        if module is None:
            session.status = TrainingSession.Status.CANCELLED
            session.cancellation_reason = _(
                "The module is no longer in the programme revision the cohort moved to."
            )
        else:
            session.module = module
        session.version += 1
        session.save()
    return CohortRevisionMove.objects.create(
        cohort=cohort,
        from_revision=from_revision,
        to_revision=to_revision,
        reason=reason.strip(),
        moved_by=by,
    )
