"""Non-trivial reads of the curriculum: exports, and what changes between two revisions."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch

from trainingtracker.spreadsheet import cell_out

from .models import (
    AssessmentCriterion,
    AssessmentDefinition,
    Module,
    ProgrammeRevision,
    Qualification,
    modules_in_order,
)

EXPORT_FORMAT = "training-tracker/curriculum-revision"
EXPORT_VERSION = 1
CSV_COLUMNS = [
    "code",
    "title",
    "category",
    "required_hours",
    "order",
    "prerequisites",
    "archived",
    "description",
]


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def revision_modules(*, revision: ProgrammeRevision) -> list[Module]:
    """The revision's modules in order, with everything an export or a comparison reads."""
    return modules_in_order(
        Module.objects.filter(revision=revision).prefetch_related(
            "competencies",
            Prefetch(
                "assessments",
                queryset=AssessmentDefinition.objects.prefetch_related(
                    Prefetch(
                        "criteria",
                        queryset=AssessmentCriterion.objects.select_related("competency"),
                    )
                ),
            ),
            Prefetch("prerequisites", queryset=Module.objects.order_by("code")),
        )
    )


def revision_export(*, revision: ProgrammeRevision) -> dict:
    """The revision's syllabus as JSON-ready data: what `revision_import` reads back.

    Codes, not ids, link its parts, so it moves between sites. Authorised assessors are people
    of this site, not syllabus, and stay out of it.
    """
    programme = revision.programme
    modules = []
    for module in revision_modules(revision=revision):
        modules.append(
            {
                "code": module.code,
                "title": module.title,
                "category": module.category,
                "description": module.description,
                "required_hours": _decimal(module.required_hours),
                "order": module.order,
                "archived_at": module.archived_at.isoformat() if module.archived_at else None,
                "prerequisites": [m.code for m in module.prerequisites.all()],
                "competencies": [
                    {
                        "code": c.code,
                        "title": c.title,
                        "behaviours": c.behaviours,
                        "order": c.order,
                    }
                    for c in module.competencies.all()
                ],
                "assessments": [
                    {
                        "code": a.code,
                        "title": a.title,
                        "kind": a.kind,
                        "description": a.description,
                        "max_score": _decimal(a.max_score),
                        "pass_score": _decimal(a.pass_score),
                        "max_attempts": a.max_attempts,
                        "order": a.order,
                        "minimum_grades": {
                            c.competency.code: c.minimum_grade
                            for c in sorted(a.criteria.all(), key=lambda c: c.competency.code)
                        },
                    }
                    for a in module.assessments.all()
                ],
            }
        )
    qualifications = []
    for q in Qualification.objects.filter(revision=revision).select_related(
        "conferred_by_module",
        "conferred_by_assessment__module",
        "renewed_by_module",
        "renewed_by_assessment__module",
    ):
        qualifications.append(
            {
                "code": q.code,
                "title": q.title,
                "conferred_by_module": q.conferred_by_module.code
                if q.conferred_by_module
                else None,
                "conferred_by_assessment": _assessment_ref(q.conferred_by_assessment),
                "validity_days": q.validity_days,
                "grace_days": q.grace_days,
                "renewed_by_module": q.renewed_by_module.code if q.renewed_by_module else None,
                "renewed_by_assessment": _assessment_ref(q.renewed_by_assessment),
            }
        )
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "programme": {
            "code": programme.code,
            "name": programme.name,
            "description": programme.description,
        },
        "revision": {
            "number": revision.number,
            "summary": revision.summary,
            "published_at": revision.published_at.isoformat() if revision.published_at else None,
        },
        "modules": modules,
        "qualifications": qualifications,
    }


def _assessment_ref(definition: AssessmentDefinition | None) -> list[str] | None:
    """An assessment is named by its module's code and its own (codes are unique per module)."""
    return [definition.module.code, definition.code] if definition else None


def modules_csv_rows(*, revision: ProgrammeRevision) -> list[list[str]]:
    """The revision's modules as CSV rows, the header first: what `modules_import` reads. Cells
    that a spreadsheet would take for a formula are written as text (a title "=1+1"), and the
    import reads them back as they were (trainingtracker/spreadsheet.py)."""
    rows = [CSV_COLUMNS]
    for module in revision_modules(revision=revision):
        cells = [
            module.code,
            module.title,
            module.category,
            str(module.required_hours),
            str(module.order),
            " ".join(m.code for m in module.prerequisites.all()),
            "yes" if module.is_archived else "no",
            module.description,
        ]
        rows.append([cell_out(cell) for cell in cells])
    return rows


# Comparing revisions ---------------------------------------------------------------------------


@dataclass
class ModuleChange:
    """How one module (matched by code) differs between two revisions."""

    code: str
    old: Module | None
    new: Module | None
    assessments_added: list[str] = field(default_factory=list)
    assessments_removed: list[str] = field(default_factory=list)
    assessments_changed: list[str] = field(default_factory=list)

    @property
    def hours_changed(self) -> bool:
        return bool(self.old and self.new and self.old.required_hours != self.new.required_hours)

    @property
    def changed(self) -> bool:
        return bool(
            self.hours_changed
            or self.assessments_added
            or self.assessments_removed
            or self.assessments_changed
        )


@dataclass
class RevisionComparison:
    old: ProgrammeRevision
    new: ProgrammeRevision
    added: list[Module]
    removed: list[Module]
    changed: list[ModuleChange]

    @property
    def identical(self) -> bool:
        return not (self.added or self.removed or self.changed)


def _judged_by(definition: AssessmentDefinition) -> tuple:
    criteria = sorted((c.competency.code, c.minimum_grade) for c in definition.criteria.all())
    return (definition.max_score, definition.pass_score, definition.max_attempts, criteria)


def revision_compare(*, old: ProgrammeRevision, new: ProgrammeRevision) -> RevisionComparison:
    """What moving from `old` to `new` changes in the requirements, module by module code.

    An archived module counts as removed: it is no longer required.
    """
    before = {m.code: m for m in revision_modules(revision=old) if not m.is_archived}
    after = {m.code: m for m in revision_modules(revision=new) if not m.is_archived}
    changed = []
    for code in sorted(before.keys() & after.keys()):
        was = {a.code: a for a in before[code].assessments.all()}
        now = {a.code: a for a in after[code].assessments.all()}
        change = ModuleChange(
            code=code,
            old=before[code],
            new=after[code],
            assessments_added=sorted(now.keys() - was.keys()),
            assessments_removed=sorted(was.keys() - now.keys()),
            assessments_changed=sorted(
                c for c in was.keys() & now.keys() if _judged_by(was[c]) != _judged_by(now[c])
            ),
        )
        if change.changed:
            changed.append(change)
    return RevisionComparison(
        old=old,
        new=new,
        added=[after[c] for c in after if c not in before],
        removed=[before[c] for c in before if c not in after],
        changed=changed,
    )
