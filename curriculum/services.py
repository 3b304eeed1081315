"""Writes to the curriculum.

Every write goes to a draft revision (a published one refuses in the model layer anyway); each is
atomic, so a refused change leaves nothing half-saved. Prerequisite cycles, codes and the modules
that trainees have records in are checked here, the one home of those rules.
"""

from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import IntegrityError, router, transaction
from django.db.models import Count, Max, Q
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from trainingtracker import inputs
from trainingtracker.spreadsheet import cell_in

from . import schemas
from .models import (
    AssessmentCriterion,
    AssessmentDefinition,
    Competency,
    Module,
    Prerequisite,
    Programme,
    ProgrammeRevision,
    PublishedRevisionError,
    Qualification,
    prerequisite_cycle,
)
from .selectors import CSV_COLUMNS, EXPORT_FORMAT, EXPORT_VERSION, revision_export


def _check_draft(revision: ProgrammeRevision) -> None:
    if revision.is_published:
        raise PublishedRevisionError()


def cycle_message(cycle: list[str]) -> str:
    return _("These prerequisites form a cycle: %(cycle)s") % {"cycle": " → ".join(cycle)}


def revision_check_prerequisites(*, revision: ProgrammeRevision) -> None:
    """Refuse a revision whose prerequisites form a cycle, naming the cycle."""
    links = Prerequisite.objects.filter(module__revision=revision).values_list(
        "module__code", "required_module__code"
    )
    cycle = prerequisite_cycle(links)
    if cycle:
        raise ValidationError({"prerequisites": cycle_message(cycle)})


# Programmes and revisions ----------------------------------------------------------------------


@transaction.atomic
def programme_create(*, code: str, name: str, description: str = "") -> ProgrammeRevision:
    """A new programme with an empty draft revision 1, ready for its first modules."""
    programme = Programme(code=code, name=name, description=description)
    programme.full_clean()
    try:
        with transaction.atomic():
            programme.save()
    except IntegrityError:
        # Two creations at once both passed full_clean: the unique code answers for the second.
        if not Programme.objects.filter(code=code).exists():
            raise
        raise ValidationError(
            {"code": _("%(code)s is already used here.") % {"code": code}}
        ) from None
    return ProgrammeRevision.objects.create(programme=programme, number=1)


@transaction.atomic
def revision_start(*, programme: Programme) -> ProgrammeRevision:
    """Start the next draft of `programme`: a deep copy of its latest published revision.

    One draft at a time: a second start (a double submission included) is refused. The copy
    carries the authorised assessors, who are people rather than syllabus, along with the rest.
    """
    revision = _revision_empty(programme=programme)
    latest = programme.revisions.published().order_by("-number").first()
    if latest is not None:
        # The same path as an import, so the copy and the exchange format cannot drift apart.
        _content_write(revision=revision, data=revision_export(revision=latest))
        for copy in AssessmentDefinition.objects.filter(module__revision=revision).select_related(
            "module"
        ):
            source = AssessmentDefinition.objects.filter(
                module__revision=latest, module__code=copy.module.code, code=copy.code
            ).first()
            if source is not None:
                copy.assessors.set(source.assessors.all())
    return revision


@transaction.atomic
def revision_update(*, revision: ProgrammeRevision, summary: str) -> ProgrammeRevision:
    """Change what a revision says changed (editable even once published)."""
    revision.summary = summary
    revision.save(update_fields=["summary"])
    return revision


@transaction.atomic
def revision_discard(*, revision: ProgrammeRevision) -> None:
    """Throw a draft away. Nothing is recorded against a draft, so nothing is lost."""
    _check_draft(revision)
    try:
        revision.delete()
    except (ProtectedError, RestrictedError):
        raise ValidationError(_("Records were made against this draft; it cannot go.")) from None


