"""A trainee's progress and readiness, worked out in one place, and the pages' reads of it.

The rules (DOMAIN.md):
- a module is complete when the hours credited at its completed sessions reach the required
  hours and every assessment of the module has a passed attempt, signed (an unsigned or amended
  result awaiting its signature counts for nothing);
- a module is blocked while a prerequisite is incomplete, and expired when a qualification it
  confers has lapsed past its grace period;
- a qualification is matched by its code, so a grant made under an earlier revision counts; a
  grant suspended (revoked) while its result awaits a new signature does not;
- a trainee is ready for flight assignment only when every module is complete, every assessment
  passed, every qualification current (valid or expiring, not in grace nor expired), no medical
  hold is open, they hold a current medical and fitness certificate, and they have not
  withdrawn;
- pace compares completed modules with the cohort plan: behind when a module due by today is
  incomplete, ahead when a module not yet due is already complete.
"""

import csv
import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Count, F, Prefetch, Q, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from curriculum.models import (
    AssessmentDefinition,
    Competency,
    Module,
    Qualification,
    modules_in_order,
)
from curriculum.texts import code_title
from trainees import progress_cache
from trainees.models import (
    AssessmentResult,
    CertificateLack,
    Cohort,
    CohortPlanEntry,
    CompetencyGrade,
    Currency,
    Measurement,
    MedicalCertificate,
    MedicalHold,
    Metric,
    QualificationGrant,
    SessionAttendance,
    SessionStatus,
    Trainee,
    TrainingSession,
    certificates_lacking,
)
from trainingtracker.spreadsheet import cell_out

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

    @property
    def complete(self) -> bool:
        """Its hours credited and every assessment passed: also how a prerequisite is judged."""
        return self.hours_met and self.assessments_met


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
    # Medical and fitness certificates missing or expired.
    lacking_certificates: list[CertificateLack] = field(default_factory=list)

    def missing_items(self) -> list[str]:
        """What is missing, one short line each (the CSV export; the page lists them in full)."""
        items = []
        if self.withdrawn:
            items.append(str(_("Withdrawn from training")))
        if self.medical_hold:
            items.append(str(_("Medical hold")))
        items += [f"{m.code}" for m in self.missing_modules]
        items += [f"{a.code}" for a in self.failed_assessments]
        items += [
            f"{s.qualification.code}: {s.currency_label or _('not yet held')}"
            for s in self.lapsed_qualifications
        ]
        items += [str(lack.kind_label) for lack in self.lacking_certificates]
        return items

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
    return trainees_progress(trainees=[trainee], on=on)[0]


def trainees_progress(
    *, trainees: list[Trainee], on: dt.date | None = None
) -> list[TraineeProgress]:
    """The progress of each of `trainees` on day `on`, in the same fixed number of queries
    however many trainees and records there are: the records are loaded for all of them at once
    (`_ProgressRecords`), then the rules run per trainee (`_progress_of`)."""
    on = on or timezone.localdate()
    records = _ProgressRecords.load(trainees, on)
    return [_progress_of(trainee, records, on) for trainee in trainees]


