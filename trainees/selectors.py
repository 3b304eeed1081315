"""Non-trivial reads: a trainee's progress and readiness, worked out in one place.

The rules (DOMAIN.md):
- a module is complete when the hours credited at its completed sessions reach the required
  hours and every assessment of the module has a passed attempt;
- a module is blocked while a prerequisite is incomplete, and expired when a qualification it
  confers has lapsed past its grace period;
- a qualification is matched by its code, so a grant made under an earlier revision counts;
- a trainee is ready for flight assignment only when every module is complete, every assessment
  passed, every qualification current (valid or expiring, not in grace nor expired), no medical
  hold is open, they hold a current medical and fitness certificate, and they have not
  withdrawn;
- pace compares completed modules with the cohort plan: behind when a module due by today is
  incomplete, ahead when a module not yet due is already complete.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from curriculum.models import AssessmentDefinition, Module, Qualification, modules_in_order

from .models import (
    AssessmentResult,
    CertificateLack,
    CohortPlanEntry,
    Currency,
    MedicalCertificate,
    MedicalHold,
    QualificationGrant,
    SessionAttendance,
    Trainee,
    TrainingSession,
)

CURRENT = {Currency.VALID, Currency.EXPIRING}


class ModuleStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETE = "complete", _("Complete")
    EXPIRED = "expired", _("Expired")
    BLOCKED = "blocked", _("Blocked by a prerequisite")


class Pace(models.TextChoices):
    AHEAD = "ahead", _("Ahead of plan")
    ON_TRACK = "on_track", _("On track")
    BEHIND = "behind", _("Behind plan")


@dataclass
class ModuleProgress:
    module: Module
    hours: Decimal
    assessments: list[AssessmentDefinition]
    passed: list[AssessmentDefinition]
    attempts: int
    due_on: dt.date | None
    status: str = ModuleStatus.NOT_STARTED

    @property
    def status_label(self) -> str:
        return ModuleStatus(self.status).label

    @property
    def hours_met(self) -> bool:
        return self.hours >= self.module.required_hours

    @property
    def assessments_met(self) -> bool:
        return len(self.passed) == len(self.assessments)


@dataclass
class QualificationStanding:
    qualification: Qualification
    grant: QualificationGrant | None
    currency: str | None  # None: never held

    @property
    def current(self) -> bool:
        return self.currency in CURRENT

    @property
    def currency_label(self) -> str:
        return Currency(self.currency).label if self.currency else ""


@dataclass
class Readiness:
    missing_modules: list[Module] = field(default_factory=list)
    failed_assessments: list[AssessmentDefinition] = field(default_factory=list)
    lapsed_qualifications: list[QualificationStanding] = field(default_factory=list)
    medical_hold: bool = False
    withdrawn: bool = False
    # Medical and fitness certificates missing or expired (issue 9).
    lacking_certificates: list[CertificateLack] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not (
            self.missing_modules
            or self.failed_assessments
            or self.lapsed_qualifications
            or self.medical_hold
            or self.withdrawn
            or self.lacking_certificates
        )


@dataclass
class TraineeProgress:
    trainee: Trainee
    on: dt.date
    modules: list[ModuleProgress]
    qualifications: list[QualificationStanding]
    readiness: Readiness
    pace: str | None
    projected_completion: dt.date | None

    @property
    def pace_label(self) -> str:
        return Pace(self.pace).label if self.pace else ""

    @property
    def percent_complete(self) -> int:
        return _percent(self.modules)

    def by_category(self) -> list[tuple[str, str, int, list[ModuleProgress]]]:
        """(category, label, percent complete, modules) in the categories' order."""
        groups: dict[str, list[ModuleProgress]] = defaultdict(list)
        for progress in self.modules:
            groups[progress.module.category].append(progress)
        return [
            (value, label, _percent(groups[value]), groups[value])
            for value, label in Module.Category.choices
            if groups[value]
        ]


def _percent(modules: list[ModuleProgress]) -> int:
    required = sum((m.module.required_hours for m in modules), Decimal(0))
    if not required:
        done = sum(1 for m in modules if m.status == ModuleStatus.COMPLETE)
        return round(100 * done / len(modules)) if modules else 0
    credited = sum((min(m.hours, m.module.required_hours) for m in modules), Decimal(0))
    return int(100 * credited / required)