@transaction.atomic
def revision_publish(*, revision: ProgrammeRevision, by: User) -> ProgrammeRevision:
    """Publish a draft revision, after which its content is frozen.

    Refuses a revision with no modules, with an assessment that nothing could judge (neither a
    pass mark nor a minimum grade), or with a prerequisite cycle.
    """
    revision = ProgrammeRevision.objects.select_for_update().get(pk=revision.pk)
    if revision.is_published:
        raise PublishedRevisionError()
    if not revision.modules.active().exists():
        raise ValidationError(_("A revision needs at least one module before it is published."))
    unjudged = (
        AssessmentDefinition.objects.filter(module__revision=revision, pass_score__isnull=True)
        .annotate(n=Count("criteria"))
        .filter(Q(n=0))
        .values_list("code", flat=True)
    )
    if unjudged:
        raise ValidationError(
            _("These assessments have neither a pass mark nor a minimum grade: %(codes)s")
            % {"codes": ", ".join(unjudged)}
        )
    cycle = prerequisite_cycle(
        Prerequisite.objects.filter(module__revision=revision).values_list(
            "module__code", "required_module__code"
        )
    )
    if cycle:
        raise ValidationError(cycle_message(cycle))
    revision.published_at = timezone.now()
    revision.published_by = by
    revision.save()
    return revision


# Modules ---------------------------------------------------------------------------------------


@transaction.atomic
def module_save(*, module: Module, prerequisites: Iterable[Module]) -> Module:
    """Create or change a module of a draft, and set its prerequisites.

    Refuses a prerequisite outside the revision, a code used twice, and a cycle (naming it).
    """
    _check_draft(module.revision)
    prerequisites = list(prerequisites)
    if module.pk is None and not module.order:
        last = module.revision.modules.aggregate(n=Max("order"))["n"] or 0
        module.order = last + 1
    module.full_clean(exclude=["revision"], validate_unique=False)
    try:
        with transaction.atomic():
            module.save()
    except IntegrityError:
        raise ValidationError(
            {"code": _("%(code)s is already used in this revision.") % {"code": module.code}}
        ) from None
    if any(p.revision_id != module.revision_id or p.pk == module.pk for p in prerequisites):
        raise ValidationError(
            {"prerequisites": _("A prerequisite is another module of the same revision.")}
        )
    wanted = {p.pk for p in prerequisites}
    # Row by row, not in bulk, so that each link's history is kept.
    for link in module.prerequisite_links.exclude(required_module__in=wanted):
        link.delete()
    have = set(module.prerequisite_links.values_list("required_module_id", flat=True))
    for required_id in sorted(wanted - have):
        Prerequisite.objects.create(module=module, required_module_id=required_id)
    revision_check_prerequisites(revision=module.revision)
    return module


@transaction.atomic
def module_move(*, module: Module, offset: int) -> Module:
    """Move a module up (-1) or down (+1) among the modules of its category."""
    _check_draft(module.revision)
    siblings = list(
        module.revision.modules.filter(category=module.category).order_by("order", "code")
    )
    index = next(i for i, m in enumerate(siblings) if m.pk == module.pk)
    target = index + offset
    if 0 <= target < len(siblings):
        siblings[index], siblings[target] = siblings[target], siblings[index]
    for position, sibling in enumerate(siblings, start=1):
        if sibling.order != position:
            sibling.order = position
            sibling.save(update_fields=["order"])
    return module


def _module_dependents(module: Module) -> list[str]:
    """Why a module cannot leave the requirements: what still depends on it in its revision."""
    reasons = []
    unlocks = list(module.unlocks.filter(archived_at__isnull=True).values_list("code", flat=True))
    if unlocks:
        reasons.append(
            _("%(codes)s require it: remove it from their prerequisites first.")
            % {"codes": ", ".join(sorted(unlocks))}
        )
    qualifications = list(
        Qualification.objects.filter(
            Q(conferred_by_module=module) | Q(conferred_by_assessment__module=module)
        ).values_list("code", flat=True)
    )
    if qualifications:
        reasons.append(
            _("It confers %(codes)s: delete those qualifications or confer them otherwise first.")
            % {"codes": ", ".join(sorted(qualifications))}
        )
    return reasons


