"""The cohort board's "send report now": the button, then the job's progress without a reload."""

import uuid

from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from reports.models import ReportJob


def _signed_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def test_the_board_sends_the_report_and_shows_it_sent(
    page, live_server, world, trainer, settings, mailoutbox, console_errors
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    ReportJob.objects.all().delete()
    _signed_in(page, live_server, trainer)
    page.goto(live_server.url + reverse("trainees:cohort_board", args=[world["cohort_a"].pk]))
    page.get_by_role("button", name="Send report now").click()
    expect(page.locator("#report-job")).to_contain_text("Report sent to 1 reader")
    assert ReportJob.objects.get().state == ReportJob.State.SENT
    assert len(mailoutbox) == 1
    assert console_errors == []


def test_the_board_follows_a_running_job_until_it_is_sent(
    page, live_server, world, trainer, console_errors
):
    ReportJob.objects.all().delete()
    job = ReportJob.objects.create(
        key=uuid.uuid4(),
        cohort=world["cohort_a"],
        requested_by=trainer,
        state=ReportJob.State.RENDERING,
        total=2,
        done=1,
    )
    _signed_in(page, live_server, trainer)
    page.goto(live_server.url + reverse("trainees:cohort_board", args=[world["cohort_a"].pk]))
    status = page.locator("#report-job")
    expect(status).to_contain_text("Rendering 1 of 2")
    ReportJob.objects.filter(pk=job.pk).update(
        state=ReportJob.State.SENT, done=2, finished_at=timezone.now()
    )
    # The fragment asks again every 2 seconds: the page changes without a reload.
    expect(status).to_contain_text("Report sent to 2 readers", timeout=6000)
    expect(status).not_to_have_attribute("hx-trigger", "every 2s")
    assert console_errors == []
