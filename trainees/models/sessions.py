"""Training sessions, who attended them, and the log a trainer drafts on the floor."""

from decimal import ROUND_HALF_UP, Decimal
from functools import reduce
from operator import or_

from django.conf import settings
from django.contrib.postgres.fields import RangeOperators
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Exists, Max, OuterRef, Q, Subquery
from django.db.models.signals import m2m_changed
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from curriculum.models import (
    Module,
)
from trainees.models.cohorts import (
    Cohort,
    Trainee,
    TraineeRecordQuerySet,
    _check_module_in_cohort_revision,
)
from trainees.models.common import HOUR, _can
from trainees.models.resources import Resource
from trainingtracker.constraints import PostgresExclusionConstraint, TsTzRange


def _no_overlap(*, name: str, who: str, condition: Q) -> PostgresExclusionConstraint:
    """No two rows with the same `who` over overlapping times (half-open: a session may start
    as the one before it ends), on PostgreSQL; the service checks it on SQLite."""
    return PostgresExclusionConstraint(
        name=name,
        expressions=[
            (who, RangeOperators.EQUAL),
            (TsTzRange("starts_at", "ends_at"), RangeOperators.OVERLAPS),
        ],
        condition=condition,
    )


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


class _Booking(models.Model):
    """A session's hold on a person or a resource, with a copy of the session's times and
    whether it is scheduled: the row the no-overlap constraint needs. The copies are filled in
    as rows are added (`bookings_fill`, whatever adds them) and kept in step when the session
    is saved (`TrainingSession.bookings_follow`); the constraint reads a row once it has them."""

    session = models.ForeignKey(
        "TrainingSession", on_delete=models.CASCADE, related_name="+", verbose_name=_("session")
    )
    starts_at = models.DateTimeField(_("starts at"), null=True)
    ends_at = models.DateTimeField(_("ends at"), null=True)
    scheduled = models.BooleanField(_("scheduled"), default=True)

    class Meta:
        abstract = True