@transaction.atomic
def module_archive(*, module: Module) -> Module:
    """Take a module out of the requirements of a draft, keeping it (and its code) in place.

    Idempotent: archiving an archived module changes nothing.
    """
    _check_draft(module.revision)
    if module.is_archived:
        return module
    reasons = _module_dependents(module)
    if reasons:
        raise ValidationError(reasons)
    module.archived_at = timezone.now()
    module.save(update_fields=["archived_at"])
    return module


@transaction.atomic
def module_restore(*, module: Module) -> Module:
    """Make an archived module of a draft required again."""
    _check_draft(module.revision)
    if module.is_archived:
        module.archived_at = None
        module.save(update_fields=["archived_at"])
    return module


def module_has_records(*, module: Module) -> bool:
    """Whether any training record was made against this module, or against the module of the
    same code in another revision of its programme (records carry over by code).

    Asked of the database's own protection: records point at the curriculum with PROTECT, so a
    deletion collector meets them. Nothing is deleted here.
    """
    lineage = list(
        Module.objects.filter(revision__programme=module.revision.programme_id, code=module.code)
    )
    collector = Collector(using=router.db_for_write(Module))
    try:
        collector.collect(lineage)
    except (ProtectedError, RestrictedError):
        return True
    return False


@transaction.atomic
def module_delete(*, module: Module) -> None:
    """Delete a module of a draft that no trainee has records in; otherwise archive it."""
    _check_draft(module.revision)
    if module_has_records(module=module):
        raise ValidationError(
            _("Trainees have records in %(code)s: archive it instead of deleting it.")
            % {"code": module.code}
        )
    reasons = _module_dependents(module)
    if reasons:
        raise ValidationError(reasons)
    module.delete()


# Competencies, assessments, qualifications -----------------------------------------------------


def _save_unique(obj, field: str) -> None:
    """Save, turning a unique violation on `field` (a double submission, a race) into an error
    beside the field."""
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        raise ValidationError(
            {field: _("%(code)s is already used here.") % {"code": getattr(obj, field)}}
        ) from None


@transaction.atomic
def competency_save(*, competency: Competency) -> Competency:
    _check_draft(competency.module.revision)
    competency.full_clean(exclude=["module"], validate_unique=False)
    _save_unique(competency, "code")
    return competency


@transaction.atomic
def competency_delete(*, competency: Competency) -> None:
    """Delete a competency of a draft, and the minimum grades that named it."""
    _check_draft(competency.module.revision)
    try:
        competency.delete()
    except (ProtectedError, RestrictedError):
        raise ValidationError(_("Grades were recorded against this competency.")) from None


@transaction.atomic
def assessment_save(
    *, definition: AssessmentDefinition, minimum_grades: Mapping[Competency, int | None]
) -> AssessmentDefinition:
    """Create or change an assessment of a draft with its minimum grades per competency.

    A competency mapped to None has no minimum grade.
    """
    _check_draft(definition.module.revision)
    definition.full_clean(exclude=["module"], validate_unique=False)
    _save_unique(definition, "code")
    existing = {c.competency_id: c for c in definition.criteria.all()}
    for competency, grade in minimum_grades.items():
        if competency.module_id != definition.module_id:
            raise ValidationError(_("The competency must belong to the assessment's module."))
        criterion = existing.get(competency.pk)
        if grade is None:
            if criterion is not None:
                criterion.delete()
        elif criterion is None:
            AssessmentCriterion.objects.create(
                definition=definition, competency=competency, minimum_grade=grade
            )
        elif criterion.minimum_grade != grade:
            criterion.minimum_grade = grade
            criterion.save()
    if definition.pass_score is None and not definition.criteria.exists():
        raise ValidationError(
            {"pass_score": _("Give a pass mark, a minimum grade for a competency, or both.")}
        )
    return definition


