"""The record of each scheduled job's runs (JobRun), written from Celery's task signals for every
task named in CELERY_BEAT_SCHEDULE, so that a job needs no code of its own to be recorded."""

from celery.signals import task_failure, task_prerun, task_success
from django.conf import settings
from django.utils import timezone

from .models import JobRun


def _scheduled(task) -> bool:
    return task is not None and task.name in {
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }


@task_prerun.connect(dispatch_uid="notifications_job_started")
def job_started(task_id=None, task=None, **kwargs):
    if _scheduled(task):
        JobRun.objects.update_or_create(
            task_id=task_id,
            defaults={"job": task.name, "started_at": timezone.now(), "detail": ""},
        )


@task_success.connect(dispatch_uid="notifications_job_succeeded")
def job_succeeded(sender=None, result=None, **kwargs):
    if _scheduled(sender):
        JobRun.objects.filter(task_id=sender.request.id).update(
            finished_at=timezone.now(), outcome=JobRun.Outcome.OK, detail=str(result)[:2000]
        )


@task_failure.connect(dispatch_uid="notifications_job_failed")
def job_failed(sender=None, task_id=None, exception=None, **kwargs):
    if _scheduled(sender):
        JobRun.objects.filter(task_id=task_id).update(
            finished_at=timezone.now(), outcome=JobRun.Outcome.FAILED, detail=repr(exception)
        )