class SessionTrainee(_Booking):
    """A trainee expected at a session: in at most one scheduled session at a time."""

    trainee = models.ForeignKey(
        Trainee, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("trainee")
    )

    class Meta:
        verbose_name = _("expected trainee")
        verbose_name_plural = _("expected trainees")
        indexes = [models.Index(fields=["trainee", "starts_at"], name="booking_trainee_start")]
        constraints = [
            models.UniqueConstraint(fields=["session", "trainee"], name="booking_trainee_once"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="booking_trainee_times"
            ),
            _no_overlap(
                name="booking_trainee_not_double_booked",
                who="trainee",
                condition=Q(scheduled=True, starts_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.trainee} @ {self.session_id}"


class SessionResource(_Booking):
    """A resource a session books. `exclusive` copies the resource's capacity of 1: then the
    database refuses a second scheduled session over the same time (PostgreSQL); a larger
    resource is counted by the service under a lock on the resource."""

    resource = models.ForeignKey(
        Resource, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("resource")
    )
    exclusive = models.BooleanField(_("one session at a time"), default=True)

    class Meta:
        verbose_name = _("booked resource")
        verbose_name_plural = _("booked resources")
        indexes = [models.Index(fields=["resource", "starts_at"], name="booking_resource_start")]
        constraints = [
            models.UniqueConstraint(fields=["session", "resource"], name="booking_resource_once"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="booking_resource_times"
            ),
            _no_overlap(
                name="booking_resource_not_double_booked",
                who="resource",
                condition=Q(scheduled=True, exclusive=True, starts_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource} @ {self.session_id}"


def bookings_fill(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """Booking rows just added (`session.trainees.add`, `.set`, the reverse side, a through
    model's bulk_create followed by nothing) take their session's times and state, and a
    resource's row whether it takes one session at a time, in one UPDATE. Connected before the
    history's own handler, so that the history records the filled rows."""
    if action != "post_add":
        return
    rows = sender.objects.filter(starts_at__isnull=True)
    rows = rows.filter(session__in=pk_set) if reverse else rows.filter(session=instance)
    session = TrainingSession.objects.filter(pk=OuterRef("session_id"))
    filled = {
        "starts_at": Subquery(session.values("starts_at")),
        "ends_at": Subquery(session.values("ends_at")),
        "scheduled": Exists(session.filter(status=SessionStatus.SCHEDULED)),
    }
    if sender is SessionResource:
        filled["exclusive"] = Exists(
            Resource.objects.filter(pk=OuterRef("resource_id"), capacity=1)
        )
    rows.update(**filled)


m2m_changed.connect(bookings_fill, sender=SessionTrainee, dispatch_uid="bookings_fill_trainee")
m2m_changed.connect(bookings_fill, sender=SessionResource, dispatch_uid="bookings_fill_resource")


WEEKDAY_NAMES = [
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
]


class SessionSeries(models.Model):
    """A repeating session: the same module for a cohort, led by one trainer, on some days of
    the week at the same time of day, for a number of weeks (physical conditioning three times
    a week for twelve weeks). Its occurrences are ordinary sessions (`TrainingSession.series`),
    written together once every one of them is free; each is then moved or cancelled on its
    own, or all of them from a date on. The pattern is kept as it was typed, in the time zone
    of the person who typed it, so that an occurrence keeps its wall-clock time across a change
    of summer time."""

    MAX_WEEKS = 104
    MAX_OCCURRENCES = 150

    cohort = models.ForeignKey(
        Cohort, on_delete=models.PROTECT, related_name="series", verbose_name=_("cohort")
    )
    module = models.ForeignKey(
        Module, on_delete=models.PROTECT, related_name="+", verbose_name=_("module")
    )
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("trainer"),
    )
    first_day = models.DateField(_("first day"))
    weeks = models.PositiveSmallIntegerField(_("weeks"))
    # The days of the week as bits, Monday 1, Tuesday 2, ... Sunday 64: 21 is Mon, Wed, Fri.
    weekdays = models.PositiveSmallIntegerField(_("days of the week"))
    starts_at_time = models.TimeField(_("starts at"))
    ends_at_time = models.TimeField(_("ends at"))
    time_zone = models.CharField(_("time zone"), max_length=64)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("series of sessions")
        verbose_name_plural = _("series of sessions")
        ordering = ["-first_day", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weeks__gte=1, weeks__lte=104), name="series_weeks_range"
            ),
            models.CheckConstraint(
                condition=Q(weekdays__gte=1, weekdays__lte=127), name="series_weekdays_known"
            ),
            models.CheckConstraint(
                condition=Q(ends_at_time__gt=models.F("starts_at_time")),
                name="series_ends_after_start",
                violation_error_message=_("An occurrence must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.module.code} x{self.weeks}w {self.first_day:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("trainees:series_detail", args=[self.pk])

    @property
    def weekday_numbers(self) -> list[int]:
        """The days of the week it repeats on, Monday 0 to Sunday 6."""
        return [day for day in range(7) if self.weekdays & (1 << day)]

    @property
    def weekday_names(self) -> list[str]:
        return [str(WEEKDAY_NAMES[day]) for day in self.weekday_numbers]


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
    resources = models.ManyToManyField(
        Resource,
        through=SessionResource,
        related_name="sessions",
        blank=True,
        verbose_name=_("resources"),
        help_text=_("The places and devices it books: simulators, the pool, a classroom."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SCHEDULED
    )
    notes = models.TextField(_("notes"), blank=True)
    trainees = models.ManyToManyField(
        "Trainee",
        through=SessionTrainee,
        related_name="sessions_expected",
        blank=True,
        verbose_name=_("expected trainees"),
        help_text=_("Who is expected: the log lists them."),
    )
    cancellation_reason = models.TextField(_("reason for cancelling"), blank=True)
    series = models.ForeignKey(
        SessionSeries,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="occurrences",
        verbose_name=_("series"),
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = TrainingSessionQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[trainees, resources])

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
            _no_overlap(
                name="session_trainer_not_double_booked",
                who="trainer",
                condition=Q(status=SessionStatus.SCHEDULED),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.module.code} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        self.clean_credited_hours()
        super().save(*args, **kwargs)
        self.bookings_follow()

    def get_absolute_url(self) -> str:
        return reverse("trainees:session_detail", args=[self.pk])

    def bookings_follow(self) -> None:
        """The booking rows keep the session's times and whether it is scheduled: the database's
        no-overlap constraints read them there (`SessionTrainee`, `SessionResource`)."""
        booked = {
            "starts_at": self.starts_at,
            "ends_at": self.ends_at,
            "scheduled": self.status == SessionStatus.SCHEDULED,
        }
        stale = ~Q(starts_at=self.starts_at) | ~Q(ends_at=self.ends_at)
        stale |= ~Q(scheduled=booked["scheduled"])
        SessionTrainee.objects.filter(stale, session=self).update(**booked)
        SessionResource.objects.filter(stale, session=self).update(**booked)

    @property
    def length_hours(self) -> Decimal:
        """The session's length in hours."""
        return Decimal((self.ends_at - self.starts_at).total_seconds()) / HOUR

    @property
    def creditable_hours(self) -> Decimal:
        """The most hours an attendee may be credited: the length, to the stored precision."""
        return self.length_hours.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    def hours_credit_refusal(self, hours: Decimal | None) -> str | None:
        """The rule for credited hours, in one place: no more than the session lasts. Why
        `hours` breaks it, or None. The log (`session_log`) asks it of every line before
        saving; `SessionAttendance.clean` of one row; `clean_credited_hours` of the stored rows
        when the session's times change. A database constraint cannot compare two tables, so
        `save()` of both models asks it too, as the backstop for writes that skip the services."""
        if hours is not None and hours > self.creditable_hours:
            return _("No more than the session lasted (%(hours)s hours) can be credited.") % {
                "hours": self.creditable_hours
            }
        return None

    def clean(self):
        _check_module_in_cohort_revision(self)
        self.clean_credited_hours()

    def clean_credited_hours(self):
        """Shortening a session may not leave anyone credited more hours than it now lasts
        (`hours_credit_refusal`, asked of the most credited attendee)."""
        if (
            self.pk is not None
            and self.starts_at
            and self.ends_at
            and self.ends_at > self.starts_at
            and self.hours_credit_refusal(
                self.attendances.aggregate(most=Max("hours_credited"))["most"]
            )
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
        if self.session_id and (refusal := self.session.hours_credit_refusal(self.hours_credited)):
            raise ValidationError({"hours_credited": refusal})


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
