"""Writes to the curriculum.

Every write goes to a draft revision (a published one refuses in the model layer anyway); each is
atomic, so a refused change leaves nothing half-saved. Prerequisite cycles, codes and the modules
that trainees have records in are checked here, the one home of those rules.
"""

from collections.abc import Iterable, Mapping

import polib
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
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
    Translation,
    prerequisite_cycle,
    source_digest,
    source_language_of,
)
from .selectors import (
    CSV_COLUMNS,
    EXPORT_FORMAT,
    EXPORT_VERSION,
    key_of,
    revision_export,
    revision_texts,
    target_languages,
)


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
def programme_create(
    *, code: str, name: str, description: str = "", source_language: str = ""
) -> ProgrammeRevision:
    """A new programme with an empty draft revision 1, ready for its first modules. Its source
    language (the site's default unless given) is the one its texts are written in."""
    programme = Programme(
        code=code,
        name=name,
        description=description,
        source_language=source_language or settings.LANGUAGE_CODE,
    )
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
        translators = {
            (language, item.key): translation.translated_by
            for item in revision_texts(revision=latest, with_cohorts=False)
            for language, translation in item.translations.items()
        }
        _content_write(
            revision=revision, data=revision_export(revision=latest), translators=translators
        )
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
    # The translations name texts by the syllabus's codes: checked once those hold.
    return errors or _translations_errors(data)


def _data_text_keys(data: dict) -> dict[str, int | None]:
    """The keys of the texts an export holds (`selectors.text_key`), each with its column's
    length (None: a text column)."""

    def limit(model, name):
        return model._meta.get_field(name).max_length

    keys = {
        key_of("programme", name): limit(Programme, name) for name in Programme.translated_fields
    }
    for row in data["modules"]:
        code = str(row.get("code", ""))
        for name in Module.translated_fields:
            keys[key_of("module", code, name)] = limit(Module, name)
        for kind, model, part in (
            ("competency", Competency, "competencies"),
            ("assessment", AssessmentDefinition, "assessments"),
        ):
            for item in _get(row, part, []):
                for name in model.translated_fields:
                    keys[key_of(kind, code, str(item.get("code", "")), name)] = limit(model, name)
    for row in data["qualifications"]:
        for name in Qualification.translated_fields:
            keys[key_of("qualification", str(row.get("code", "")), name)] = limit(
                Qualification, name
            )
    return keys


def _translations_errors(data: dict) -> list[str]:
    """What is wrong with an export's translations: a language that is the source's, a key
    that names no text of the file, a text longer than its column."""
    errors = []
    source = data["programme"].get("source_language", settings.LANGUAGE_CODE)
    stored = (
        Programme.objects.filter(code=data["programme"]["code"])
        .values_list("source_language", flat=True)
        .first()
    )
    if stored is not None and stored != source:
        errors.append(
            _("The programme is written in %(stored)s here; this file's source is %(source)s.")
            % {"stored": stored, "source": source}
        )
    keys = _data_text_keys(data)
    for language, entries in _get(data, "translations", {}).items():
        if language == source:
            errors.append(
                _("Translations into %(language)s: that is the source language.")
                % {"language": language}
            )
            continue
        for key, entry in entries.items():
            label = _("Translation %(language)s %(key)s") % {"language": language, "key": key}
            if key not in keys:
                errors.append(_("%(entry)s: no such text in this file.") % {"entry": label})
            elif keys[key] is not None and len(entry["text"]) > keys[key]:
                errors.append(
                    _("%(entry)s: at most %(limit)s characters.")
                    % {"entry": label, "limit": keys[key]}
                )
    return errors