@transaction.atomic
def assessment_delete(*, definition: AssessmentDefinition) -> None:
    _check_draft(definition.module.revision)
    if definition.qualifications_conferred.exists():
        raise ValidationError(
            _("A qualification is conferred by passing it: change the qualification first.")
        )
    try:
        definition.delete()
    except (ProtectedError, RestrictedError):
        raise ValidationError(_("Results were recorded against this assessment.")) from None


@transaction.atomic
def qualification_save(*, qualification: Qualification) -> Qualification:
    """Create or change a qualification of a draft and its recurrency."""
    _check_draft(qualification.revision)
    qualification.full_clean(exclude=["revision"], validate_unique=False)
    _save_unique(qualification, "code")
    return qualification


@transaction.atomic
def qualification_delete(*, qualification: Qualification) -> None:
    _check_draft(qualification.revision)
    try:
        qualification.delete()
    except (ProtectedError, RestrictedError):
        raise ValidationError(_("Trainees hold this qualification.")) from None


# Import ----------------------------------------------------------------------------------------
#
# An import is checked whole before anything is written: every bad row is listed with why, and
# nothing changes. The write then runs in one transaction, as a backstop for what only the
# database can see.


class ImportRefused(ValidationError):
    """An import with bad rows: `messages` names each row and why; nothing was changed."""


def _field_errors(error: ValidationError) -> list[str]:
    if not hasattr(error, "error_dict"):
        return list(error.messages)
    messages = []
    for name, errors in error.message_dict.items():
        for message in errors:
            messages.append(message if name == "__all__" else f"{name}: {message}")
    return messages


def _instance_errors(obj, exclude: list[str]) -> list[str]:
    try:
        obj.full_clean(exclude=exclude, validate_unique=False)
    except ValidationError as error:
        return _field_errors(error)
    return []


def _get(row: dict, key: str, default=None):
    value = row.get(key, default)
    return default if value is None else value


def _decimal_or_none(value):
    from decimal import Decimal, InvalidOperation

    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return value  # left for full_clean to name as invalid


def _parse_datetime(value):
    from django.utils.dateparse import parse_datetime

    if not value:
        return None
    parsed = parse_datetime(str(value))
    if parsed is None:
        raise ValueError(value)
    return parsed


def _build_module(data: dict) -> Module:
    return Module(
        code=str(_get(data, "code", "")),
        title=str(_get(data, "title", "")),
        category=str(_get(data, "category", "")),
        description=str(_get(data, "description", "")),
        required_hours=_decimal_or_none(data.get("required_hours")),
        order=_get(data, "order", 0),
        archived_at=_parse_datetime(data.get("archived_at")),
    )


def _build_competency(data: dict) -> Competency:
    return Competency(
        code=str(_get(data, "code", "")),
        title=str(_get(data, "title", "")),
        behaviours=str(_get(data, "behaviours", "")),
        order=_get(data, "order", 0),
    )


def _build_assessment(data: dict) -> AssessmentDefinition:
    return AssessmentDefinition(
        code=str(_get(data, "code", "")),
        title=str(_get(data, "title", "")),
        kind=str(_get(data, "kind", "")),
        description=str(_get(data, "description", "")),
        max_score=_decimal_or_none(data.get("max_score")),
        pass_score=_decimal_or_none(data.get("pass_score")),
        max_attempts=_get(data, "max_attempts", 3),
        order=_get(data, "order", 0),
    )


def _build_qualification(data: dict) -> Qualification:
    return Qualification(
        code=str(_get(data, "code", "")),
        title=str(_get(data, "title", "")),
        validity_days=data.get("validity_days"),
        grace_days=_get(data, "grace_days", 0),
    )


QUALIFICATION_LINKS = [
    "revision",
    "conferred_by_module",
    "conferred_by_assessment",
    "renewed_by_module",
    "renewed_by_assessment",
]


