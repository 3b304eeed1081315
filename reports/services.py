"""Writes of the reports app: claiming and sending one report, on-demand jobs, the schedule."""

import datetime as dt
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation

from accounts.models import Role, User
from notifications.services import notify
from trainees import progress_cache
from trainees.models import Cohort, TraineeStatus
from trainingtracker.mail import automated_headers

from .builders import BUILDERS, reported_progress, reported_trainees
from .models import ReportJob, ReportKind, ReportSchedule, ReportSend


def report_key(*, kind: str, reader: User, week: str) -> str:
    """The one key of a weekly report: `week` is the reader's ISO week, e.g. "2026-W48"."""
    return f"report:{kind}:{reader.pk}:{week}"


def report_notify(*, reader: User, kind: str, key: str, params: dict) -> bool:
    """Hand weekly report `kind` to the delivery layer for `reader`, once per `key`; returns
    whether this call did.

    The ReportSend claim and the notification are written in one transaction, so a second run
    of the week (or an overlapping one) finds the key taken and queues nothing. The delivery
    layer then sends it on the reader's channels (in the application, and by e-mail after
    their quiet hours), building it in their language and time zone at send time, once per
    channel (notifications.services.notify).
    """
    try:
        with transaction.atomic():
            ReportSend.objects.create(key=key, kind=kind, reader=reader)
            notify(recipient=reader, kind=kind, key=key, params=params)
    except IntegrityError:
        return False
    return True


def report_send(*, reader: User, kind: str, key: str, params: dict | None = None) -> bool:
    """Send report `kind` to `reader` now, by e-mail, once per `key`; returns whether this call
    sent it. For "send report now": the person asking waits for it on the page, which shows it
    rendered and sent reader by reader, so it does not wait for quiet hours.

    The ReportSend row is claimed (its key is unique) and committed before anything is sent, so
    a second run, or two overlapping runs, find the key taken and send nothing. If building or
    sending fails the claim is released and the error raised, so a retry sends it.
    """
    try:
        with transaction.atomic():
            claim = ReportSend.objects.create(key=key, kind=kind, reader=reader)
    except IntegrityError:
        return False
    try:
        with translation.override(reader.preferred_language), timezone.override(reader.time_zone):
            report = BUILDERS[kind](reader, params or {})
        message = EmailMultiAlternatives(
            subject=report.subject,
            body=report.text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[reader.email],
            headers=automated_headers(language=reader.preferred_language),
        )
        message.attach_alternative(report.html, "text/html")
        for filename, content, mimetype in report.attachments:
            message.attach(filename, content, mimetype)
        message.send()
    except BaseException:
        claim.delete()
        raise
    ReportSend.objects.filter(pk=claim.pk).update(sent_at=timezone.now())
    return True


# Weekly reports ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueReport:
    reader_id: int
    kind: str
    key: str
    week: str


