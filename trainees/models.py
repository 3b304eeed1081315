"""Training records: what happened to whom, made against the curriculum's definitions.

Every record model keeps its history, and every query a view makes goes through the model's
`visible_to(user)`, the one access gate:
- a programme admin sees the training records of everyone and the medical records of no one;
- the medical officer sees the medical records of everyone and the training records read-only;
- a trainer sees the trainees of the cohorts they train;
- a trainee sees only themselves.
Physiological measurements follow DOMAIN.md: the trainee, their trainers and the medical officer.
"""

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import reduce
from operator import or_

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from curriculum.models import (
    GRADE_MAX,
    GRADE_MIN,
    AssessmentDefinition,
    Competency,
    Module,
    ProgrammeRevision,
    Qualification,
)

HOUR = Decimal(3600)


def _can(user, capability: str) -> bool:
    return user.is_authenticated and user.is_active and user.has_perm(f"accounts.{capability}")


def _check_module_in_cohort_revision(record) -> None:
    """A plan entry or a session names a module of the revision its cohort is pinned to."""
    if (
        record.cohort_id
        and record.module_id
        and record.module.revision_id != record.cohort.revision_id
    ):
        raise ValidationError(
            {"module": _("The module must belong to the cohort's programme revision.")}
        )


# Cohorts ---------------------------------------------------------------------------------------


class CohortQuerySet(models.QuerySet):
    def visible_to(self, user):
        if _can(user, "manage_people") or _can(user, "manage_medical"):
            return self.all()
        scopes = []
        if _can(user, "log_training"):
            scopes.append(
                Q(pk__in=Cohort.trainers.through.objects.filter(user=user).values("cohort"))
            )
        if _can(user, "view_own_progress"):
            scopes.append(Q(pk__in=Trainee.objects.filter(user=user).values("cohort")))
        return self.filter(reduce(or_, scopes)) if scopes else self.none()

    def trained_by(self, user):
        """The cohorts whose training `user` may record: those they train; programme admins
        (who log training too) every cohort."""
        if not _can(user, "log_training"):
            return self.none()
        if _can(user, "manage_people"):
            return self.all()
        return self.filter(
            pk__in=Cohort.trainers.through.objects.filter(user=user).values("cohort")
        )


class Cohort(models.Model):
    """A group that trains together on one revision of the programme, with its trainers."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    revision = models.ForeignKey(
        ProgrammeRevision,
        on_delete=models.PROTECT,
        related_name="cohorts",
        verbose_name=_("programme revision"),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("planned end"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="cohorts_trained",
        blank=True,
        verbose_name=_("trainers"),
    )

    objects = CohortQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[trainers])

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")),
                name="cohort_ends_after_start",
                violation_error_message=_("The planned end must come after the start."),
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("starts_on")),
                name="cohort_closed_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.revision_id and not self.revision.is_published:
            raise ValidationError(
                {"revision": _("A cohort trains on a published revision of the programme.")}
            )

    def week_start(self, week: int) -> dt.date:
        """The first day of the plan's week `week` (week 1 starts on the cohort's first day)."""
        return self.starts_on + dt.timedelta(weeks=week - 1)


class CohortPlanEntry(models.Model):
    """When the cohort is planned to take a module: the pace and due dates are read from it."""

    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="plan", verbose_name=_("cohort")
    )
    module = models.ForeignKey(
        Module, on_delete=models.PROTECT, related_name="+", verbose_name=_("module")
    )
    start_week = models.PositiveSmallIntegerField(
        _("first week"), validators=[MinValueValidator(1)]
    )
    end_week = models.PositiveSmallIntegerField(_("last week"), validators=[MinValueValidator(1)])

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("plan entry")
        verbose_name_plural = _("cohort plan")
        ordering = ["cohort", "start_week", "module__order"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "module"], name="plan_module_once"),
            models.CheckConstraint(condition=Q(start_week__gte=1), name="plan_start_week_positive"),
            models.CheckConstraint(
                condition=Q(end_week__gte=models.F("start_week")),
                name="plan_end_not_before_start",
                violation_error_message=_("The last week cannot come before the first."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cohort}: {self.module.code} ({self.start_week}-{self.end_week})"

    def clean(self):
        _check_module_in_cohort_revision(self)

    @property
    def due_on(self) -> dt.date:
        """The last day of the planned weeks: the module should be complete by then."""
        return self.cohort.week_start(self.end_week) + dt.timedelta(days=6)


# Trainees --------------------------------------------------------------------------------------


class TraineeQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Training records: admins and the medical officer all; trainers their cohorts; a
        trainee themselves."""
        if _can(user, "manage_people") or _can(user, "manage_medical"):
            return self.all()
        return self._scoped(user)

    def physiology_visible_to(self, user):
        """Physiological data: the trainee, their trainers and the medical officer only."""
        if _can(user, "manage_medical"):
            return self.all()
        return self._scoped(user)

    def _scoped(self, user):
        scopes = []
        if _can(user, "log_training"):
            trained = Cohort.trainers.through.objects.filter(user=user).values("cohort")
            scopes.append(Q(cohort__in=trained))
        if _can(user, "view_own_progress"):
            scopes.append(Q(user=user))
        return self.filter(reduce(or_, scopes)) if scopes else self.none()