def revision_data_errors(data) -> list[str]:
    """Everything wrong with an exported revision, one message per bad row; [] if none."""
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        return [_("This is not a curriculum revision exported by this tracker.")]
    if data.get("version") != EXPORT_VERSION:
        return [_("This export's format version is not supported.")]
    # Its shape and each value's limits first (one schema); what only the whole file shows next.
    errors = inputs.schema_errors(schemas.REVISION, data)
    if errors:
        return errors
    modules, qualifications = data["modules"], data["qualifications"]

    codes: dict[str, dict] = {}
    assessments: set[tuple[str, str]] = set()
    links = []
    for number, row in enumerate(modules, start=1):
        code = str(row.get("code", ""))
        label = _("Module %(n)s (%(code)s)") % {"n": number, "code": code}
        problems = []
        try:
            module = _build_module(row)
        except ValueError:
            problems.append(_("archived_at is not a date and time."))
        else:
            problems += _instance_errors(module, exclude=["revision"])
        if code in codes:
            problems.append(_("the code %(code)s is used twice.") % {"code": code})
        codes.setdefault(code, row)
        competency_codes = set()
        for item in _get(row, "competencies", []):
            c = _build_competency(item)
            for problem in _instance_errors(c, exclude=["module"]):
                problems.append(_("competency %(code)s: %(p)s") % {"code": c.code, "p": problem})
            if c.code in competency_codes:
                problems.append(_("the competency code %(code)s is used twice.") % {"code": c.code})
            competency_codes.add(c.code)
        for item in _get(row, "assessments", []):
            a = _build_assessment(item)
            for problem in _instance_errors(a, exclude=["module"]):
                problems.append(_("assessment %(code)s: %(p)s") % {"code": a.code, "p": problem})
            if (code, a.code) in assessments:
                problems.append(_("the assessment code %(code)s is used twice.") % {"code": a.code})
            assessments.add((code, a.code))
            for competency in _get(item, "minimum_grades", {}):
                if competency not in competency_codes:
                    problems.append(
                        _("assessment %(code)s names no competency %(competency)s of the module.")
                        % {"code": a.code, "competency": competency}
                    )
        for required in _get(row, "prerequisites", []):
            links.append((code, str(required)))
        if problems:
            errors.append(f"{label}: {' '.join(problems)}")
    for module_code, required in links:
        if required not in codes:
            errors.append(
                _("Module %(code)s: its prerequisite %(required)s is not in this revision.")
                % {"code": module_code, "required": required}
            )
        elif required == module_code:
            errors.append(
                _("Module %(code)s: a module cannot be its own prerequisite.")
                % {"code": module_code}
            )
    cycle = prerequisite_cycle((m, r) for m, r in links if r in codes and r != m)
    if cycle:
        errors.append(cycle_message(cycle))

    seen: set[str] = set()
    for number, row in enumerate(qualifications, start=1):
        q = _build_qualification(row)
        problems = _instance_errors(q, exclude=QUALIFICATION_LINKS)
        if q.code in seen:
            problems.append(_("the code %(code)s is used twice.") % {"code": q.code})
        seen.add(q.code)
        if bool(row.get("conferred_by_module")) == bool(row.get("conferred_by_assessment")):
            problems.append(_("it is conferred by either a module or an assessment."))
        for key in ("conferred_by_module", "renewed_by_module"):
            if row.get(key) and row[key] not in codes:
                problems.append(_("%(key)s names no module of this revision.") % {"key": key})
        for key in ("conferred_by_assessment", "renewed_by_assessment"):
            ref = row.get(key)
            if ref and tuple(ref) not in assessments:
                problems.append(_("%(key)s names no assessment of this revision.") % {"key": key})
        if row.get("validity_days") is None and (
            row.get("renewed_by_module") or row.get("renewed_by_assessment")
        ):
            problems.append(_("only a qualification that lapses is renewed."))
        if problems:
            label = _("Qualification %(n)s (%(code)s)") % {"n": number, "code": q.code}
            errors.append(f"{label}: {' '.join(problems)}")
    return errors