def iso_week(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_moment(*, schedule: ReportSchedule, now: dt.datetime, zone) -> tuple[str, bool]:
    """The reader's ISO week at `now` in `zone`, and whether the schedule's day and local time
    of that week have come."""
    local = timezone.localtime(now, zone)
    monday = local.date() - dt.timedelta(days=local.weekday())
    due_day = monday + dt.timedelta(days=schedule.weekday)
    due = dt.datetime.combine(due_day, schedule.local_time, tzinfo=zone)
    return iso_week(local.date()), local >= due


def weekly_readers() -> dict[str, list[User]]:
    """Who receives which weekly report: trainers of an open cohort, programme admins, trainees
    in training in an open cohort; active people with an e-mail address only.

    The slowest reports first: a trainer's digest lays out a PDF per cohort (a trainer of 46
    cohorts: ~15 s), so queued first it is built while the other workers go through the
    trainees' reports, instead of being left alone at the end of the run."""
    people = User.objects.filter(is_active=True).exclude(email="").order_by("pk")
    return {
        ReportKind.TRAINER_DIGEST: list(
            people.filter(
                pk__in=Cohort.trainers.through.objects.filter(
                    cohort__closed_on__isnull=True
                ).values("user")
            )
        ),
        ReportKind.PROGRAMME_SUMMARY: list(
            people.filter(groups__name=Role.PROGRAMME_ADMIN.value).distinct()
        ),
        ReportKind.TRAINEE_WEEKLY: list(
            people.filter(
                trainee__status=TraineeStatus.IN_TRAINING,
                trainee__cohort__closed_on__isnull=True,
            )
        ),
    }


def weekly_progress_warm(*, readers: list[User]) -> None:
    """Work out the progress of the trainees among `readers` together, and cache it under the
    versions of each one's rows and day (trainees/progress_cache.py), for their weekly
    reports to read when the delivery layer builds them one at a time: ~9 queries for a chunk
    instead of ~9 per trainee. A write in between raises the trainee's version, and the report
    works its progress out afresh: never stale."""
    zones: dict[str, list[User]] = {}
    for reader in readers:
        zones.setdefault(str(reader.time_zone), []).append(reader)
    for same_zone in zones.values():
        with timezone.override(same_zone[0].time_zone):
            if not progress_cache.enabled():
                return  # no cache: each report works out its own
            reported_progress(reported_trainees(same_zone))


def weekly_reports_due(*, now: dt.datetime | None = None) -> list[DueReport]:
    """The weekly reports whose moment has come in their reader's time zone this week and that
    have not been claimed yet, in `weekly_readers`' order (digests first). A fixed number of
    queries, whatever the number of readers."""
    schedule = ReportSchedule.load()
    if not schedule.enabled:
        return []
    now = now or timezone.now()
    candidates = []
    moments: dict[str, tuple[str, bool]] = {}
    for kind, readers in weekly_readers().items():
        for reader in readers:
            zone = str(reader.time_zone)
            if zone not in moments:
                moments[zone] = week_moment(schedule=schedule, now=now, zone=reader.time_zone)
            week, due = moments[zone]
            if due:
                key = report_key(kind=kind, reader=reader, week=week)
                candidates.append(DueReport(reader_id=reader.pk, kind=kind, key=key, week=week))
    claimed = set(
        ReportSend.objects.filter(key__in=[c.key for c in candidates]).values_list("key", flat=True)
    )
    return [c for c in candidates if c.key not in claimed]


def report_schedule_update(*, schedule: ReportSchedule, enabled: bool, weekday: int, local_time):
    """Set when the weekly reports go out."""
    schedule.enabled = enabled
    schedule.weekday = weekday
    schedule.local_time = local_time
    schedule.full_clean()
    schedule.save()
    return schedule


# On-demand jobs ---------------------------------------------------------------------------------


def report_job_start(*, cohort: Cohort, by: User, key: uuid.UUID) -> ReportJob:
    """Queue the digest of `cohort` for its readers; a second submission with the same form key
    returns the first job and queues nothing."""
    from .tasks import report_job_run

    with transaction.atomic():
        job, created = ReportJob.objects.get_or_create(
            key=key, defaults={"cohort": cohort, "requested_by": by}
        )
        if created:
            report_job_run.delay_on_commit(job.pk)
    return job


def report_job_readers(*, job: ReportJob) -> list[User]:
    """The cohort's trainers and the person who asked, each once, if they have an address."""
    readers = User.objects.filter(is_active=True).exclude(email="")
    trainers = readers.filter(cohorts_trained=job.cohort)
    asker = readers.filter(pk=job.requested_by_id)
    return list((trainers | asker).distinct().order_by("pk"))


def report_job_run(*, job_id: int) -> None:
    """Render and send the digest of the job's cohort to each reader, counting as it goes.

    Idempotent: the job is claimed by a conditional update from "queued", so a redelivered task
    finds it taken; each reader's report has its own claim key, so none goes out twice.
    """
    claimed = ReportJob.objects.filter(pk=job_id, state=ReportJob.State.QUEUED).update(
        state=ReportJob.State.RENDERING
    )
    if not claimed:
        return
    job = ReportJob.objects.select_related("cohort").get(pk=job_id)
    readers = report_job_readers(job=job)
    ReportJob.objects.filter(pk=job_id).update(total=len(readers))
    try:
        for reader in readers:
            report_send(
                reader=reader,
                kind=ReportKind.TRAINER_DIGEST,
                key=f"report:{ReportKind.TRAINER_DIGEST}:{reader.pk}:job-{job_id}",
                params={"cohort": job.cohort_id},
            )
            ReportJob.objects.filter(pk=job_id).update(done=F("done") + 1)
    except Exception as exc:
        ReportJob.objects.filter(pk=job_id).update(
            state=ReportJob.State.FAILED, error=str(exc)[:1000], finished_at=timezone.now()
        )
        raise
    ReportJob.objects.filter(pk=job_id).update(
        state=ReportJob.State.SENT, finished_at=timezone.now()
    )
