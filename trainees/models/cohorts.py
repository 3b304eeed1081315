"""Cohorts, their plans and trainers, trainees and their status, revision moves."""

import datetime as dt
from functools import reduce
from operator import or_

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from curriculum.models import (
    Module,
    ProgrammeRevision,
)
from trainees.models.common import _can
from trainingtracker.versioned import CacheVersioned


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


class Cohort(CacheVersioned):
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
    history = HistoricalRecords(m2m_fields=[trainers], excluded_fields=["cache_version"])
    translations = GenericRelation("curriculum.Translation")
    # Its name in the reader's language (curriculum/texts.py). A cohort moves between revisions,
    # so its translation is kept with the names, not with a revision.
    translated_fields = ("name",)
    translation_scoped = False

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

    @property
    def translation_revision_id(self) -> int:
        """Its revision's programme writes the source language of its name."""
        return self.revision_id

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


class Trainee(CacheVersioned):
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
    history = HistoricalRecords(excluded_fields=["cache_version"])

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


class CohortRevisionMoveQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(cohort__in=Cohort.objects.visible_to(user).values("pk"))


class CohortRevisionMove(models.Model):
    """A cohort moved from one published revision of its programme to a newer one.

    The record of who moved it, when and why; the records made under the earlier revision are
    left as they were and count under the new one by module code (`trainees.progress.selectors`).
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