def _content_write(*, revision: ProgrammeRevision, data: dict) -> None:
    """Write checked export data into an empty draft (`revision_data_errors` found nothing)."""
    modules: dict[str, Module] = {}
    definitions: dict[tuple[str, str], AssessmentDefinition] = {}
    for row in data["modules"]:
        module = _build_module(row)
        module.revision = revision
        module.save()
        modules[module.code] = module
        competencies = {}
        for item in row.get("competencies", []):
            competency = _build_competency(item)
            competency.module = module
            competency.save()
            competencies[competency.code] = competency
        for item in row.get("assessments", []):
            definition = _build_assessment(item)
            definition.module = module
            definition.save()
            definitions[(module.code, definition.code)] = definition
            for code, grade in item.get("minimum_grades", {}).items():
                AssessmentCriterion.objects.create(
                    definition=definition, competency=competencies[code], minimum_grade=grade
                )
    for row in data["modules"]:
        for required in row.get("prerequisites", []):
            Prerequisite.objects.create(
                module=modules[row["code"]], required_module=modules[required]
            )
    for row in data["qualifications"]:
        qualification = _build_qualification(row)
        qualification.revision = revision
        for key in ("conferred_by_module", "renewed_by_module"):
            setattr(qualification, key, modules.get(row.get(key)))
        for key in ("conferred_by_assessment", "renewed_by_assessment"):
            ref = row.get(key)
            setattr(qualification, key, definitions[tuple(ref)] if ref else None)
        qualification.full_clean(exclude=["revision"], validate_unique=False)
        qualification.save()


@transaction.atomic
def revision_import(*, data) -> ProgrammeRevision:
    """Import an exported revision as a new draft: of the programme with the export's code, or of
    a new programme if there is none. Refused whole (`ImportRefused`) if any row is bad."""
    errors = revision_data_errors(data)
    if errors:
        raise ImportRefused(errors)
    meta = data["programme"]
    programme = Programme.objects.filter(code=meta["code"]).first()
    if programme is None:
        revision = programme_create(
            code=meta["code"], name=meta["name"], description=meta.get("description", "")
        )
    else:
        try:
            with transaction.atomic():
                revision = _revision_empty(programme=programme)
        except ValidationError as error:
            raise ImportRefused(error.messages) from None
    revision.summary = str(data.get("revision", {}).get("summary", ""))
    revision.save(update_fields=["summary"])
    try:
        with transaction.atomic():
            _content_write(revision=revision, data=data)
    except (ValidationError, IntegrityError) as error:
        messages = error.messages if isinstance(error, ValidationError) else [str(error)]
        raise ImportRefused(messages) from None
    return revision


def _revision_empty(*, programme: Programme) -> ProgrammeRevision:
    """A new, empty draft of `programme`. One draft at a time: a second (a double submission
    included) is refused."""
    # Serialise drafts of the same programme (PostgreSQL; SQLite's immediate transactions
    # serialise writers anyway). The unique revision number is the backstop.
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    draft = programme.revisions.drafts().first()
    if draft is not None:
        raise ValidationError(
            _("Revision %(number)s is already a draft: finish or discard it first.")
            % {"number": draft.number}
        )
    number = (programme.revisions.aggregate(n=Max("number"))["n"] or 0) + 1
    return ProgrammeRevision.objects.create(programme=programme, number=number)


CSV_REQUIRED = ["code", "title", "category", "required_hours"]
YES, NO = {"yes", "y", "true", "1"}, {"no", "n", "false", "0", ""}


def _csv_rows(text: str) -> tuple[list[str], list[dict]]:
    try:
        header, rows = inputs.csv_rows(text)
        # Each cell as the export was given it: "'=1+1" is the title "=1+1" written as text.
        return header, [
            {
                name: cell_in(value) if isinstance(value, str) else value
                for name, value in row.values.items()
            }
            for row in rows
        ]
    except inputs.CsvUnreadable as error:
        raise ImportRefused([error.message]) from None