class TraineeStatus(models.TextChoices):
    IN_TRAINING = "in_training", _("In training")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    GRADUATED = "graduated", _("Graduated")
    FLIGHT_ASSIGNED = "flight_assigned", _("Assigned to a flight")


class Trainee(models.Model):
    """A person in training: their cohort, agency, crew role and where they stand."""

    class Agency(models.TextChoices):
        CMSA = "cmsa", _("China Manned Space Agency (CMSA)")
        SUPARCO = "suparco", _("Pakistan Space and Upper Atmosphere Research Commission (SUPARCO)")

    class Nationality(models.TextChoices):
        CHINA = "CN", _("China")
        PAKISTAN = "PK", _("Pakistan")

    class CrewRole(models.TextChoices):
        COMMANDER = "commander", _("Commander")
        FLIGHT_ENGINEER = "flight_engineer", _("Flight engineer")
        PAYLOAD_SPECIALIST = "payload_specialist", _("Payload specialist")

    Status = TraineeStatus

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="trainee",
        verbose_name=_("person"),
    )
    cohort = models.ForeignKey(
        Cohort, on_delete=models.PROTECT, related_name="trainees", verbose_name=_("cohort")
    )
    agency = models.CharField(_("agency"), max_length=20, choices=Agency.choices)
    nationality = models.CharField(_("nationality"), max_length=2, choices=Nationality.choices)
    crew_role = models.CharField(_("crew role"), max_length=30, choices=CrewRole.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.IN_TRAINING
    )
    status_since = models.DateField(_("status since"), default=timezone.localdate)

    objects = TraineeQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("trainee")
        verbose_name_plural = _("trainees")
        ordering = ["user__display_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=TraineeStatus.values),
                name="trainee_status_known",
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)

    @property
    def revision(self) -> ProgrammeRevision:
        return self.cohort.revision


class TraineeRecordQuerySet(models.QuerySet):
    """Records of one trainee each: visible wherever their trainee is."""

    trainee_path = "trainee"

    def visible_to(self, user):
        return self.filter(
            **{f"{self.trainee_path}__in": Trainee.objects.visible_to(user).values("pk")}
        )


