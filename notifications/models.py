"""Notifications, their per-channel deliveries, the reminders' lead times, the calendar feed's
tokens and the record of each scheduled job's runs.

A notification is recorded once per unique `key`; each channel's delivery is a row with a unique
key of its own, claimed by a conditional UPDATE before anything is sent (see
`notifications.services.delivery_claim`), so that overlapping workers, redelivered tasks and
repeated sweeps never send twice.
"""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A person's notifications are their own, shown once delivered in the application."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(recipient=user, shown_at__isnull=False)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One thing to tell one person, recorded once per `key` whoever finds it and however often.

    `params` hold what the kind's renderer needs (JSON), so the text is written at read or send
    time in the reader's current language, from the row alone.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=50)
    key = models.CharField(_("key"), max_length=200, unique=True)
    params = models.JSONField(_("parameters"), default=dict)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # When the in-application delivery made it visible; null while it is pending or when the
    # person has turned the application channel off.
    shown_at = models.DateTimeField(_("shown at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
        ]

    def __str__(self) -> str:
        return self.key


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In the application")
    EMAIL = "email", _("E-mail")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    SKIPPED = "skipped", _("Skipped")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    """One notification on one channel. Sent only by whoever claimed it (status SENDING with a
    fresh `claimed_at`); a claim older than the lease is presumed dead and may be claimed again.
    """

    Status = DeliveryStatus

    notification = models.ForeignKey(
        Notification,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("notification"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    key = models.CharField(_("key"), max_length=220, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    not_before = models.DateTimeField(_("not before"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-pk"]
        indexes = [models.Index(fields=["status", "not_before"], name="delivery_due_idx")]
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="delivery_once"),
            models.CheckConstraint(
                condition=Q(status__in=DeliveryStatus.values), name="delivery_status_known"
            ),
            models.CheckConstraint(
                condition=~Q(status="sending") | Q(claimed_at__isnull=False),
                name="delivery_sending_is_claimed",
            ),
        ]

    def __str__(self) -> str:
        return self.key


def _default_qualification_days() -> list[int]:
    return sorted(settings.QUALIFICATION_WARNING_DAYS, reverse=True)


class ReminderSettings(models.Model):
    """The reminders' lead times, one row for the site, edited by programme admins.

    Made by a data migration (and again after a test-database flush), with the settings'
    QUALIFICATION_WARNING_DAYS as its first qualification lead times.
    """

    session_hours = models.PositiveSmallIntegerField(
        _("session reminder, hours before"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 14)],
        help_text=_("The trainer and the expected trainees are reminded this long before."),
    )
    qualification_days = models.JSONField(
        _("qualification expiry, days before"),
        default=_default_qualification_days,
        help_text=_("Each holder is reminded this many days before expiry, and on the day."),
    )
    assessment_due_days = models.PositiveSmallIntegerField(
        _("assessment due, days before"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_(
            "A trainee is reminded of an assessment not yet passed this long before the "
            "cohort plan's due date, and again once it is overdue."
        ),
    )
    pending_days = models.PositiveSmallIntegerField(
        _("signature or debrief waiting, days"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_(
            "An assessor is reminded of a result left unsigned, and a trainee of a debrief "
            "not acknowledged, after this many days."
        ),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Who changed the lead times or the schedule, when, from what.
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("reminder settings")
        verbose_name_plural = _("reminder settings")
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="reminder_settings_single")]

    def __str__(self) -> str:
        return str(_("Reminder settings"))

    @classmethod
    def load(cls) -> "ReminderSettings":
        settings_row, _created = cls.objects.get_or_create(pk=1)
        return settings_row


def reminder_settings_after_migrate(**kwargs):
    ReminderSettings.load()


def _new_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class CalendarToken(models.Model):
    """The secret in a person's calendar feed URL: the only way into the tracker without signing
    in. Revocable; regenerating revokes the old one. At most one is active per person."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_tokens",
        verbose_name=_("person"),
    )
    token = models.CharField(_("token"), max_length=64, unique=True, default=_new_token)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = CalendarTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("calendar token")
        verbose_name_plural = _("calendar tokens")
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(revoked_at__isnull=True), name="calendar_token_one"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.created_at:%Y-%m-%d})"


class JobRun(models.Model):
    """One run of a scheduled job: when it started and ended, and how (ok, or failed and why)."""

    class Outcome(models.TextChoices):
        RUNNING = "running", _("Running")
        OK = "ok", _("OK")
        FAILED = "failed", _("Failed")

    job = models.CharField(_("job"), max_length=100)
    task_id = models.CharField(_("task id"), max_length=100, unique=True)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.RUNNING
    )
    detail = models.TextField(_("detail"), blank=True)

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["job", "-started_at"], name="jobrun_latest_idx")]

    def __str__(self) -> str:
        return f"{self.job} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def duration(self):
        return self.finished_at - self.started_at if self.finished_at else None