def trainee_progress(*, trainee: Trainee, on: dt.date | None = None) -> TraineeProgress:
    """Where `trainee` stands on day `on` (default today), in a fixed number of queries."""
    on = on or timezone.localdate()
    revision_id = trainee.cohort.revision_id
    modules = modules_in_order(
        Module.objects.filter(revision_id=revision_id).prefetch_related(
            "assessments", "prerequisite_links"
        )
    )
    hours = dict(
        SessionAttendance.objects.filter(
            trainee=trainee,
            session__status=TrainingSession.Status.COMPLETED,
            session__starts_at__date__lte=on,
        )
        .values_list("session__module_id")
        .annotate(total=Sum("hours_credited"))
    )
    attempts: dict[int, int] = {}
    passed_ids: set[int] = set()
    for definition_id, count, passes in (
        AssessmentResult.objects.filter(trainee=trainee, taken_at__date__lte=on)
        .values_list("definition_id")
        .annotate(n=Count("pk"), passes=Count("pk", filter=Q(passed=True)))
    ):
        attempts[definition_id] = count
        if passes:
            passed_ids.add(definition_id)

    qualifications = list(
        Qualification.objects.filter(revision_id=revision_id)
        .select_related("conferred_by_assessment")
        .order_by("code")
    )
    latest: dict[str, QualificationGrant] = {}
    for grant in (
        QualificationGrant.objects.filter(trainee=trainee, granted_on__lte=on)
        .select_related("qualification")
        .order_by("granted_on", "pk")
    ):
        latest[grant.qualification.code] = grant
    standings = []
    for qualification in qualifications:
        grant = latest.get(qualification.code)
        standings.append(
            QualificationStanding(qualification, grant, grant.currency(on) if grant else None)
        )
    lapsed_modules = {
        s.qualification.conferring_module_id for s in standings if s.currency == Currency.EXPIRED
    }

    due = {
        entry.module_id: entry.due_on
        for entry in CohortPlanEntry.objects.filter(cohort_id=trainee.cohort_id).select_related(
            "cohort"
        )
    }
    progress = []
    for module in modules:
        assessments = list(module.assessments.all())
        progress.append(
            ModuleProgress(
                module=module,
                hours=hours.get(module.pk, Decimal(0)),
                assessments=assessments,
                passed=[a for a in assessments if a.pk in passed_ids],
                attempts=sum(attempts.get(a.pk, 0) for a in assessments),
                due_on=due.get(module.pk),
            )
        )
    complete = {p.module.pk for p in progress if p.hours_met and p.assessments_met}
    for p in progress:
        required = [link.required_module_id for link in p.module.prerequisite_links.all()]
        if p.module.pk in complete:
            p.status = (
                ModuleStatus.EXPIRED if p.module.pk in lapsed_modules else ModuleStatus.COMPLETE
            )
        elif any(r not in complete for r in required):
            p.status = ModuleStatus.BLOCKED
        elif p.hours or p.attempts:
            p.status = ModuleStatus.IN_PROGRESS

    readiness = Readiness(
        missing_modules=[p.module for p in progress if not p.hours_met],
        failed_assessments=[a for p in progress for a in p.assessments if a.pk not in passed_ids],
        lapsed_qualifications=[s for s in standings if not s.current],
        medical_hold=MedicalHold.objects.filter(
            Q(closed_on__isnull=True) | Q(closed_on__gt=on), trainee=trainee, opened_on__lte=on
        ).exists(),
        withdrawn=trainee.status == Trainee.Status.WITHDRAWN,
        lacking_certificates=MedicalCertificate.objects.lacking(trainee=trainee, on=on),
    )
    return TraineeProgress(
        trainee=trainee,
        on=on,
        modules=progress,
        qualifications=standings,
        readiness=readiness,
        pace=_pace(progress, on),
        projected_completion=_projected_completion(trainee, progress, on),
    )


def _pace(progress: list[ModuleProgress], on: dt.date) -> str | None:
    planned = [p for p in progress if p.due_on is not None]
    if not planned:
        return None
    done = {ModuleStatus.COMPLETE, ModuleStatus.EXPIRED}
    if any(p.due_on < on and p.status not in done for p in planned):
        return Pace.BEHIND
    if any(p.due_on >= on and p.status in done for p in planned):
        return Pace.AHEAD
    return Pace.ON_TRACK


def _projected_completion(
    trainee: Trainee, progress: list[ModuleProgress], on: dt.date
) -> dt.date | None:
    """Today plus the remaining hours at the rate credited so far since the cohort started."""
    required = sum((p.module.required_hours for p in progress), Decimal(0))
    credited = sum((min(p.hours, p.module.required_hours) for p in progress), Decimal(0))
    elapsed = (on - trainee.cohort.starts_on).days
    if credited <= 0 or elapsed <= 0:
        return None
    if credited >= required:
        return on
    days_left = (required - credited) * elapsed / credited
    return on + dt.timedelta(days=int(days_left.to_integral_value()) + 1)