@dataclass
class _ProgressRecords:
    """What the progress rules read, for several trainees, loaded in a fixed number of queries."""

    modules: dict[int, list[Module]]  # by revision
    qualifications: dict[int, list[Qualification]]  # by revision
    hours: dict[int, dict[int, Decimal]]  # trainee -> module -> hours
    attempts: dict[int, dict[int, int]]  # trainee -> definition -> attempts
    passed: dict[int, set[int]]  # trainee -> definitions passed (signed)
    grants: dict[int, dict[str, QualificationGrant]]  # trainee -> code -> latest grant
    due: dict[int, dict[int, dt.date]]  # cohort -> module -> due on
    on_hold: set[int]  # trainees with a hold open on the day
    certificates: dict[int, dict[str, dt.date]]  # trainee -> kind -> latest expiry
    module_codes: dict[int, str]  # earlier revisions' modules with work in them
    definition_codes: dict[int, tuple[str, str]]  # and their assessments
    # Each module's assessments and required modules, read once from the prefetch rather than
    # through a related manager per trainee and module (6,000 of them on a board of 100 by 60).
    assessments: dict[int, list[AssessmentDefinition]]  # module -> its assessments
    prerequisites: dict[int, list[int]]  # module -> the modules it requires

    @classmethod
    def load(cls, trainees: list[Trainee], on: dt.date) -> "_ProgressRecords":
        ids = [t.pk for t in trainees]
        revision_ids = {t.cohort.revision_id for t in trainees}
        # The curriculum is the same for every trainee of a revision: cached under the
        # revisions' versions (progress_cache), it is read once per week's reports, not once
        # per trainee.
        modules, assessments, prerequisites = progress_cache.cached(
            "curriculum",
            tuple(sorted(revision_ids)),
            progress_cache.revisions_stamp(revision_ids),
            lambda: _curriculum(revision_ids),
        )
        hours: dict[int, dict[int, Decimal]] = defaultdict(dict)
        for trainee_id, module_id, total in (
            SessionAttendance.objects.filter(
                trainee_id__in=ids,
                session__status=TrainingSession.Status.COMPLETED,
                session__starts_at__date__lte=on,
            )
            .values_list("trainee_id", "session__module_id")
            .annotate(total=Sum("hours_credited"))
        ):
            hours[trainee_id][module_id] = total
        attempts: dict[int, dict[int, int]] = defaultdict(dict)
        passed: dict[int, set[int]] = defaultdict(set)
        for trainee_id, definition_id, count, passes in (
            AssessmentResult.objects.filter(trainee_id__in=ids, taken_at__date__lte=on)
            .values_list("trainee_id", "definition_id")
            .annotate(
                n=Count("pk"), passes=Count("pk", filter=Q(passed=True, signed_at__isnull=False))
            )
        ):
            attempts[trainee_id][definition_id] = count
            if passes:
                passed[trainee_id].add(definition_id)
        qualifications: dict[int, list[Qualification]] = defaultdict(list)
        for qualification in (
            Qualification.objects.filter(revision_id__in=revision_ids)
            .select_related("conferred_by_assessment")
            .order_by("code")
        ):
            qualifications[qualification.revision_id].append(qualification)
        grants: dict[int, dict[str, QualificationGrant]] = defaultdict(dict)
        for grant in (
            QualificationGrant.objects.filter(
                trainee_id__in=ids, granted_on__lte=on, revoked_at__isnull=True
            )
            .select_related("qualification")
            .order_by("granted_on", "pk")
        ):
            grants[grant.trainee_id][grant.qualification.code] = grant
        due: dict[int, dict[int, dt.date]] = defaultdict(dict)
        for entry in CohortPlanEntry.objects.filter(
            cohort_id__in={t.cohort_id for t in trainees}
        ).select_related("cohort"):
            due[entry.cohort_id][entry.module_id] = entry.due_on
        on_hold = set(
            MedicalHold.objects.filter(
                Q(closed_on__isnull=True) | Q(closed_on__gt=on),
                trainee_id__in=ids,
                opened_on__lte=on,
            ).values_list("trainee_id", flat=True)
        )
        # Work done before a cohort moved to its revision counts by code. A cohort that
        # never moved has no work outside its revision, and this makes no query.
        own_modules = {m.pk for found in modules.values() for m in found}
        own_definitions = {a.pk for found in assessments.values() for a in found}
        foreign_modules = {m for by in hours.values() for m in by} - own_modules
        foreign_definitions = {d for by in attempts.values() for d in by} - own_definitions
        module_codes = (
            dict(Module.objects.filter(pk__in=foreign_modules).values_list("pk", "code"))
            if foreign_modules
            else {}
        )
        definition_codes = (
            {
                pk: (module_code, code)
                for pk, module_code, code in AssessmentDefinition.objects.filter(
                    pk__in=foreign_definitions
                ).values_list("pk", "module__code", "code")
            }
            if foreign_definitions
            else {}
        )
        return cls(
            modules=modules,
            qualifications=qualifications,
            hours=hours,
            attempts=attempts,
            passed=passed,
            grants=grants,
            due=due,
            on_hold=on_hold,
            certificates=MedicalCertificate.objects.latest_expiries(trainees=ids, on=on),
            module_codes=module_codes,
            definition_codes=definition_codes,
            assessments=assessments,
            prerequisites=prerequisites,
        )


def _curriculum(revision_ids) -> tuple[dict, dict, dict]:
    """The modules of each revision in order, each module's assessments and required modules."""
    modules: dict[int, list[Module]] = defaultdict(list)
    for module in Module.objects.filter(
        revision_id__in=revision_ids, archived_at__isnull=True
    ).prefetch_related("assessments", "prerequisite_links"):
        modules[module.revision_id].append(module)
    modules = {rev: modules_in_order(found) for rev, found in modules.items()}
    assessments = {m.pk: list(m.assessments.all()) for found in modules.values() for m in found}
    prerequisites = {
        m.pk: [link.required_module_id for link in m.prerequisite_links.all()]
        for found in modules.values()
        for m in found
    }
    return modules, assessments, prerequisites


