"""Curriculum definitions. They know nothing of the records made against them (see trainees).

A programme is taught from numbered revisions. A revision owns its modules, their competencies,
assessments and the qualifications they confer; once published it is frozen, so that trainees
pinned to it keep the requirements they started with. Who may assess is an authorisation of
people, not syllabus content, and stays editable (with its history) on a published revision.
"""

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from trainingtracker.versioned import CacheVersioned

GRADE_MIN, GRADE_MAX = 1, 5


class PublishedRevisionError(ValidationError):
    """Raised on any write to the content of a published revision."""

    def __init__(self):
        super().__init__(
            _("This revision is published and can no longer change. Make a new revision."),
            code="published",
        )


def _curriculum_reader(user) -> bool:
    """Whether `user` may read published curricula: anyone signed in who holds a role."""
    return user.is_authenticated and user.is_active and bool(user.get_all_permissions())


def _curriculum_manager(user) -> bool:
    return user.is_authenticated and user.is_active and user.has_perm("accounts.manage_curriculum")


class ProgrammeQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.all() if _curriculum_reader(user) else self.none()


class Programme(CacheVersioned):
    """A training programme, such as payload specialist training for the Tiangong station."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    source_language = models.CharField(
        _("source language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language the curriculum is written in; the others are translations."),
    )

    objects = ProgrammeQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["cache_version"])
    translations = GenericRelation("Translation")

    # The texts shown in the reader's language (curriculum/texts.py). A programme's texts are
    # not in a revision: they load with the names (Translation.revision is empty).
    translated_fields = ("name", "description")
    translation_scoped = False

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(source_language__in=[code for code, _name in settings.LANGUAGES]),
                name="programme_source_language_known",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ProgrammeRevisionQuerySet(models.QuerySet):
    # Bulk writes get the same refusal as `ProgrammeRevision.save()` and `delete()`: a published
    # revision is never unpublished, renumbered or deleted (only its summary may be edited).
    def update(self, **kwargs):
        if set(kwargs) - {"summary"} and self.published().exists():
            raise PublishedRevisionError()
        return super().update(**kwargs)

    def delete(self):
        if self.published().exists():
            raise PublishedRevisionError()
        return super().delete()

    def published(self):
        return self.filter(published_at__isnull=False)

    def drafts(self):
        return self.filter(published_at__isnull=True)

    def newer_than(self, revision: "ProgrammeRevision"):
        """The revisions `revision` may give way to (`ProgrammeRevision.supersedes`)."""
        return self.published().filter(programme=revision.programme_id, number__gt=revision.number)

    def visible_to(self, user):
        """Programme admins see drafts too; everyone else with a role sees published revisions."""
        if _curriculum_manager(user):
            return self.all()
        return self.published() if _curriculum_reader(user) else self.none()

    def editable_by(self, user):
        """The drafts, for programme admins: the only revisions any page may change."""
        return self.drafts() if _curriculum_manager(user) else self.none()


class ProgrammeRevision(CacheVersioned):
    """One numbered version of a programme's requirements. Published revisions never change."""

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="revisions", verbose_name=_("programme")
    )
    number = models.PositiveSmallIntegerField(_("revision number"))
    summary = models.TextField(_("what changed"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )

    objects = ProgrammeRevisionQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["cache_version"])

    class Meta:
        verbose_name = _("programme revision")
        verbose_name_plural = _("programme revisions")
        ordering = ["programme", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "number"], name="revision_number_unique_per_programme"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="revision_number_positive"),
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | Q(published_by__isnull=False),
                name="revision_published_by_whom",
            ),
        ]

    def __str__(self) -> str:
        return _("%(programme)s, revision %(number)s") % {
            "programme": self.programme,
            "number": self.number,
        }

    def save(self, *args, **kwargs):
        # A published revision's row is as frozen as its content: it cannot be unpublished,
        # renumbered or moved to another programme.
        if self.pk is not None:
            stored = (
                type(self)
                .objects.filter(pk=self.pk)
                .values("published_at", "published_by_id", "number", "programme_id")
                .first()
            )
            if stored and stored["published_at"] is not None:
                current = {
                    "published_at": self.published_at,
                    "published_by_id": self.published_by_id,
                    "number": self.number,
                    "programme_id": self.programme_id,
                }
                if current != stored:
                    raise PublishedRevisionError()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_published:
            raise PublishedRevisionError()
        return super().delete(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def supersedes(self, other: "ProgrammeRevision") -> bool:
        """The rule for moving to a revision: a published, newer one of the same programme
        (the queryset's `newer_than` is the same rule for a list)."""
        return (
            self.is_published
            and self.programme_id == other.programme_id
            and self.number > other.number
        )


class RevisionContentQuerySet(models.QuerySet):
    """Bulk writes refuse rows of a published revision, as `save()` and `delete()` do."""

    def _touches_published(self) -> bool:
        path = self.model.revision_path
        return self.filter(**{f"{path}__published_at__isnull": False}).exists()

    def _moves_into_published(self, kwargs) -> bool:
        """Whether an update re-points the rows at something in a published revision."""
        first, *rest = self.model.revision_path.split("__")
        field = self.model._meta.get_field(first)
        target = kwargs.get(first, kwargs.get(field.attname))
        if target is None:
            return False
        target_pk = getattr(target, "pk", target)
        lookup = "__".join([*rest, "published_at__isnull"]) if rest else "published_at__isnull"
        return field.related_model._default_manager.filter(pk=target_pk, **{lookup: False}).exists()

    def update(self, **kwargs):
        if self._touches_published() or self._moves_into_published(kwargs):
            raise PublishedRevisionError()
        return super().update(**kwargs)

    def delete(self):
        if self._touches_published():
            raise PublishedRevisionError()
        return super().delete()

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            obj.revision_check_open()
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            obj.revision_check_open()
        return super().bulk_update(objs, *args, **kwargs)

    def of_revision(self, revision):
        return self.filter(**{self.model.revision_path: revision})

    def visible_to(self, user):
        revisions = ProgrammeRevision.objects.visible_to(user)
        return self.filter(**{f"{self.model.revision_path}__in": revisions})

    def editable_by(self, user):
        """Content of drafts, for programme admins (`ProgrammeRevision.objects.editable_by`)."""
        revisions = ProgrammeRevision.objects.editable_by(user)
        return self.filter(**{f"{self.model.revision_path}__in": revisions})


class RevisionContent(models.Model):
    """Part of a revision's content: refuses to change once the revision is published.

    Integrity rather than a domain rule, so it sits in the model layer where no code path, the
    Django admin included, can go around it. `revision_path` is the lookup to the revision.
    """

    revision_path = "revision"
    # The texts shown in the reader's language (curriculum/texts.py), translated per revision.
    translated_fields: tuple[str, ...] = ()
    translation_scoped = True

    objects = RevisionContentQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.revision_check_open()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self.revision_check_open()
        return super().delete(*args, **kwargs)

    @property
    def translation_revision_id(self) -> int:
        """The revision whose translations hold this row's (one query loads them all)."""
        if self.revision_path == "revision":
            return self.revision_id
        return self.module.revision_id

    @property
    def owning_revision(self) -> ProgrammeRevision:
        obj = self
        for step in self.revision_path.split("__"):
            obj = getattr(obj, step)
        return obj

    def revision_check_open(self) -> None:
        """Raise PublishedRevisionError if this row, as stored or as changed, is published."""
        if self.owning_revision.is_published:
            raise PublishedRevisionError()
        if self.pk is not None:
            stored = type(self).objects.filter(pk=self.pk)
            if stored.filter(**{f"{self.revision_path}__published_at__isnull": False}).exists():
                raise PublishedRevisionError()


class ModuleCategory(models.TextChoices):
    PHYSICAL = "physical", _("Physical conditioning")
    SPACECRAFT = "spacecraft", _("Spacecraft operations")
    EMERGENCY = "emergency", _("Emergency response drills")
    SCIENCE = "science", _("Scientific research techniques")


class ModuleQuerySet(RevisionContentQuerySet):
    def active(self):
        """Modules that count: an archived module is kept for its records, no longer required."""
        return self.filter(archived_at__isnull=True)


class Module(RevisionContent):
    """A unit of training: hours to log, competencies to show, assessments to pass.

    A module that trainees have records in is archived rather than deleted: it stays in the
    revision, with its history, but is no longer required (`archived_at`).
    """

    Category = ModuleCategory

    revision = models.ForeignKey(
        ProgrammeRevision,
        on_delete=models.CASCADE,
        related_name="modules",
        verbose_name=_("revision"),
    )
    code = models.CharField(_("code"), max_length=20)
    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    description = models.TextField(_("description"), blank=True)
    required_hours = models.DecimalField(
        _("required hours"),
        max_digits=6,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.1"))],
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    prerequisites = models.ManyToManyField(
        "self",
        through="Prerequisite",
        through_fields=("module", "required_module"),
        symmetrical=False,
        related_name="unlocks",
        blank=True,
        verbose_name=_("prerequisites"),
    )
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True, editable=False)

    objects = ModuleQuerySet.as_manager()
    history = HistoricalRecords()
    translations = GenericRelation("Translation")
    translated_fields = ("title", "description")

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        ordering = ["revision", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["revision", "code"], name="module_code_unique"),
            models.CheckConstraint(
                condition=Q(required_hours__gt=0),
                name="module_required_hours_positive",
                violation_error_message=_("Required hours must be more than zero."),
            ),
            models.CheckConstraint(
                condition=Q(category__in=ModuleCategory.values),
                name="module_category_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class Prerequisite(RevisionContent):
    """`module` may not be assessed until `required_module` is complete."""

    revision_path = "module__revision"

    module = models.ForeignKey(
        Module,
        on_delete=models.CASCADE,
        related_name="prerequisite_links",
        verbose_name=_("module"),
    )
    required_module = models.ForeignKey(
        Module, on_delete=models.CASCADE, related_name="+", verbose_name=_("required module")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("prerequisite")
        verbose_name_plural = _("prerequisites")
        constraints = [
            models.UniqueConstraint(
                fields=["module", "required_module"], name="prerequisite_unique"
            ),
            models.CheckConstraint(
                condition=~Q(module=models.F("required_module")), name="prerequisite_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.module.code} ← {self.required_module.code}"

    def clean(self):
        if (
            self.module_id
            and self.required_module_id
            and self.module.revision_id != self.required_module.revision_id
        ):
            raise ValidationError(
                {"required_module": _("A prerequisite must belong to the same revision.")}
            )


class Competency(RevisionContent):
    """Something a trainee must show in a module, judged by its observable behaviours."""

    revision_path = "module__revision"

    module = models.ForeignKey(
        Module, on_delete=models.CASCADE, related_name="competencies", verbose_name=_("module")
    )
    code = models.CharField(_("code"), max_length=20)
    title = models.CharField(_("title"), max_length=200)
    behaviours = models.TextField(
        _("observable behaviours"),
        help_text=_("One behaviour per line, as an assessor would see it."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    history = HistoricalRecords()
    translations = GenericRelation("Translation")
    translated_fields = ("title", "behaviours")

    class Meta:
        verbose_name = _("competency")
        verbose_name_plural = _("competencies")
        ordering = ["module", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["module", "code"], name="competency_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def behaviour_list(self) -> list[str]:
        return [line.strip() for line in self.behaviours.splitlines() if line.strip()]


class AssessmentKind(models.TextChoices):
    WRITTEN_EXAM = "written_exam", _("Written exam")
    PRACTICAL_CHECK = "practical_check", _("Practical check")
    SIMULATOR_EVALUATION = "simulator_evaluation", _("Simulator evaluation")
    FITNESS_TEST = "fitness_test", _("Fitness test")
    QUALIFICATION_BOARD = "qualification_board", _("Qualification board")


class AssessmentDefinition(RevisionContent):
    """How a module is judged: a pass mark, minimum grades per competency, or both."""

    Kind = AssessmentKind

    revision_path = "module__revision"

    module = models.ForeignKey(
        Module, on_delete=models.CASCADE, related_name="assessments", verbose_name=_("module")
    )
    code = models.CharField(_("code"), max_length=20)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    description = models.TextField(_("description"), blank=True)
    max_score = models.DecimalField(
        _("maximum score"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    pass_score = models.DecimalField(
        _("pass mark"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("The lowest passing score. Leave empty when only competency grades count."),
    )
    max_attempts = models.PositiveSmallIntegerField(
        _("maximum attempts"), default=3, validators=[MinValueValidator(1)]
    )
    assessors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="assessments_authorised",
        verbose_name=_("authorised assessors"),
        help_text=_("The trainers who may sign this assessment."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    history = HistoricalRecords(m2m_fields=[assessors])
    translations = GenericRelation("Translation")
    translated_fields = ("title", "description")

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["module", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["module", "code"], name="assessment_code_unique"),
            models.CheckConstraint(
                condition=Q(max_attempts__gte=1), name="assessment_max_attempts_positive"
            ),
            models.CheckConstraint(
                condition=Q(max_score__isnull=True) | Q(max_score__gt=0),
                name="assessment_max_score_positive",
            ),
            models.CheckConstraint(
                condition=Q(pass_score__isnull=True)
                | Q(
                    max_score__isnull=False,
                    pass_score__gte=0,
                    pass_score__lte=models.F("max_score"),
                ),
                name="assessment_pass_score_within_max",
                violation_error_message=_(
                    "The pass mark must lie between 0 and the maximum score."
                ),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=AssessmentKind.values),
                name="assessment_kind_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def outcome(self, *, score: Decimal | None, grades: Mapping[int, int | None]) -> bool:
        """Whether an attempt passes: the one rule, so pass or fail is never typed by hand.

        `grades` maps competency ids to a grade, None meaning "not observed". A competency with a
        minimum grade that was not observed has not been shown, so the attempt does not pass.
        Uses `criteria`, which callers should prefetch.
        """
        criteria = list(self.criteria.all())
        if self.pass_score is None and not criteria:
            raise ValidationError(
                _("This assessment has neither a pass mark nor a minimum grade to judge by.")
            )
        if self.pass_score is not None and (score is None or score < self.pass_score):
            return False
        for criterion in criteria:
            grade = grades.get(criterion.competency_id)
            if grade is None or grade < criterion.minimum_grade:
                return False
        return True


class AssessmentCriterion(RevisionContent):
    """A minimum grade that one competency must reach for an assessment to pass."""

    revision_path = "definition__module__revision"

    definition = models.ForeignKey(
        AssessmentDefinition,
        on_delete=models.CASCADE,
        related_name="criteria",
        verbose_name=_("assessment"),
    )
    competency = models.ForeignKey(
        Competency, on_delete=models.CASCADE, related_name="+", verbose_name=_("competency")
    )
    minimum_grade = models.PositiveSmallIntegerField(
        _("minimum grade"),
        default=3,
        validators=[MinValueValidator(GRADE_MIN), MaxValueValidator(GRADE_MAX)],
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("minimum grade")
        verbose_name_plural = _("minimum grades")
        constraints = [
            models.UniqueConstraint(
                fields=["definition", "competency"], name="criterion_unique_per_competency"
            ),
            models.CheckConstraint(
                condition=Q(minimum_grade__gte=GRADE_MIN, minimum_grade__lte=GRADE_MAX),
                name="criterion_minimum_grade_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.competency.code} ≥ {self.minimum_grade}"

    def clean(self):
        if (
            self.definition_id
            and self.competency_id
            and self.competency.module_id != self.definition.module_id
        ):
            raise ValidationError(
                {"competency": _("The competency must belong to the assessment's module.")}
            )


class Qualification(RevisionContent):
    """What completing a module or passing an assessment confers, and how it stays current.

    `code` stays the same across revisions, so a grant made under one revision still counts
    under the next.
    """

    revision = models.ForeignKey(
        ProgrammeRevision,
        on_delete=models.CASCADE,
        related_name="qualifications",
        verbose_name=_("revision"),
    )
    code = models.CharField(_("code"), max_length=20)
    title = models.CharField(_("title"), max_length=200)
    conferred_by_module = models.ForeignKey(
        Module,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="qualifications_conferred",
        verbose_name=_("conferred by completing module"),
    )
    conferred_by_assessment = models.ForeignKey(
        AssessmentDefinition,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="qualifications_conferred",
        verbose_name=_("conferred by passing assessment"),
    )
    validity_days = models.PositiveIntegerField(
        _("valid for (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Leave empty for a qualification that does not lapse."),
    )
    grace_days = models.PositiveIntegerField(
        _("grace period (days)"),
        default=0,
        help_text=_("Days after expiry during which a renewal still counts as on time."),
    )
    renewed_by_assessment = models.ForeignKey(
        AssessmentDefinition,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="qualifications_renewed",
        verbose_name=_("renewed by passing assessment"),
    )
    renewed_by_module = models.ForeignKey(
        Module,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="qualifications_renewed",
        verbose_name=_("renewed by attending a drill of module"),
    )

    history = HistoricalRecords()
    translations = GenericRelation("Translation")
    translated_fields = ("title",)

    class Meta:
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        ordering = ["revision", "code"]
        constraints = [
            models.UniqueConstraint(fields=["revision", "code"], name="qualification_code_unique"),
            models.CheckConstraint(
                condition=(
                    Q(conferred_by_module__isnull=False, conferred_by_assessment__isnull=True)
                    | Q(conferred_by_module__isnull=True, conferred_by_assessment__isnull=False)
                ),
                name="qualification_conferred_by_one",
                violation_error_message=_(
                    "A qualification is conferred by either a module or an assessment."
                ),
            ),
            models.CheckConstraint(
                condition=Q(validity_days__isnull=True) | Q(validity_days__gte=1),
                name="qualification_validity_positive",
            ),
            models.CheckConstraint(
                condition=Q(validity_days__isnull=False) | Q(grace_days=0),
                name="qualification_grace_needs_validity",
                violation_error_message=_("Only a qualification that lapses has a grace period."),
            ),
            models.CheckConstraint(
                condition=Q(validity_days__isnull=False)
                | Q(renewed_by_assessment__isnull=True, renewed_by_module__isnull=True),
                name="qualification_renewal_needs_validity",
                violation_error_message=_("Only a qualification that lapses is renewed."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def conferring_module_id(self) -> int:
        """The module whose completion or assessment confers this (select the assessment)."""
        if self.conferred_by_module_id is not None:
            return self.conferred_by_module_id
        return self.conferred_by_assessment.module_id

    @property
    def lapses(self) -> bool:
        return self.validity_days is not None

    def expiry_for(self, granted_on: dt.date) -> dt.date | None:
        """The day a grant made on `granted_on` stops being valid (None: it never lapses)."""
        if self.validity_days is None:
            return None
        return granted_on + dt.timedelta(days=self.validity_days)

    def clean(self):
        errors = {}
        revision_id = self.revision_id
        for field in ("conferred_by_module", "renewed_by_module"):
            module = getattr(self, field)
            if module is not None and module.revision_id != revision_id:
                errors[field] = _("The module must belong to the same revision.")
        for field in ("conferred_by_assessment", "renewed_by_assessment"):
            definition = getattr(self, field)
            if definition is not None and definition.module.revision_id != revision_id:
                errors[field] = _("The assessment must belong to the same revision.")
        if errors:
            raise ValidationError(errors)


class Translation(models.Model):
    """One curriculum text in one of the site's languages other than its source language.

    Presentation, not syllabus: unlike the source text (frozen with its revision) a translation
    may be added or corrected in a published revision, with who and when and its history.
    `source_digest` is the digest of the source text it was made from; when the source changes
    in a draft the two no longer match and the translation is out of date until a translator
    saves it again (`is_current`). Nothing has to run when a source changes, so no write path,
    bulk ones included, can forget to flag it.

    `revision` is the revision the text belongs to (empty for programme and cohort names), so a
    page loads every translation it may show in one query (curriculum/texts.py).
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    item = GenericForeignKey("content_type", "object_id")
    field = models.CharField(_("field"), max_length=40)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    text = models.TextField(_("translation"))
    source_digest = models.CharField(_("source digest"), max_length=64)
    revision = models.ForeignKey(
        ProgrammeRevision,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="translations",
        verbose_name=_("revision"),
    )
    translated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("translated by"),
    )
    translated_at = models.DateTimeField(_("translated at"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("translation")
        verbose_name_plural = _("translations")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "field", "language"],
                name="translation_unique_per_text_and_language",
            ),
            models.CheckConstraint(
                condition=Q(language__in=[code for code, _name in settings.LANGUAGES]),
                name="translation_language_known",
            ),
        ]
        indexes = [models.Index(fields=["revision", "language"], name="translation_revision_lang")]

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.object_id}:{self.field} [{self.language}]"

    def is_current(self, source: str) -> bool:
        """Whether this translation was made from `source` as it is now."""
        return self.source_digest == source_digest(source)


def source_digest(text: str) -> str:
    """The digest a translation keeps of the source text it translates."""
    return hashlib.sha256(text.encode()).hexdigest()


def source_language_of(obj) -> str:
    """The language `obj`'s texts are written in: its programme's source language."""
    if isinstance(obj, Programme):
        return obj.source_language
    revision = obj.owning_revision if isinstance(obj, RevisionContent) else obj.revision
    return revision.programme.source_language


def modules_in_order(modules: Iterable[Module]) -> list[Module]:
    """Modules sorted by category, in the order the categories are listed, then by order."""
    rank = {value: index for index, value in enumerate(Module.Category.values)}
    return sorted(modules, key=lambda m: (rank[m.category], m.order, m.code))


def prerequisite_cycle(links: Iterable[tuple[str, str]]) -> list[str] | None:
    """A cycle among prerequisite links (module code, required module code), or None.

    The cycle is returned as the codes walked, ending where it started (["PC-101", "SO-201",
    "PC-101"]), so that a refusal can name it.
    """
    graph: dict[str, list[str]] = {}
    for module, required in links:
        graph.setdefault(module, []).append(required)
        graph.setdefault(required, [])
    for edges in graph.values():
        edges.sort()
    # Depth-first, iteratively: white (unseen), grey (on the current path), black (done).
    state: dict[str, int] = dict.fromkeys(graph, 0)
    for start in sorted(graph):
        if state[start]:
            continue
        path = [start]
        stack = [iter(graph[start])]
        state[start] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state[nxt] == 1:
                return [*path[path.index(nxt) :], nxt]
            elif state[nxt] == 0:
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(graph[nxt]))
    return None
