"""Assessment attempts, their signatures, amendments and allowances, competency grades and
qualification grants."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from curriculum.models import (
    GRADE_MAX,
    GRADE_MIN,
    AssessmentDefinition,
    Competency,
    Module,
    Qualification,
)
from trainees.models.cohorts import Trainee, TraineeRecordQuerySet
from trainees.models.sessions import PastImport, SessionAttendance

# The method of a signature made by confirming an import of past records
# (trainees.imports.services), after the signer proved who they are by `IMPORT_METHOD:<method>`.
IMPORT_METHOD = "import"


class SignatureMeaning(models.TextChoices):
    """What a signature on an assessment result attests (21 CFR Part 11 asks for the meaning)."""

    ASSESSED = "assessed", _("I assessed this attempt and this is a true record of it.")
    AMENDMENT = "amendment", _("I approve this amended record of the attempt.")
    IMPORTED = "imported", _("I import this result from the programme's earlier records.")


def signature_method_label(method: str) -> str:
    """How a signer was authenticated, in words: their password typed again, or a fresh sign-in
    at a single sign-on provider (`oidc:<provider>`, named as settings.OIDC_PROVIDERS names it
    today, or by its key once it is gone)."""
    if method == "password":
        return str(_("password typed again"))
    if method.startswith(f"{IMPORT_METHOD}:"):
        return str(
            _("an import of earlier records, confirmed by %(method)s")
            % {"method": signature_method_label(method.removeprefix(f"{IMPORT_METHOD}:"))}
        )
    if method.startswith("oidc:"):
        key = method.removeprefix("oidc:")
        label = settings.OIDC_PROVIDERS.get(key, {}).get("label", key)
        return str(_("a fresh sign-in at %(provider)s") % {"provider": label})
    return method


class AssessmentResult(models.Model):
    """One attempt at an assessment: its score, whether it passed, who assessed and signed it.

    `passed` is computed by the services from the definition (`AssessmentDefinition.outcome`),
    never typed. One row per attempt: a second result for the same attempt is refused.
    """

    definition = models.ForeignKey(
        AssessmentDefinition,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assessment"),
    )
    trainee = models.ForeignKey(
        Trainee, on_delete=models.PROTECT, related_name="results", verbose_name=_("trainee")
    )
    attempt = models.PositiveSmallIntegerField(_("attempt"), validators=[MinValueValidator(1)])
    taken_at = models.DateTimeField(_("taken at"))
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=1, null=True, blank=True)
    passed = models.BooleanField(_("passed"))
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="results_assessed",
        verbose_name=_("assessor"),
    )
    remarks = models.TextField(_("remarks"), blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="results_signed",
        verbose_name=_("signed by"),
    )
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    signature_meaning = models.CharField(
        _("meaning of the signature"), max_length=20, choices=SignatureMeaning.choices, blank=True
    )
    # How the signer proved who they were when signing: "password", or "oidc:<provider>" for a
    # fresh sign-in at a single sign-on provider (trainees.assessments.services.Signature).
    signature_method = models.CharField(
        _("signer authenticated by"), max_length=40, blank=True, editable=False
    )
    debrief_acknowledged_at = models.DateTimeField(
        _("debrief acknowledged at"), null=True, blank=True
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    # Set on a result a file of the programme's past brought in (signed `IMPORTED`).
    import_batch = models.ForeignKey(
        PastImport,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="results",
        verbose_name=_("imported from"),
    )

    objects = TraineeRecordQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assessment result")
        verbose_name_plural = _("assessment results")
        ordering = ["-taken_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["trainee", "definition", "attempt"],
                name="result_one_per_attempt",
                violation_error_message=_("This attempt already has a result."),
            ),
            models.CheckConstraint(condition=Q(attempt__gte=1), name="result_attempt_positive"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0), name="result_score_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(signed_by__isnull=True, signed_at__isnull=True, signature_meaning="")
                | Q(signed_by__isnull=False, signed_at__isnull=False) & ~Q(signature_meaning=""),
                name="result_signature_complete",
            ),
            models.CheckConstraint(
                condition=Q(signed_at__isnull=True, signature_method="")
                | Q(signed_at__isnull=False) & ~Q(signature_method=""),
                name="result_signature_method_recorded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.trainee}: {self.definition.code} #{self.attempt}"

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

    @property
    def signature_method_label(self) -> str:
        return signature_method_label(self.signature_method)


class ResultRecordQuerySet(TraineeRecordQuerySet):
    trainee_path = "result__trainee"


class AssessmentAmendment(models.Model):
    """A change to a signed result: why, by whom, and the values it replaced.

    The result itself holds the new values, unsigned until an authorised assessor signs again.
    `previous` keeps the replaced score, outcome, remarks, grades and signature as they were, so
    the history never hides an earlier value.
    """

    result = models.ForeignKey(
        AssessmentResult,
        on_delete=models.PROTECT,
        related_name="amendments",
        verbose_name=_("assessment result"),
    )
    reason = models.TextField(_("reason"))
    amended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("amended by"),
    )
    amended_at = models.DateTimeField(_("amended at"), default=timezone.now)
    previous = models.JSONField(_("previous values"))

    objects = ResultRecordQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")
        ordering = ["result", "-amended_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="amendment_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.result}: {self.amended_at:%Y-%m-%d}"


class AssessmentAllowance(models.Model):
    """A programme admin's reasoned exception for one trainee and assessment: one extra attempt,
    or a prerequisite module waived. Part of the trainee's record."""

    class Kind(models.TextChoices):
        EXTRA_ATTEMPT = "extra_attempt", _("Extra attempt")
        PREREQUISITE_WAIVER = "waiver", _("Prerequisite waived")

    trainee = models.ForeignKey(
        Trainee, on_delete=models.PROTECT, related_name="allowances", verbose_name=_("trainee")
    )
    definition = models.ForeignKey(
        AssessmentDefinition,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assessment"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    prerequisite = models.ForeignKey(
        Module,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("prerequisite waived"),
    )
    reason = models.TextField(_("reason"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("granted by"),
    )
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)

    objects = TraineeRecordQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assessment allowance")
        verbose_name_plural = _("assessment allowances")
        ordering = ["trainee", "-granted_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="allowance_has_reason"),
            models.CheckConstraint(
                condition=Q(kind="extra_attempt", prerequisite__isnull=True)
                | Q(kind="waiver", prerequisite__isnull=False),
                name="allowance_waiver_names_module",
            ),
            models.UniqueConstraint(
                fields=["trainee", "definition", "prerequisite"],
                condition=Q(kind="waiver"),
                name="allowance_waiver_once",
                violation_error_message=_("This prerequisite is already waived."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.trainee}: {self.get_kind_display()} ({self.definition.code})"


class CompetencyGradeQuerySet(models.QuerySet):
    def visible_to(self, user):
        trainees = Trainee.objects.visible_to(user).values("pk")
        return self.filter(Q(attendance__trainee__in=trainees) | Q(result__trainee__in=trainees))


class CompetencyGrade(models.Model):
    """A 1-5 grade of one competency, observed at a session or in an assessment.

    An empty grade means "not observed": it is not a low grade and is never averaged as one.
    """

    competency = models.ForeignKey(
        Competency, on_delete=models.PROTECT, related_name="+", verbose_name=_("competency")
    )
    attendance = models.ForeignKey(
        SessionAttendance,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grades",
        verbose_name=_("attendance"),
    )
    result = models.ForeignKey(
        AssessmentResult,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grades",
        verbose_name=_("assessment result"),
    )
    grade = models.PositiveSmallIntegerField(
        _("grade"),
        null=True,
        blank=True,
        validators=[MinValueValidator(GRADE_MIN), MaxValueValidator(GRADE_MAX)],
        help_text=_("1 unsafe or ineffective, 3 adequate, 5 exemplary; empty: not observed."),
    )
    remarks = models.TextField(_("remarks"), blank=True)

    objects = CompetencyGradeQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("competency grade")
        verbose_name_plural = _("competency grades")
        constraints = [
            models.CheckConstraint(
                condition=Q(grade__isnull=True) | Q(grade__gte=GRADE_MIN, grade__lte=GRADE_MAX),
                name="grade_1_to_5_or_not_observed",
                violation_error_message=_("A grade is from 1 to 5, or not observed."),
            ),
            models.CheckConstraint(
                condition=Q(attendance__isnull=False, result__isnull=True)
                | Q(attendance__isnull=True, result__isnull=False),
                name="grade_from_attendance_or_result",
            ),
            models.UniqueConstraint(
                fields=["attendance", "competency"],
                condition=Q(attendance__isnull=False),
                name="grade_once_per_attendance",
            ),
            models.UniqueConstraint(
                fields=["result", "competency"],
                condition=Q(result__isnull=False),
                name="grade_once_per_result",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.competency.code}: {self.grade if self.grade else '-'}"

    def clean(self):
        if self.attendance_id:
            module_id = self.attendance.session.module_id
        elif self.result_id:
            module_id = self.result.definition.module_id
        else:
            return
        if self.competency_id and self.competency.module_id != module_id:
            raise ValidationError(
                {"competency": _("The competency must belong to the module that was trained.")}
            )

    @property
    def observed(self) -> bool:
        return self.grade is not None


class Currency(models.TextChoices):
    """Where a qualification stands on a given day."""

    VALID = "valid", _("Valid")
    EXPIRING = "expiring", _("Expiring soon")
    IN_GRACE = "in_grace", _("In grace period")
    EXPIRED = "expired", _("Expired")


class QualificationGrant(models.Model):
    """A qualification held by a trainee from a day, until it expires (if it lapses at all)."""

    trainee = models.ForeignKey(
        Trainee, on_delete=models.PROTECT, related_name="grants", verbose_name=_("trainee")
    )
    qualification = models.ForeignKey(
        Qualification, on_delete=models.PROTECT, related_name="+", verbose_name=_("qualification")
    )
    granted_on = models.DateField(_("granted on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    result = models.ForeignKey(
        AssessmentResult,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grants",
        verbose_name=_("from assessment result"),
    )
    attendance = models.ForeignKey(
        SessionAttendance,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grants",
        verbose_name=_("from drill attendance"),
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("granted by"),
    )
    # A grant is never deleted: when the result behind it is amended to a fail, or awaits a new
    # signature, it is suspended here and counts for nothing.
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.TextField(_("reason for revoking"), blank=True)

    objects = TraineeRecordQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("qualification grant")
        verbose_name_plural = _("qualification grants")
        ordering = ["-granted_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["trainee", "qualification", "granted_on"], name="grant_once_a_day"
            ),
            models.UniqueConstraint(
                fields=["result", "qualification"],
                condition=Q(result__isnull=False),
                name="grant_once_per_result",
            ),
            models.UniqueConstraint(
                fields=["attendance", "qualification"],
                condition=Q(attendance__isnull=False),
                name="grant_once_per_attendance",
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gt=models.F("granted_on")),
                name="grant_expires_after_granted",
            ),
            models.CheckConstraint(
                condition=Q(result__isnull=True) | Q(attendance__isnull=True),
                name="grant_from_one_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.trainee}: {self.qualification.code} ({self.granted_on})"

    def currency(self, on: dt.date) -> Currency:
        """Valid, expiring within the warning window, in its grace period, or expired."""
        if self.expires_on is None:
            return Currency.VALID
        if on < self.expires_on:
            warn = dt.timedelta(days=max(settings.QUALIFICATION_WARNING_DAYS))
            return Currency.EXPIRING if self.expires_on - on <= warn else Currency.VALID
        grace_end = self.expires_on + dt.timedelta(days=self.qualification.grace_days)
        return Currency.IN_GRACE if on < grace_end else Currency.EXPIRED