def _progress_of(trainee: Trainee, records: _ProgressRecords, on: dt.date) -> TraineeProgress:
    """The progress rules, applied to one trainee's records (no query)."""
    revision_id = trainee.cohort.revision_id
    modules = records.modules.get(revision_id, [])
    hours, attempts, passed_ids = _carry_over(
        modules,
        records.assessments,
        records.hours.get(trainee.pk, {}),
        records.attempts.get(trainee.pk, {}),
        records.passed.get(trainee.pk, set()),
        records.module_codes,
        records.definition_codes,
    )
    latest = records.grants.get(trainee.pk, {})
    standings = []
    for qualification in records.qualifications.get(revision_id, []):
        grant = latest.get(qualification.code)
        standings.append(
            QualificationStanding(qualification, grant, grant.currency(on) if grant else None)
        )
    lapsed_modules = {
        s.qualification.conferring_module_id for s in standings if s.currency == Currency.EXPIRED
    }
    due = records.due.get(trainee.cohort_id, {})
    progress = []
    for module in modules:
        assessments = list(records.assessments[module.pk])
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
    complete = {p.module.pk for p in progress if p.complete}
    for p in progress:
        required = records.prerequisites[p.module.pk]
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
        medical_hold=trainee.pk in records.on_hold,
        withdrawn=trainee.status == Trainee.Status.WITHDRAWN,
        lacking_certificates=certificates_lacking(records.certificates.get(trainee.pk, {}), on),
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


def _carry_over(
    modules: list[Module],
    assessments: dict[int, list[AssessmentDefinition]],
    hours: dict[int, Decimal],
    attempts: dict[int, int],
    passed_ids: set[int],
    module_codes: dict[int, str],
    definition_codes: dict[int, tuple[str, str]],
) -> tuple[dict[int, Decimal], dict[int, int], set[int]]:
    """Re-key hours and attempts made against earlier revisions' modules and assessments to
    those of `modules` (the cohort's revision) with the same code: module code, and module code
    with assessment code. What matches nothing no longer counts. Records are left as they were.
    """
    module_by_code = {m.code: m.pk for m in modules}
    definition_by_code = {(m.code, a.code): a.pk for m in modules for a in assessments[m.pk]}
    foreign_modules = set(hours) - set(module_by_code.values())
    foreign_definitions = set(attempts) - set(definition_by_code.values())
    if foreign_modules:
        carried: dict[int, Decimal] = defaultdict(Decimal)
        for module_id, total in hours.items():
            target = module_id if module_id not in foreign_modules else None
            target = target or module_by_code.get(module_codes.get(module_id))
            if target is not None:
                carried[target] += total
        hours = dict(carried)
    if foreign_definitions:
        counted: dict[int, int] = defaultdict(int)
        passed: set[int] = set()
        for definition_id, count in attempts.items():
            target = definition_id if definition_id not in foreign_definitions else None
            target = target or definition_by_code.get(definition_codes.get(definition_id))
            if target is not None:
                counted[target] += count
                if definition_id in passed_ids:
                    passed.add(target)
        attempts, passed_ids = dict(counted), passed
    return hours, attempts, passed_ids


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


class Trend(models.TextChoices):
    UP = "up", _("Improving")
    STEADY = "steady", _("Steady")
    DOWN = "down", _("Declining")


@dataclass
class CompetencyStanding:
    """A competency's latest observed grade and its trend against the grade observed before.

    "Not observed" entries are counted apart and never enter a grade or a trend: a competency
    only ever marked not observed has no grade at all, not a low one.
    """

    competency: Competency
    grades: list[int] = field(default_factory=list)  # observed grades, oldest first
    not_observed: int = 0
    last_on: dt.date | None = None

    @property
    def latest(self) -> int | None:
        return self.grades[-1] if self.grades else None

    @property
    def trend(self) -> str | None:
        if len(self.grades) < 2:
            return None
        latest, before = self.grades[-1], self.grades[-2]
        return Trend.UP if latest > before else Trend.DOWN if latest < before else Trend.STEADY

    @property
    def trend_label(self) -> str:
        return Trend(self.trend).label if self.trend else ""


