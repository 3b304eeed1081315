"""Reads: the reminders that are due, a person's calendar, the scheduled jobs' last runs.

The reminder rules (each keyed so that it is recorded once, however often the sweep runs):
- a scheduled session starting within `session_hours`: its trainer and expected trainees;
- an assessment not yet passed (signed) in a module the cohort plan has due within
  `assessment_due_days`: the trainee; once the due date has passed: the trainee and the
  cohort's trainers. "Passed" and "due" are the progress rules' (`trainees.progress.selectors`);
- a current qualification grant expiring: its holder, at each of `qualification_days` before
  and on the day (only the nearest lead time reached, so a late sweep sends one, not three);
- a result unsigned for `pending_days`: its assessor; a signed result whose debrief is not
  acknowledged `pending_days` after signing: the trainee.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, Max, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from trainees.models import (
    AssessmentResult,
    Cohort,
    QualificationGrant,
    SessionStatus,
    Trainee,
    TrainingSession,
)
from trainees.progress.selectors import trainees_progress

from .models import JobRun, ReminderSettings


@dataclass(frozen=True)
class Reminder:
    recipient_id: int
    kind: str
    key: str
    params: dict


def reminders_due(*, now: dt.datetime | None = None) -> list[Reminder]:
    """Every reminder due at `now` (default: now) by the lead times in ReminderSettings."""
    now = now or timezone.now()
    lead = ReminderSettings.load()
    today = timezone.localdate(now)
    return [
        *_sessions_upcoming(now, lead.session_hours),
        *_assessments_due(today, lead.assessment_due_days),
        *_qualifications_expiring(today, lead.qualification_days),
        *_results_pending(now, lead.pending_days),
    ]


def _sessions_upcoming(now: dt.datetime, hours: int) -> list[Reminder]:
    sessions = (
        TrainingSession.objects.filter(
            status=SessionStatus.SCHEDULED,
            starts_at__gt=now,
            starts_at__lte=now + dt.timedelta(hours=hours),
        )
        .select_related("module")
        .prefetch_related("trainees", "resources")
    )
    reminders = []
    for session in sessions:
        params = {
            "module_code": session.module.code,
            "module_title": session.module.title,
            "module_id": session.module_id,
            "starts_at": session.starts_at.isoformat(),
            "location": ", ".join(str(r) for r in session.resources.all()),
            "url": session.get_absolute_url(),
        }
        # Keyed by the start time too: a session moved to another day is reminded again.
        stamp = session.starts_at.strftime("%Y%m%dT%H%M")
        people = {session.trainer_id, *(t.user_id for t in session.trainees.all())}
        reminders += [
            Reminder(user_id, "session_upcoming", f"session:{session.pk}:{stamp}:{user_id}", params)
            for user_id in sorted(people)
        ]
    return reminders


def _assessments_due(today: dt.date, days: int) -> list[Reminder]:
    trainees = list(
        Trainee.objects.filter(
            status=Trainee.Status.IN_TRAINING, cohort__closed_on__isnull=True
        ).select_related("user", "cohort")
    )
    trainers: dict[int, list[int]] = defaultdict(list)
    for cohort_id, user_id in Cohort.trainers.through.objects.filter(
        cohort_id__in={t.cohort_id for t in trainees}
    ).values_list("cohort_id", "user_id"):
        trainers[cohort_id].append(user_id)
    reminders = []
    for progress in trainees_progress(trainees=trainees, on=today):
        trainee = progress.trainee
        for module in progress.modules:
            if module.due_on is None or module.due_on - today > dt.timedelta(days=days):
                continue
            for definition in module.assessments:
                if definition in module.passed:
                    continue
                params = {
                    "code": definition.code,
                    "title": definition.title,
                    "definition_id": definition.pk,
                    "due_on": module.due_on.isoformat(),
                    "trainee": str(trainee.user),
                    "url": reverse("trainees:trainee_detail", args=[trainee.pk]),
                }
                base = f"{definition.pk}:{trainee.pk}:{module.due_on.isoformat()}"
                if module.due_on >= today:
                    params["url"] = reverse("trainees:trainee_home")
                    reminders.append(
                        Reminder(trainee.user_id, "assessment_due", f"due:{base}", params)
                    )
                    continue
                overdue = [trainee.user_id, *trainers[trainee.cohort_id]]
                reminders += [
                    Reminder(user_id, "assessment_overdue", f"overdue:{base}:{user_id}", params)
                    for user_id in overdue
                ]
    return reminders


def _qualifications_expiring(today: dt.date, lead_days: list[int]) -> list[Reminder]:
    thresholds = sorted({*lead_days, 0})
    latest = QualificationGrant.objects.filter(
        trainee=OuterRef("trainee"), qualification__code=OuterRef("qualification__code")
    ).order_by("-granted_on", "-pk")
    grants = (
        QualificationGrant.objects.filter(
            revoked_at__isnull=True,
            expires_on__gte=today,
            expires_on__lte=today + dt.timedelta(days=max(thresholds)),
            trainee__status=Trainee.Status.IN_TRAINING,
        )
        # Only the holder's latest grant of the qualification: a renewed one is not expiring.
        .filter(pk=Subquery(latest.filter(revoked_at__isnull=True).values("pk")[:1]))
        .select_related("trainee", "qualification")
    )
    reminders = []
    for grant in grants:
        left = (grant.expires_on - today).days
        # The nearest lead time reached: at 20 days left the 30-day one, at 5 the 7-day one.
        threshold = min(t for t in thresholds if t >= left)
        params = {
            "code": grant.qualification.code,
            "title": grant.qualification.title,
            "qualification_id": grant.qualification_id,
            "expires_on": grant.expires_on.isoformat(),
            "on": (grant.expires_on - dt.timedelta(days=threshold)).isoformat(),
            "url": reverse("trainees:trainee_home"),
        }
        reminders.append(
            Reminder(
                grant.trainee.user_id,
                "qualification_expiring",
                f"qualification:{grant.pk}:{grant.expires_on.isoformat()}:{threshold}",
                params,
            )
        )
    return reminders


def _results_pending(now: dt.datetime, days: int) -> list[Reminder]:
    cutoff = now - dt.timedelta(days=days)
    reminders = []
    results = AssessmentResult.objects.filter(
        trainee__status=Trainee.Status.IN_TRAINING
    ).select_related("definition", "trainee__user")
    for result in results.filter(signed_at__isnull=True, taken_at__lte=cutoff):
        params = {
            "code": result.definition.code,
            "title": result.definition.title,
            "definition_id": result.definition_id,
            "trainee": str(result.trainee.user),
            "taken_at": result.taken_at.isoformat(),
            "url": reverse("trainees:result_detail", args=[result.pk]),
        }
        # Keyed by the version: an amended result waiting for its new signature is reminded.
        key = f"signature:{result.pk}:{result.version}"
        reminders.append(Reminder(result.assessor_id, "signature_pending", key, params))
    for result in results.filter(signed_at__lte=cutoff, debrief_acknowledged_at__isnull=True):
        params = {
            "code": result.definition.code,
            "title": result.definition.title,
            "definition_id": result.definition_id,
            "url": reverse("trainees:result_detail", args=[result.pk]),
        }
        key = f"debrief:{result.pk}:{result.version}"
        reminders.append(Reminder(result.trainee.user_id, "debrief_pending", key, params))
    return reminders


# The calendar feed ------------------------------------------------------------------------------


def calendar_sessions(*, user) -> list[TrainingSession]:
    """The sessions `user` leads or is expected at, from 90 days back, cancelled ones included
    (the feed marks them cancelled, so phones drop them)."""
    since = timezone.now() - dt.timedelta(days=90)
    led = TrainingSession.objects.filter(trainer=user, starts_at__gte=since)
    expected = TrainingSession.objects.filter(trainees__user=user, starts_at__gte=since)
    return list(
        (led | expected)
        .distinct()
        .select_related("module", "cohort")
        .prefetch_related("resources")
        .order_by("starts_at")
    )


def calendar_resource_sessions(*, user, resource) -> list[TrainingSession]:
    """The sessions booking `resource` from 90 days back, cancelled ones included, each with
    `openable`: whether `user` may open it (the resource's page shows every booking, and links
    those)."""
    since = timezone.now() - dt.timedelta(days=90)
    visible = TrainingSession.objects.visible_to(user)
    return list(
        TrainingSession.objects.filter(resources=resource, starts_at__gte=since)
        .annotate(openable=Exists(visible.filter(pk=OuterRef("pk"))))
        .select_related("module", "cohort")
        .prefetch_related("resources")
        .order_by("starts_at", "pk")
    )


def calendar_expiries(*, user) -> list[QualificationGrant]:
    """The expiry date of each qualification `user` holds (their latest, unrevoked grant)."""
    latest: dict[str, QualificationGrant] = {}
    for grant in (
        QualificationGrant.objects.filter(
            trainee__user=user, revoked_at__isnull=True, expires_on__isnull=False
        )
        .select_related("qualification")
        .order_by("granted_on", "pk")
    ):
        latest[grant.qualification.code] = grant
    return sorted(latest.values(), key=lambda grant: grant.expires_on)


# Scheduled jobs --------------------------------------------------------------------------------


@dataclass
class JobStatus:
    name: str
    task: str
    schedule: object
    last_run: JobRun | None

    @property
    def every_minutes(self) -> int | None:
        """The interval in minutes, for a schedule given as a timedelta (None for crontabs)."""
        if isinstance(self.schedule, dt.timedelta):
            return int(self.schedule.total_seconds() // 60)
        return None


def jobs_status() -> list[JobStatus]:
    """Each job of CELERY_BEAT_SCHEDULE with its latest recorded run, in two queries."""
    schedule = settings.CELERY_BEAT_SCHEDULE
    tasks = {entry["task"] for entry in schedule.values()}
    latest_ids = (
        JobRun.objects.filter(job__in=tasks)
        .values("job")
        .annotate(latest=Max("pk"))
        .values_list("latest", flat=True)
    )
    runs = {run.job: run for run in JobRun.objects.filter(pk__in=list(latest_ids))}
    return [
        JobStatus(name, entry["task"], entry["schedule"], runs.get(entry["task"]))
        for name, entry in sorted(schedule.items())
    ]


def job_runs(*, task: str, limit: int = 20) -> list[JobRun]:
    return list(JobRun.objects.filter(job=task)[:limit])