@transaction.atomic
def modules_import(*, revision: ProgrammeRevision, text: str) -> list[Module]:
    """Create or change the draft's modules from CSV (columns as `modules_csv_rows` writes),
    matched by code. Refused whole (`ImportRefused`) if any row is bad; rows are numbered as a
    spreadsheet numbers them, the header being row 1."""
    _check_draft(revision)
    header, rows = _csv_rows(text)
    missing = [c for c in CSV_REQUIRED if c not in header]
    if missing:
        raise ImportRefused(
            [_("The header lacks the columns: %(columns)s") % {"columns": ", ".join(missing)}]
        )
    unknown = [c for c in header if c not in CSV_COLUMNS]
    if unknown:
        raise ImportRefused(
            [_("The header has unknown columns: %(columns)s") % {"columns": ", ".join(unknown)}]
        )
    existing = {m.code: m for m in revision.modules.all()}
    in_file = {(row.get("code") or "").strip() for row in rows}
    known = existing.keys() | in_file
    links = {
        (m, r)
        for m, r in Prerequisite.objects.filter(module__revision=revision).values_list(
            "module__code", "required_module__code"
        )
        if m not in in_file
    }
    errors, planned, seen = [], [], set()
    for number, row in enumerate(rows, start=2):
        values = {k: (v or "").strip() for k, v in row.items() if k}
        code = values.get("code", "")
        problems = inputs.schema_errors(schemas.MODULE_ROW, values)
        if problems:
            errors.append(
                _("Row %(n)s (%(code)s): %(problems)s")
                % {"n": number, "code": code[:40], "problems": " ".join(problems)}
            )
            continue
        module = existing.get(code) or Module(revision=revision)
        for name in ("code", "title", "category", "description"):
            if name in values:
                setattr(module, name, values[name])
        module.required_hours = _decimal_or_none(values.get("required_hours"))
        if values.get("order"):
            if values["order"].isascii() and values["order"].isdigit():
                module.order = int(values["order"])
            else:
                problems.append(_("order: a whole number is needed."))
        archived = values.get("archived", "no").lower()
        if archived not in YES | NO:
            problems.append(_("archived: write yes or no."))
        problems += _instance_errors(module, exclude=["revision"])
        if code in seen:
            problems.append(_("the code %(code)s is used twice.") % {"code": code})
        seen.add(code)
        required = values.get("prerequisites", "").replace(",", " ").replace(";", " ").split()
        for other in required:
            if other not in known:
                problems.append(
                    _("the prerequisite %(code)s is not a module of this revision.")
                    % {"code": other}
                )
            elif other == code:
                problems.append(_("a module cannot be its own prerequisite."))
            else:
                links.add((code, other))
        if problems:
            errors.append(
                _("Row %(n)s (%(code)s): %(problems)s")
                % {"n": number, "code": code, "problems": " ".join(problems)}
            )
        planned.append((module, required, archived in YES))
    cycle = prerequisite_cycle(sorted(links))
    if cycle:
        errors.append(cycle_message(cycle))
    if errors:
        raise ImportRefused(errors)

    saved = {}
    last = max(
        [revision.modules.aggregate(n=Max("order"))["n"] or 0, *(m.order for m, _r, _a in planned)]
    )
    for module, _required, _archived in planned:
        if module.pk is None and not module.order:
            last += 1
            module.order = last  # a new module without an order goes last
        module.save()
        saved[module.code] = module
    by_code = {**existing, **saved}
    for module, required, archive in planned:
        module_save(module=module, prerequisites=[by_code[c] for c in required])
        try:
            if archive:
                module_archive(module=module)
            else:
                module_restore(module=module)
        except ValidationError as error:
            raise ImportRefused(
                [f"{module.code}: {message}" for message in error.messages]
            ) from None
    return [module for module, _r, _a in planned]