class TraineeStatusChange(models.Model):
    """One dated, reasoned change of a trainee's status: the status history."""

    trainee = models.ForeignKey(
        Trainee, on_delete=models.PROTECT, related_name="status_changes", verbose_name=_("trainee")
    )
    status = models.CharField(_("status"), max_length=20, choices=Trainee.Status.choices)
    effective_on = models.DateField(_("effective on"))
    reason = models.TextField(_("reason"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = TraineeRecordQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["trainee", "-effective_on", "-recorded_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="status_change_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.trainee}: {self.get_status_display()} ({self.effective_on})"


# Training sessions -----------------------------------------------------------------------------


class TrainingSessionQuerySet(models.QuerySet):
    def visible_to(self, user):
        if _can(user, "manage_people") or _can(user, "manage_medical"):
            return self.all()
        scopes = []
        if _can(user, "log_training"):
            trained = Cohort.trainers.through.objects.filter(user=user).values("cohort")
            scopes.append(Q(cohort__in=trained) | Q(trainer=user))
        if _can(user, "view_own_progress"):
            scopes.append(Q(cohort__in=Trainee.objects.filter(user=user).values("cohort")))
        return self.filter(reduce(or_, scopes)) if scopes else self.none()

    def loggable_by(self, user):
        """Sessions `user` may schedule, change, cancel and log: of the cohorts they train (a
        session they lead for another cohort they may see, not record for its trainees)."""
        return self.filter(cohort__in=Cohort.objects.trained_by(user).values("pk"))


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class TrainingSession(models.Model):
    """A scheduled or held session of one module for a cohort, led by a trainer.

    Sessions are never deleted: a cancelled one keeps its record. `version` lets a save refuse
    to overwrite what another trainer saved meanwhile.
    """

    Status = SessionStatus

    cohort = models.ForeignKey(
        Cohort, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("cohort")
    )
    module = models.ForeignKey(
        Module, on_delete=models.PROTECT, related_name="+", verbose_name=_("module")
    )
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="sessions_led",
        verbose_name=_("trainer"),
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    location = models.CharField(_("location"), max_length=200)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SCHEDULED
    )
    notes = models.TextField(_("notes"), blank=True)
    trainees = models.ManyToManyField(
        "Trainee",
        related_name="sessions_expected",
        blank=True,
        verbose_name=_("expected trainees"),
        help_text=_("Who is expected: the log lists them."),
    )
    cancellation_reason = models.TextField(_("reason for cancelling"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = TrainingSessionQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[trainees])

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["cohort", "starts_at"], name="session_cohort_start_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="session_ends_after_start",
                violation_error_message=_("A session must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=SessionStatus.values),
                name="session_status_known",
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancellation_reason=""),
                name="session_cancelled_with_reason",
                violation_error_message=_("Give the reason for cancelling."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.module.code} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        self.clean_credited_hours()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("trainees:session_detail", args=[self.pk])

    @property
    def length_hours(self) -> Decimal:
        """The session's length in hours."""
        return Decimal((self.ends_at - self.starts_at).total_seconds()) / HOUR

    @property
    def creditable_hours(self) -> Decimal:
        """The most hours an attendee may be credited: the length, to the stored precision."""
        return self.length_hours.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    def clean(self):
        _check_module_in_cohort_revision(self)
        self.clean_credited_hours()

    def clean_credited_hours(self):
        """Shortening a session may not leave anyone credited more hours than it now lasts."""
        if (
            self.pk is not None
            and self.starts_at
            and self.ends_at
            and self.ends_at > self.starts_at
            and self.attendances.filter(hours_credited__gt=self.creditable_hours).exists()
        ):
            raise ValidationError(
                {
                    "ends_at": _(
                        "Some attendees are credited more hours than the session would last."
                    )
                }
            )


class SessionAttendance(models.Model):
    """Whether a trainee attended a session, the hours it credits them, and the trainer's remarks.

    The hours can never exceed the session's length; the database cannot compare two tables in a
    check, so `save()` refuses it here (see `clean`), and `TrainingSession.save()` refuses to
    shorten a session below the hours already credited.
    """

    class Attendance(models.TextChoices):
        PRESENT = "present", _("Present")
        LATE = "late", _("Late")
        ABSENT = "absent", _("Absent")
        EXCUSED = "excused", _("Excused")

    session = models.ForeignKey(
        TrainingSession,
        on_delete=models.PROTECT,
        related_name="attendances",
        verbose_name=_("session"),
    )
    trainee = models.ForeignKey(
        Trainee, on_delete=models.PROTECT, related_name="attendances", verbose_name=_("trainee")
    )
    attendance = models.CharField(_("attendance"), max_length=10, choices=Attendance.choices)
    hours_credited = models.DecimalField(
        _("hours credited"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0))],
    )
    remarks = models.TextField(_("remarks"), blank=True)

    objects = TraineeRecordQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        ordering = ["session", "trainee__user__display_name"]
        constraints = [
            models.UniqueConstraint(fields=["session", "trainee"], name="attendance_once"),
            models.CheckConstraint(
                condition=Q(hours_credited__gte=0), name="attendance_hours_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(attendance__in=["present", "late"]) | Q(hours_credited=0),
                name="attendance_absent_credits_nothing",
                violation_error_message=_("An absent trainee is credited no hours."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.trainee} @ {self.session}"

    def save(self, *args, **kwargs):
        self.clean()
        super().save(*args, **kwargs)

    def clean(self):
        if (
            self.session_id
            and self.hours_credited is not None
            and self.hours_credited > self.session.creditable_hours
        ):
            raise ValidationError(
                {
                    "hours_credited": _(
                        "No more than the session lasted (%(hours)s hours) can be credited."
                    )
                    % {"hours": self.session.creditable_hours}
                }
            )


class SessionLogDraftQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A draft is its author's alone, and only while they may still see the session."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            author=user, session__in=TrainingSession.objects.visible_to(user).values("pk")
        )


class SessionLogDraft(models.Model):
    """A half-filled session log, saved as the trainer types, so that a lost connection or an
    expired sign-in loses nothing. It is not a record: the log is saved whole or not at all, and
    the draft is dropped when it is."""

    session = models.ForeignKey(
        TrainingSession,
        on_delete=models.CASCADE,
        related_name="log_drafts",
        verbose_name=_("session"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("author"),
    )
    data = models.JSONField(_("form data"))
    saved_at = models.DateTimeField(_("saved at"), auto_now=True)

    objects = SessionLogDraftQuerySet.as_manager()

    class Meta:
        verbose_name = _("session log draft")
        verbose_name_plural = _("session log drafts")
        constraints = [
            models.UniqueConstraint(fields=["session", "author"], name="log_draft_once"),
        ]

    def __str__(self) -> str:
        return f"{self.session} ({self.author})"


class SubmissionKey(models.Model):
    """The one-time key of a submitted form: a second submission of the same form finds its key
    taken and creates nothing twice. Claimed in the same transaction as the write it guards."""

    key = models.UUIDField(_("key"), primary_key=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("by")
    )
    made_at = models.DateTimeField(_("made at"), auto_now_add=True)
    target = models.CharField(_("saved record"), max_length=200)

    class Meta:
        verbose_name = _("submission key")
        verbose_name_plural = _("submission keys")

    def __str__(self) -> str:
        return str(self.key)


# Assessments and grades ------------------------------------------------------------------------


class SignatureMeaning(models.TextChoices):
    """What a signature on an assessment result attests (21 CFR Part 11 asks for the meaning)."""

    ASSESSED = "assessed", _("I assessed this attempt and this is a true record of it.")
    AMENDMENT = "amendment", _("I approve this amended record of the attempt.")


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
    debrief_acknowledged_at = models.DateTimeField(
        _("debrief acknowledged at"), null=True, blank=True
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

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
        ]

    def __str__(self) -> str:
        return f"{self.trainee}: {self.definition.code} #{self.attempt}"

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


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


# Qualifications --------------------------------------------------------------------------------


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


# Measurements ----------------------------------------------------------------------------------


class MeasurementQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(trainee__in=Trainee.objects.physiology_visible_to(user).values("pk"))


class Metric(models.TextChoices):
    VO2MAX = "vo2max", _("VO2max")
    RESTING_HEART_RATE = "resting_heart_rate", _("Resting heart rate")
    BODY_MASS = "body_mass", _("Body mass")
    GRIP_STRENGTH = "grip_strength", _("Grip strength")
    AGILITY_TIME = "agility_time", _("Agility run time")
    G_TOLERANCE = "g_tolerance", _("G-tolerance")
    SWIM_TIME = "swim_time", _("Swim time, 3 x 25 m")


# Unit and physiological range of each metric; a value outside it is a typing error.
METRIC_SPECS: dict[str, tuple[str, Decimal, Decimal]] = {
    Metric.VO2MAX: ("ml/kg/min", Decimal(15), Decimal(90)),
    Metric.RESTING_HEART_RATE: ("bpm", Decimal(30), Decimal(120)),
    Metric.BODY_MASS: ("kg", Decimal(35), Decimal(150)),
    Metric.GRIP_STRENGTH: ("kg", Decimal(10), Decimal(100)),
    Metric.AGILITY_TIME: ("s", Decimal(5), Decimal(60)),
    Metric.G_TOLERANCE: ("g", Decimal(1), Decimal(12)),
    Metric.SWIM_TIME: ("s", Decimal(30), Decimal(600)),
}


class Measurement(models.Model):
    """A physiological or fitness measurement, in the metric's fixed unit."""

    Metric = Metric

    SPECS = METRIC_SPECS

    trainee = models.ForeignKey(
        Trainee, on_delete=models.PROTECT, related_name="measurements", verbose_name=_("trainee")
    )
    metric = models.CharField(_("metric"), max_length=30, choices=Metric.choices)
    value = models.DecimalField(_("value"), max_digits=7, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=20, editable=False)
    taken_at = models.DateTimeField(_("taken at"))
    attendance = models.ForeignKey(
        SessionAttendance,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="measurements",
        verbose_name=_("taken at session"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    objects = MeasurementQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        ordering = ["-taken_at"]
        indexes = [models.Index(fields=["trainee", "metric", "taken_at"], name="measurement_idx")]
        constraints = [
            models.CheckConstraint(
                # One branch per metric: its unit and its physiological range.
                condition=reduce(
                    or_,
                    (
                        Q(metric=metric, unit=unit, value__gte=low, value__lte=high)
                        for metric, (unit, low, high) in METRIC_SPECS.items()
                    ),
                ),
                name="measurement_unit_and_range",
                violation_error_message=_("This value is outside the metric's possible range."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.trainee}: {self.get_metric_display()} {self.value} {self.unit}"

    def save(self, *args, **kwargs):
        # The unit follows from the metric; it is stored so that exports need no lookup table.
        self.unit = self.SPECS[self.metric][0]
        super().save(*args, **kwargs)

    def clean(self):
        if self.metric in self.SPECS and self.value is not None:
            unit, low, high = self.SPECS[self.metric]
            if not low <= self.value <= high:
                raise ValidationError(
                    {
                        "value": _("Expected between %(low)s and %(high)s %(unit)s.")
                        % {"low": low, "high": high, "unit": unit}
                    }
                )


# Medical ---------------------------------------------------------------------------------------


class MedicalHoldQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The full record, reason included: medical officers only."""
        return self.all() if _can(user, "manage_medical") else self.none()

    def status_visible_to(self, user):
        """That a hold exists and its dates, for whoever sees the trainee; never the reason."""
        return self.filter(trainee__in=Trainee.objects.visible_to(user).values("pk")).values(
            "pk", "trainee_id", "opened_on", "closed_on"
        )

    def open(self):
        return self.filter(closed_on__isnull=True)


class MedicalHold(models.Model):
    """A period in which a trainee may not be assigned to a flight, for a medical reason.

    A record rather than a status, so that the opening, the closing and who did each are kept.
    Only medical officers read the reason; everyone else sees "medical hold" and the dates.
    """

    trainee = models.ForeignKey(
        Trainee, on_delete=models.PROTECT, related_name="medical_holds", verbose_name=_("trainee")
    )
    opened_on = models.DateField(_("opened on"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("opened by"),
    )
    reason = models.TextField(_("reason"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    closing_note = models.TextField(_("closing note"), blank=True)

    objects = MedicalHoldQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("medical hold")
        verbose_name_plural = _("medical holds")
        ordering = ["-opened_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["trainee"],
                condition=Q(closed_on__isnull=True),
                name="medical_hold_one_open",
                violation_error_message=_("This trainee already has an open medical hold."),
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("opened_on")),
                name="medical_hold_closed_after_opened",
                violation_error_message=_("A hold cannot close before it opened."),
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True, closed_by__isnull=True)
                | Q(closed_on__isnull=False, closed_by__isnull=False),
                name="medical_hold_closed_by_whom",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="medical_hold_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.trainee}: {self.opened_on}"

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


# Cohort revision moves (issue 6) ---------------------------------------------------------------


class CohortRevisionMoveQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(cohort__in=Cohort.objects.visible_to(user).values("pk"))


class CohortRevisionMove(models.Model):
    """A cohort moved from one published revision of its programme to a newer one.

    The record of who moved it, when and why; the records made under the earlier revision are
    left as they were and count under the new one by module code (`trainees.selectors`).
    """

    cohort = models.ForeignKey(
        Cohort, on_delete=models.PROTECT, related_name="revision_moves", verbose_name=_("cohort")
    )
    from_revision = models.ForeignKey(
        ProgrammeRevision,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("from revision"),
    )
    to_revision = models.ForeignKey(
        ProgrammeRevision,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("to revision"),
    )
    reason = models.TextField(_("reason"))
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("moved by"),
    )
    moved_at = models.DateTimeField(_("moved at"), default=timezone.now)

    objects = CohortRevisionMoveQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("revision move")
        verbose_name_plural = _("revision moves")
        ordering = ["cohort", "-moved_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_revision=models.F("to_revision")),
                name="revision_move_changes_revision",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="revision_move_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.cohort}: {self.from_revision.number} → {self.to_revision.number}"


# Medical certificates (issue 9) ----------------------------------------------------------------


class CertificateKind(models.TextChoices):
    """The certificates a trainee must hold, current, to be ready for flight assignment."""

    MEDICAL = "medical", _("Medical certificate")
    FITNESS = "fitness", _("Fitness certificate")


@dataclass(frozen=True)
class CertificateLack:
    """A certificate that does not count on a given day: never issued, or expired on a day."""

    kind: str
    expired_on: dt.date | None = None

    @property
    def kind_label(self) -> str:
        return CertificateKind(self.kind).label


class MedicalCertificateQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The full record (examiner, restrictions): medical officers only."""
        return self.all() if _can(user, "manage_medical") else self.none()

    def latest_expiries(self, *, trainees, on: dt.date) -> dict[int, dict[str, dt.date]]:
        """trainee id -> certificate kind -> the latest expiry of those issued by `on`. One
        query for any number of trainees."""
        latest: dict[int, dict[str, dt.date]] = {}
        for trainee_id, kind, expires_on in self.filter(
            trainee__in=trainees, issued_on__lte=on
        ).values_list("trainee_id", "kind", "expires_on"):
            by_kind = latest.setdefault(trainee_id, {})
            by_kind[kind] = max(expires_on, by_kind.get(kind, expires_on))
        return latest

    def lacking(self, *, trainee, on: dt.date) -> list[CertificateLack]:
        """The certificate kinds `trainee` holds no current certificate of on day `on`."""
        latest = self.latest_expiries(trainees=[trainee], on=on)
        return certificates_lacking(latest.get(trainee.pk, {}), on)


def certificates_lacking(latest: dict[str, dt.date], on: dt.date) -> list[CertificateLack]:
    """The rule: a kind is lacking when none was issued, or the latest expired by `on` (a
    certificate is current from its issue up to the day before its expiry)."""
    lacking = []
    for kind in CertificateKind.values:
        if kind not in latest:
            lacking.append(CertificateLack(kind))
        elif latest[kind] <= on:
            lacking.append(CertificateLack(kind, latest[kind]))
    return lacking


class MedicalCertificate(models.Model):
    """A medical or fitness certificate of a trainee, valid from its issue to its expiry day.

    The examiner and any restrictions are medical information: only medical officers read them
    (`visible_to`). Everyone who sees the trainee's readiness learns only whether a current
    certificate of each kind is held.
    """

    Kind = CertificateKind

    trainee = models.ForeignKey(
        Trainee,
        on_delete=models.PROTECT,
        related_name="medical_certificates",
        verbose_name=_("trainee"),
    )
    kind = models.CharField(_("certificate"), max_length=20, choices=Kind.choices)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(
        _("expires on"), help_text=_("The first day on which the certificate no longer counts.")
    )
    examiner = models.CharField(
        _("examiner"),
        max_length=200,
        help_text=_("Who examined the trainee and issued the certificate."),
    )
    restrictions = models.TextField(
        _("restrictions and notes"),
        blank=True,
        help_text=_("Limitations the certificate carries, if any. Medical officers only."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = MedicalCertificateQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("medical certificate")
        verbose_name_plural = _("medical certificates")
        ordering = ["trainee", "kind", "-issued_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=CertificateKind.values), name="certificate_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(expires_on__gt=models.F("issued_on")),
                name="certificate_expires_after_issue",
                violation_error_message=_("A certificate must expire after the day it is issued."),
            ),
            # Also what makes a double submission of the form record nothing twice.
            models.UniqueConstraint(
                fields=["trainee", "kind", "issued_on"],
                name="certificate_once_a_day",
                violation_error_message=_(
                    "A certificate of this kind issued on this day is already recorded."
                ),
            ),
            models.CheckConstraint(condition=~Q(examiner=""), name="certificate_has_examiner"),
        ]

    def __str__(self) -> str:
        return f"{self.trainee}: {self.get_kind_display()} ({self.issued_on})"

    def is_current(self, on: dt.date) -> bool:
        return self.issued_on <= on < self.expires_on


class ProgressGeneration(models.Model):
    """One row: a number that every committed write to what progress is computed from raises
    (`trainees.progress_cache`), so a cached summary keyed by it is never read after the write.

    `epoch` is new in every database, so that two databases sharing one cache (a restored
    backup, a test database) never read each other's entries."""

    SINGLETON = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON, editable=False)
    epoch = models.UUIDField(_("epoch"), default=uuid.uuid4, editable=False)
    counter = models.BigIntegerField(_("counter"), default=0)

    class Meta:
        verbose_name = _("progress generation")
        verbose_name_plural = _("progress generations")

    def __str__(self) -> str:
        return f"{self.epoch}:{self.counter}"