def competency_profile(*, trainee: Trainee, user) -> list[CompetencyStanding]:
    """Each competency of the trainee's revision, with the grades `user` may see, in module
    order: grades from completed sessions and from assessment attempts, dated when observed.
    Two queries whatever the number of grades."""
    competencies = Competency.objects.filter(
        module__revision_id=trainee.cohort.revision_id, module__archived_at__isnull=True
    ).select_related("module")
    rank = {m.pk: i for i, m in enumerate(modules_in_order({c.module for c in competencies}))}
    standings = {
        c.pk: CompetencyStanding(c)
        for c in sorted(competencies, key=lambda c: (rank[c.module_id], c.order, c.pk))
    }
    # Session grades and assessment grades apart, joined by UNION ALL: each part starts from
    # the trainee's own attendances or results (indexed), where one query with an OR across the
    # two joins read every grade of every trainee.
    visible = CompetencyGrade.objects.visible_to(user).filter(competency_id__in=standings)
    observed = visible.filter(
        attendance__trainee=trainee, attendance__session__status=SessionStatus.COMPLETED
    ).annotate(observed_at=F("attendance__session__starts_at"))
    assessed = visible.filter(result__trainee=trainee).annotate(observed_at=F("result__taken_at"))
    fields = ("competency_id", "grade", "observed_at", "pk")
    grades = (
        observed.values_list(*fields)
        .union(assessed.values_list(*fields), all=True)
        .order_by("observed_at", "pk")
    )
    for competency_id, grade, observed_at, _pk in grades:
        standing = standings[competency_id]
        if grade is None:
            standing.not_observed += 1
        else:
            standing.grades.append(grade)
        standing.last_on = timezone.localdate(observed_at)
    return list(standings.values())


def hours_chart(*, trainee: Trainee, user) -> dict:
    """Hours credited per category, cumulated week by week (weeks starting on Monday): the
    data of the dashboard's hours chart. One query."""
    rows = (
        SessionAttendance.objects.visible_to(user)
        .filter(trainee=trainee, session__status=SessionStatus.COMPLETED)
        .annotate(week=TruncWeek("session__starts_at"))
        .values_list("session__module__category", "week")
        .annotate(total=Sum("hours_credited"))
        .order_by("week")
    )
    weekly: dict[str, dict[dt.date, Decimal]] = defaultdict(dict)
    weeks: set[dt.date] = set()
    for category, week, total in rows:
        day = week.date() if isinstance(week, dt.datetime) else week
        weekly[category][day] = weekly[category].get(day, Decimal(0)) + (total or 0)
        weeks.add(day)
    labels = sorted(weeks)
    datasets = []
    for value, label in Module.Category.choices:
        if value not in weekly:
            continue
        running, points = Decimal(0), []
        for week in labels:
            running += weekly[value].get(week, Decimal(0))
            points.append(float(running))
        datasets.append({"key": value, "label": str(label), "data": points})
    return {"labels": [week.isoformat() for week in labels], "datasets": datasets}


def measurement_charts(*, trainee: Trainee, user) -> list[dict]:
    """Each fitness metric measured, its values over time and the standard it is held to
    (settings.FITNESS_STANDARDS), for those who may see the trainee's physiology. One query."""
    series: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for metric, value, taken_at in (
        Measurement.objects.visible_to(user)
        .filter(trainee=trainee)
        .order_by("taken_at", "pk")
        .values_list("metric", "value", "taken_at")
    ):
        series[metric].append((timezone.localdate(taken_at).isoformat(), float(value)))
    charts = []
    for metric, label in Metric.choices:
        if metric not in series:
            continue
        kind, standard = settings.FITNESS_STANDARDS.get(metric, (None, None))
        charts.append(
            {
                "metric": metric,
                "label": str(label),
                "unit": Measurement.SPECS[metric][0],
                "labels": [day for day, _value in series[metric]],
                "values": [value for _day, value in series[metric]],
                "standard": standard,
                "standard_kind": kind,
            }
        )
    return charts


@dataclass
class CohortBoardRow:
    progress: TraineeProgress
    cells: list[ModuleProgress]  # the modules shown, in the board's order

    def by_status(self) -> list[tuple[str, str, list[str]]]:
        """(status, label, module codes) of the cells, in the statuses' order, each status
        present once, its codes in the board's order: how the board's PDF lists a row's
        modules, as a few lines of text instead of a cell per module (see board_pdf.html)."""
        codes: dict[str, list[str]] = defaultdict(list)
        for cell in self.cells:
            codes[cell.status].append(cell.module.code)
        return [
            (value, label, codes[value]) for value, label in ModuleStatus.choices if value in codes
        ]


@dataclass
class CohortBoard:
    cohort: Cohort
    modules: list[Module]
    rows: list[CohortBoardRow]