def _content_write(*, revision: ProgrammeRevision, data: dict, translators=None) -> None:
    """Write checked export data into an empty draft (`revision_data_errors` found nothing).

    `translators` ({(language, key): user}) names who made each translation, for a copy made on
    this site; a file's translations carry no people."""
    modules: dict[str, Module] = {}
    definitions: dict[tuple[str, str], AssessmentDefinition] = {}
    texts: dict[str, tuple] = {}
    for row in data["modules"]:
        module = _build_module(row)
        module.revision = revision
        module.save()
        modules[module.code] = module
        texts.update(
            {key_of("module", module.code, n): (module, n) for n in module.translated_fields}
        )
        competencies = {}
        for item in row.get("competencies", []):
            competency = _build_competency(item)
            competency.module = module
            competency.save()
            competencies[competency.code] = competency
            texts.update(
                {
                    key_of("competency", module.code, competency.code, n): (competency, n)
                    for n in competency.translated_fields
                }
            )
        for item in row.get("assessments", []):
            definition = _build_assessment(item)
            definition.module = module
            definition.save()
            definitions[(module.code, definition.code)] = definition
            texts.update(
                {
                    key_of("assessment", module.code, definition.code, n): (definition, n)
                    for n in definition.translated_fields
                }
            )
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
        texts.update(
            {
                key_of("qualification", qualification.code, n): (qualification, n)
                for n in qualification.translated_fields
            }
        )
    _translations_write(revision=revision, data=data, texts=texts, translators=translators or {})


def _translations_write(*, revision, data: dict, texts: dict, translators: dict) -> None:
    """The export's translations, row by row. A programme's are written only where it has none
    in that language yet: they belong to the programme, shared by its revisions."""
    programme = revision.programme
    had = set(programme.translations.values_list("field", "language"))
    texts.update({key_of("programme", n): (programme, n) for n in programme.translated_fields})
    for language, entries in _get(data, "translations", {}).items():
        for key, entry in entries.items():
            obj, name = texts[key]
            if obj is programme and (name, language) in had:
                continue
            when = _parse_datetime(entry.get("translated_at")) or timezone.now()
            _translation_write(
                obj=obj,
                name=name,
                language=language,
                text=entry["text"],
                digest=entry["source_digest"],
                by=translators.get((language, key)),
                when=when,
            )


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
            code=meta["code"],
            name=meta["name"],
            description=meta.get("description", ""),
            source_language=meta.get("source_language", settings.LANGUAGE_CODE),
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


# Translations ----------------------------------------------------------------------------------
#
# A translation is presentation, not syllabus: it may be added or corrected in a published
# revision while the source stays frozen. Each write saves row by row (never in bulk), so every
# change has its history and sends the save signals that invalidate cached pages.

PO_FILE_MAX_BYTES = 2 * 1024 * 1024


def translation_limit(obj, name: str) -> int:
    return obj._meta.get_field(name).max_length or schemas.TRANSLATION_MAX


def translation_text_problems(obj, name: str, text: str) -> list[str]:
    """What is wrong with `text` as a translation of `obj`'s `name` (the edges of its column)."""
    problems = []
    if "\x00" in text or any(0xD800 <= ord(char) <= 0xDFFF for char in text):
        problems.append(_("The text holds a character that cannot be stored."))
    limit = translation_limit(obj, name)
    if len(text) > limit:
        problems.append(
            _("At most %(limit)s characters (it has %(length)s).")
            % {"limit": limit, "length": len(text)}
        )
    return problems


def _translation_write(*, obj, name: str, language: str, text: str, digest: str, by, when):
    """Create or change one translation row (saved, with its history); text "" removes it."""
    content_type = ContentType.objects.get_for_model(obj)
    found = (
        Translation.objects.select_for_update()
        .filter(content_type=content_type, object_id=obj.pk, field=name, language=language)
        .first()
    )
    if not text:
        if found is not None:
            found.delete()
        return None
    if found is None:
        found = Translation(content_type=content_type, object_id=obj.pk, field=name)
        found.language = language
    elif found.text == text and found.source_digest == digest:
        return found  # nothing changed: no history row, no invalidation
    found.text = text
    found.source_digest = digest
    found.revision_id = obj.translation_revision_id if obj.translation_scoped else None
    found.translated_by = by
    found.translated_at = when or timezone.now()
    try:
        with transaction.atomic():
            found.save()
    except IntegrityError:
        # A double submission or a race: the other save made the row; this one changes it.
        raise ValidationError(
            {"text": _("Someone saved this translation at the same moment. Look again.")}
        ) from None
    return found


