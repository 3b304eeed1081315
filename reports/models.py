"""Progress reports: the weekly schedule, each report sent, and on-demand jobs.

A separate app because reports read every other app (trainees' progress, the board, the
curriculum) and nothing reads them: trainees/ stays free of e-mail and PDF jobs.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords


class ReportKind(models.TextChoices):
    TRAINEE_WEEKLY = "trainee_weekly", _("Weekly summary for a trainee")
    TRAINER_DIGEST = "trainer_digest", _("Cohort digest for a trainer")
    PROGRAMME_SUMMARY = "programme_summary", _("Programme summary for an admin")


class Weekday(models.IntegerChoices):
    # The numbers of datetime.date.weekday().
    MONDAY = 0, pgettext_lazy("weekday", "Monday")
    TUESDAY = 1, pgettext_lazy("weekday", "Tuesday")
    WEDNESDAY = 2, pgettext_lazy("weekday", "Wednesday")
    THURSDAY = 3, pgettext_lazy("weekday", "Thursday")
    FRIDAY = 4, pgettext_lazy("weekday", "Friday")
    SATURDAY = 5, pgettext_lazy("weekday", "Saturday")
    SUNDAY = 6, pgettext_lazy("weekday", "Sunday")


class ReportSchedule(models.Model):
    """When the weekly reports go out: one row (pk 1, made by a migration), set by an admin.

    The day and time are each reader's own local time: a trainee in Karachi and a trainer in
    Beijing each get theirs on Monday at 08:00 where they are.
    """

    SINGLETON = 1

    enabled = models.BooleanField(_("send weekly reports"), default=True)
    weekday = models.PositiveSmallIntegerField(
        _("day of the week"), choices=Weekday.choices, default=Weekday.MONDAY
    )
    local_time = models.TimeField(
        _("local time"),
        default=dt.time(8, 0),
        help_text=_("In each reader's own time zone."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Who changed the lead times or the schedule, when, from what.
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("report schedule")
        verbose_name_plural = _("report schedules")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="report_schedule_singleton"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="report_schedule_weekday"),
        ]

    def __str__(self) -> str:
        return str(_("Weekly report schedule"))

    @classmethod
    def load(cls) -> "ReportSchedule":
        """The one schedule (made by migration 0002; made again here if someone deleted it)."""
        return cls.objects.get_or_create(pk=cls.SINGLETON)[0]


def report_schedule_after_migrate(**kwargs):
    ReportSchedule.load()


class ReportSend(models.Model):
    """One report to one reader, claimed before it is sent: the unique key is what makes a
    second run of the same week (or of the same on-demand job) send nothing twice."""

    key = models.CharField(_("key"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=ReportKind.choices)
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reports_received",
        verbose_name=_("reader"),
    )
    claimed_at = models.DateTimeField(_("claimed at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("report sent")
        verbose_name_plural = _("reports sent")
        indexes = [models.Index(fields=["reader", "-claimed_at"])]

    def __str__(self) -> str:
        return self.key


class ReportJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The jobs of the cohorts whose board `user` may see."""
        from trainees.models import Cohort

        return self.filter(cohort__in=Cohort.objects.visible_to(user))


class ReportJob(models.Model):
    """A "send report now" from the cohort board: the digest to each of the cohort's readers,
    its progress kept here so that the board can show it while the worker renders."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RENDERING = "rendering", _("Rendering")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    # The form's one-time key: a double submission finds the job the first one made.
    key = models.UUIDField(_("submission key"), unique=True)
    cohort = models.ForeignKey(
        "trainees.Cohort",
        on_delete=models.CASCADE,
        related_name="report_jobs",
        verbose_name=_("cohort"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="report_jobs",
        verbose_name=_("requested by"),
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    total = models.PositiveIntegerField(_("reports to render"), default=0)
    done = models.PositiveIntegerField(_("reports rendered"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ReportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("report job")
        verbose_name_plural = _("report jobs")
        indexes = [models.Index(fields=["cohort", "-created_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(done__lte=models.F("total")), name="report_job_done")
        ]

    def __str__(self) -> str:
        return f"{self.cohort} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.SENT, self.State.FAILED)
