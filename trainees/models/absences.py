"""Notices of absence: a trainee tells ahead that they will miss a session, and why."""

from functools import reduce
from operator import or_

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from trainees.models.cohorts import Cohort, Trainee
from trainees.models.common import _can
from trainees.models.sessions import TrainingSession

# Given when a second notice for the same session races the first (the service's refusal).
NOTICE_GIVEN = _("You have already given notice for this session.")


class AbsenceNoticeQuerySet(models.QuerySet):
    def visible_to(self, user):
        """As the sessions: programme admins and the medical officer every notice; a trainer
        those of the cohorts they train and of the sessions they lead; a trainee their own."""
        if _can(user, "manage_people") or _can(user, "manage_medical"):
            return self.all()
        scopes = []
        if _can(user, "log_training"):
            trained = Cohort.trainers.through.objects.filter(user=user).values("cohort")
            scopes.append(Q(session__cohort__in=trained) | Q(session__trainer=user))
        if _can(user, "view_own_progress"):
            scopes.append(Q(trainee__user=user))
        return self.filter(reduce(or_, scopes)) if scopes else self.none()

    def standing(self):
        """The notices not withdrawn: what the log and the timetables go by."""
        return self.filter(withdrawn_at__isnull=True)


def notice_open(session: TrainingSession) -> bool:
    """The rule of when: notice is given, and withdrawn, only for a scheduled session that has
    not started (`absences.services.notice_refusal` says why not; the session's page asks it
    before offering the link)."""
    return session.status == TrainingSession.Status.SCHEDULED and session.starts_at > timezone.now()


class AbsenceCategory(models.TextChoices):
    MEDICAL_APPOINTMENT = "medical_appointment", _("Medical appointment")
    ILLNESS = "illness", _("Illness")
    DUTY = "duty", _("Duty elsewhere")
    TRAVEL = "travel", _("Travel")
    PERSONAL = "personal", _("Personal reasons")
    OTHER = "other", _("Other")


class AbsenceNotice(models.Model):
    """A trainee's word, given before a scheduled session starts, that they will miss it, with
    the reason. The trainer sees it on the timetable and the session's page; the log opens
    with the trainee excused. Withdrawn rather than deleted, so what was said stays on record;
    at most one notice stands per trainee and session (a double submit makes no second)."""

    Category = AbsenceCategory

    REASON_MAX = 500

    session = models.ForeignKey(
        TrainingSession,
        on_delete=models.PROTECT,
        related_name="absence_notices",
        verbose_name=_("session"),
    )
    trainee = models.ForeignKey(
        Trainee,
        on_delete=models.PROTECT,
        related_name="absence_notices",
        verbose_name=_("trainee"),
    )
    category = models.CharField(_("kind of reason"), max_length=30, choices=Category.choices)
    reason = models.CharField(_("reason"), max_length=REASON_MAX)
    created_at = models.DateTimeField(_("given at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("given by"),
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )

    objects = AbsenceNoticeQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("notice of absence")
        verbose_name_plural = _("notices of absence")
        ordering = ["session", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "trainee"],
                condition=Q(withdrawn_at__isnull=True),
                name="absence_notice_once",
                violation_error_message=NOTICE_GIVEN,
            ),
            models.CheckConstraint(
                condition=Q(category__in=AbsenceCategory.values),
                name="absence_notice_category_known",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="absence_notice_reason_given"),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True, withdrawn_by__isnull=True)
                | Q(withdrawn_at__isnull=False, withdrawn_by__isnull=False),
                name="absence_notice_withdrawn_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.trainee} @ {self.session_id} ({self.category})"

    @property
    def is_standing(self) -> bool:
        return self.withdrawn_at is None
