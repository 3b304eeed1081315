"""Celery tasks of the reports: thin, by id, each idempotent through the claims of services."""

from celery import shared_task

from accounts.models import User

from . import services
from .models import ReportKind

# Readers per chunk task: one slow report holds up at most this many, never the whole week.
CHUNK = 50


@shared_task
def weekly_reports_send() -> int:
    """Hourly (CELERY_BEAT_SCHEDULE): find the weekly reports now due and not yet claimed, and
    queue them in chunks; returns how many were queued.

    Idempotent: it only reads; the chunks claim each report before sending, so a second run
    (or a chunk queued twice) sends nothing twice.
    """
    due = services.weekly_reports_due()
    for start in range(0, len(due), CHUNK):
        weekly_reports_chunk.delay(
            [[d.reader_id, d.kind, d.key, d.week] for d in due[start : start + CHUNK]]
        )
    return len(due)


@shared_task(acks_late=True)
def weekly_reports_chunk(items: list[list]) -> int:
    """Queue one chunk of weekly reports for delivery: items are [reader id, kind, key, ISO
    week]. Returns how many it queued. Idempotent per item (`services.report_notify` claims the
    key first); building and sending each one is the delivery layer's task, so one slow report
    holds up no other. The trainees' progress is worked out for the chunk at once and cached
    for those reports (`services.weekly_progress_warm`)."""
    readers = User.objects.in_bulk([item[0] for item in items])
    services.weekly_progress_warm(
        readers=[
            readers[reader_id]
            for reader_id, kind, *_ in items
            if kind == ReportKind.TRAINEE_WEEKLY and reader_id in readers
        ]
    )
    queued = 0
    for reader_id, kind, key, week in items:
        reader = readers.get(reader_id)
        if reader is not None:
            queued += services.report_notify(
                reader=reader, kind=kind, key=key, params={"week": week}
            )
    return queued


@shared_task(acks_late=True)
def report_job_run(job_id: int) -> None:
    """Run one "send report now" job. Idempotent: see `services.report_job_run`."""
    services.report_job_run(job_id=job_id)