@transaction.atomic
def translation_save(*, obj, name: str, language: str, text: str, by: User) -> Translation | None:
    """Add or correct the translation of `obj`'s text `name` into `language`, or remove it (an
    empty text). Saving marks it made from the source as it is now: an out-of-date translation
    is reviewed by saving it. Allowed in a published revision (the source stays frozen)."""
    if name not in obj.translated_fields:
        raise ValidationError(_("This text is not translated."))
    if language not in dict(settings.LANGUAGES) or language == source_language_of(obj):
        raise ValidationError({"language": _("Choose a language other than the source's.")})
    text = text.strip()
    problems = translation_text_problems(obj, name, text)
    if problems:
        raise ValidationError({"text": problems})
    return _translation_write(
        obj=obj,
        name=name,
        language=language,
        text=text,
        digest=source_digest(getattr(obj, name)),
        by=by,
        when=None,
    )


def _po_language(value: str) -> str:
    return (value or "").strip().lower().replace("_", "-")


@transaction.atomic
def translations_po_import(
    *, revision: ProgrammeRevision, language: str, content: bytes, by: User
) -> int:
    """Take back a translator's PO file (`selectors.translations_po`) for `revision` in
    `language`: all or nothing. Every bad entry is named by its line and key and nothing is
    written (`ImportRefused`); otherwise each translated entry is saved, made from the source
    the file gives (a file made from an older source leaves its texts out of date). Fuzzy and
    empty entries are left as they are. Returns how many translations changed."""
    items = {item.key: item for item in revision_texts(revision=revision)}
    if language not in {code for code, _name in target_languages(revision.programme)}:
        raise ImportRefused([_("This revision is not translated into that language.")])
    if len(content) > PO_FILE_MAX_BYTES:
        raise ImportRefused([_("The file is larger than 2 MB.")])
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise ImportRefused([_("The file is not UTF-8 text.")]) from None
    if "\x00" in text:
        raise ImportRefused([_("The file holds a character that cannot be stored.")])
    try:
        # A leading line break: polib reads a file *named* by its argument when one exists.
        catalogue = polib.pofile("\n" + text, encoding="utf-8", wrapwidth=0)
    except (OSError, ValueError, UnicodeError) as error:
        raise ImportRefused(
            [_("This is not a PO file this tracker can read: %(error)s") % {"error": error}]
        ) from None
    errors = []
    stated = _po_language(catalogue.metadata.get("Language", ""))
    if stated != language:
        errors.append(
            _("The file is for the language %(stated)s, not %(language)s.")
            % {"stated": stated or "?", "language": language}
        )
    wanted = []
    seen: set[str] = set()
    for entry in catalogue:
        if entry.obsolete:
            continue
        key = entry.msgctxt or ""
        label = _("Line %(line)s (%(key)s)") % {"line": max(entry.linenum - 1, 1), "key": key}
        item = items.get(key)
        if item is None:
            errors.append(_("%(entry)s: no such text in this revision.") % {"entry": label})
            continue
        if key in seen:
            errors.append(_("%(entry)s: this text appears twice.") % {"entry": label})
            continue
        seen.add(key)
        if entry.msgid_plural:
            errors.append(_("%(entry)s: a text has no plural forms.") % {"entry": label})
            continue
        if entry.fuzzy or not entry.msgstr.strip():
            continue
        translated = entry.msgstr.strip()
        for problem in translation_text_problems(item.obj, item.field, translated):
            errors.append(f"{label}: {problem}")
        if "\x00" in entry.msgid:
            errors.append(_("%(entry)s: the source holds a NUL.") % {"entry": label})
        wanted.append((item, translated, source_digest(entry.msgid)))
    if errors:
        raise ImportRefused(errors)
    changed = 0
    now = timezone.now()
    for item, translated, digest in wanted:
        found = item.translations.get(language)
        if found is not None and found.text == translated and found.source_digest == digest:
            continue
        _translation_write(
            obj=item.obj,
            name=item.field,
            language=language,
            text=translated,
            digest=digest,
            by=by,
            when=now,
        )
        changed += 1
    return changed
