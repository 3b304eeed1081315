"""Non-trivial reads of the curriculum: exports, and what changes between two revisions."""

from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import quote

import polib
from django.conf import settings
from django.db.models import Prefetch, Q

from trainingtracker.spreadsheet import cell_out

from .models import (
    AssessmentCriterion,
    AssessmentDefinition,
    Competency,
    Module,
    Programme,
    ProgrammeRevision,
    Qualification,
    Translation,
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
    in_order = revision_modules(revision=revision)
    for module in in_order:
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
            "source_language": programme.source_language,
        },
        "revision": {
            "number": revision.number,
            "summary": revision.summary,
            "published_at": revision.published_at.isoformat() if revision.published_at else None,
        },
        "modules": modules,
        "qualifications": qualifications,
        # Every language's translations travel with the syllabus (presentation, by key).
        "translations": translations_export(
            items=revision_texts(revision=revision, with_cohorts=False, modules=in_order),
            languages=[code for code, _name in target_languages(programme)],
        ),
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


# Translations ----------------------------------------------------------------------------------


@dataclass
class TextItem:
    """One source text of a revision that translators translate, named by a key of codes."""

    key: str
    obj: object
    field: str
    source: str
    translations: dict = field(default_factory=dict)  # language -> Translation

    def status(self, language: str) -> str:
        """ "translated", "out_of_date" or "missing" in `language`."""
        found = self.translations.get(language)
        if found is None or not found.text:
            return "missing"
        return "translated" if found.is_current(self.source) else "out_of_date"


def key_of(*parts) -> str:
    # Codes may hold any character: "/" and "%" are escaped so the key splits back cleanly.
    return "/".join(quote(str(part), safe="") for part in parts)


def text_key(obj, name: str) -> str:
    """The key of `obj`'s text `name` in exports and translators' files: codes, not ids, so it
    holds across revisions and sites ("module/PC-101/title"); a cohort, which is this site's
    only, by its id."""
    kind = obj._meta.model_name
    if isinstance(obj, Programme):
        return key_of("programme", name)
    if isinstance(obj, Module):
        return key_of("module", obj.code, name)
    if isinstance(obj, Competency):
        return key_of("competency", obj.module.code, obj.code, name)
    if isinstance(obj, AssessmentDefinition):
        return key_of("assessment", obj.module.code, obj.code, name)
    if isinstance(obj, Qualification):
        return key_of("qualification", obj.code, name)
    return key_of(kind, obj.pk, name)


def revision_texts(
    *, revision: ProgrammeRevision, with_cohorts: bool = True, modules: list | None = None
) -> list[TextItem]:
    """Every text of `revision` a translator translates, in reading order, each with its
    translations: the programme's, each module's with its competencies and assessments, the
    qualifications' and (for this site) the names of the cohorts on the revision. Empty source
    texts have nothing to translate and are left out."""
    objects = [revision.programme]
    modules = revision_modules(revision=revision) if modules is None else modules
    for module in modules:
        objects += [module, *module.competencies.all(), *module.assessments.all()]
    objects += list(Qualification.objects.filter(revision=revision).order_by("code"))
    if with_cohorts:
        objects += list(revision.cohorts.order_by("name"))
    items = [
        TextItem(text_key(obj, name), obj, name, getattr(obj, name))
        for obj in objects
        for name in obj.translated_fields
        if getattr(obj, name)
    ]
    # Matched by the models' labels, joined in the query: no content-type lookups of their own.
    by_target = {
        (item.obj._meta.label_lower, item.obj.pk, item.field): item.translations for item in items
    }

    def of(model, ids) -> Q:
        meta = model._meta
        return Q(
            content_type__app_label=meta.app_label,
            content_type__model=meta.model_name,
            object_id__in=ids,
        )

    named = Q(revision=revision) | of(Programme, [revision.programme_id])
    if with_cohorts:
        cohort = revision.cohorts.model
        named |= of(cohort, [i.obj.pk for i in items if i.obj._meta.model is cohort])
    for translation in Translation.objects.filter(named).select_related(
        "translated_by", "content_type"
    ):
        label = f"{translation.content_type.app_label}.{translation.content_type.model}"
        found = by_target.get((label, translation.object_id, translation.field))
        if found is not None:
            found[translation.language] = translation
    return items


@dataclass
class Coverage:
    language: str
    name: str
    translated: int
    out_of_date: int
    missing: int

    @property
    def total(self) -> int:
        return self.translated + self.out_of_date + self.missing


def target_languages(programme: Programme) -> list[tuple[str, str]]:
    """The site's languages a programme's texts are translated into: all but its source."""
    return [(code, name) for code, name in settings.LANGUAGES if code != programme.source_language]


def translation_coverage(*, revision: ProgrammeRevision, items: list[TextItem]) -> list[Coverage]:
    """For each language a revision is translated into: translated, out of date, missing."""
    result = []
    for code, name in target_languages(revision.programme):
        statuses = [item.status(code) for item in items]
        result.append(
            Coverage(
                language=code,
                name=name,
                translated=statuses.count("translated"),
                out_of_date=statuses.count("out_of_date"),
                missing=statuses.count("missing"),
            )
        )
    return result


def translations_po(*, revision: ProgrammeRevision, language: str, items: list[TextItem]) -> str:
    """A gettext PO file for translators: one entry per text, the key as its context, the
    source as msgid, the translation (if any) as msgstr; an out-of-date one marked fuzzy, as
    every PO editor shows it. What `services.translations_po_import` reads back."""
    catalogue = polib.POFile(wrapwidth=0)
    catalogue.metadata = {
        "Project-Id-Version": f"{revision.programme.code} {revision.number}",
        "Language": language,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "X-Source-Language": revision.programme.source_language,
    }
    for item in items:
        found = item.translations.get(language)
        entry = polib.POEntry(
            msgctxt=item.key, msgid=item.source, msgstr=found.text if found else ""
        )
        if found is not None and not found.is_current(item.source):
            entry.flags.append("fuzzy")
        catalogue.append(entry)
    return str(catalogue)


def translations_export(*, items: list[TextItem], languages) -> dict:
    """The translations of an export, by language and key (`revision_export`)."""
    result = {}
    for code in languages:
        entries = {}
        for item in items:
            found = item.translations.get(code)
            if found is not None and found.text:
                entries[item.key] = {
                    "text": found.text,
                    "source_digest": found.source_digest,
                    "translated_at": found.translated_at.isoformat(),
                }
        if entries:
            result[code] = entries
    return result