def cohort_board(
    *, cohort: Cohort, user, on: dt.date | None = None, category: str | None = None
) -> CohortBoard:
    """The trainees of `cohort` whom `user` may see, each with their progress by the rules of
    `trainees_progress`; the modules shown limited to `category` if given (the overall figures
    stay overall). A fixed number of queries for a whole cohort."""
    trainees = cohort_board_trainees(cohort=cohort, user=user)
    progress = trainees_progress(trainees=trainees, on=on)
    if progress:
        modules = [p.module for p in progress[0].modules]
    else:
        modules = cohort_board_modules(cohort=cohort)
    if category:
        modules = [m for m in modules if m.category == category]
    return CohortBoard(cohort=cohort, modules=modules, rows=cohort_board_rows_of(progress, modules))


def cohort_board_trainees(*, cohort: Cohort, user) -> list[Trainee]:
    """The trainees of `cohort` whom `user` may see, in the board's order. One query."""
    return list(
        Trainee.objects.visible_to(user)
        .filter(cohort=cohort)
        .select_related("user", "cohort")
        .order_by("user__display_name", "pk")
    )


def cohort_board_modules(*, cohort: Cohort, category: str | None = None) -> list[Module]:
    """The board's columns: the modules of the cohort's revision, in order. One query."""
    modules = modules_in_order(
        Module.objects.filter(revision_id=cohort.revision_id, archived_at__isnull=True)
    )
    return [m for m in modules if m.category == category] if category else modules


def cohort_board_rows_of(
    progress: list[TraineeProgress], modules: list[Module]
) -> list[CohortBoardRow]:
    """A board row per trainee's progress, its cells the modules shown."""
    shown = {m.pk for m in modules}
    return [
        CohortBoardRow(progress=p, cells=[m for m in p.modules if m.module.pk in shown])
        for p in progress
    ]


def cohort_board_rows(*, board: CohortBoard) -> list[list[str]]:
    """The board as CSV rows: a header, then one row per trainee. Cells that a spreadsheet
    would take for a formula are prefixed with an apostrophe (trainingtracker/spreadsheet.py)."""
    header = [
        _("Trainee"),
        _("Status"),
        _("Readiness"),
        _("Missing"),
        _("Pace"),
        _("Projected completion"),
        _("Complete (%)"),
        *[code_title(m) for m in board.modules],
    ]
    rows = [[cell_out(str(cell)) for cell in header]]
    for row in board.rows:
        progress = row.progress
        readiness = progress.readiness
        rows.append(
            [
                cell_out(cell)
                for cell in [
                    progress.trainee.user.name_for(translation.get_language() or "en"),
                    progress.trainee.get_status_display(),
                    str(_("Ready") if readiness.ready else _("Not ready")),
                    "; ".join(str(item) for item in readiness.missing_items()),
                    progress.pace_label,
                    progress.projected_completion.isoformat()
                    if progress.projected_completion
                    else "",
                    str(progress.percent_complete),
                    *[str(cell.status_label) for cell in row.cells],
                ]
            ]
        )
    return rows


def cohort_board_csv_text(*, board: CohortBoard) -> str:
    """The board as a CSV file's text, with a byte-order mark so that spreadsheets read it as
    UTF-8: the board's export, and the attachment of the trainers' weekly digest."""
    out = io.StringIO()
    out.write("\ufeff")
    csv.writer(out).writerows(cohort_board_rows(board=board))
    return out.getvalue()


@dataclass
class Transcript:
    trainee: Trainee
    attendances: list[SessionAttendance]
    results: list[AssessmentResult]
    grants: list[QualificationGrant]


def trainee_transcript(*, trainee: Trainee, user) -> Transcript:
    """Every session the trainee attended (with grades and remarks), every assessment attempt
    (with its grades and signature) and every qualification granted, oldest first, as `user`
    may see them. Five queries whatever the size of the record."""
    grades = CompetencyGrade.objects.select_related("competency").order_by("competency__order")
    return Transcript(
        trainee=trainee,
        attendances=list(
            SessionAttendance.objects.visible_to(user)
            .filter(trainee=trainee)
            .select_related("session__module", "session__trainer")
            .prefetch_related(Prefetch("grades", queryset=grades))
            .order_by("session__starts_at", "pk")
        ),
        results=list(
            AssessmentResult.objects.visible_to(user)
            .filter(trainee=trainee)
            .select_related("definition__module", "assessor", "signed_by")
            .prefetch_related(Prefetch("grades", queryset=grades))
            .order_by("taken_at", "attempt")
        ),
        grants=list(
            QualificationGrant.objects.visible_to(user)
            .filter(trainee=trainee)
            .select_related("qualification")
            .order_by("granted_on", "pk")
        ),
    )
