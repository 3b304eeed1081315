"""Progress reports: the three builders in English, Urdu and Chinese, the weekly job
that sends once per reader and week, and "send report now" from the cohort board.

Ayesha (`trainee`, Urdu, cohort A on a medical hold), Li Hao (`trainer` of cohort A; made
Chinese-speaking here), Chen Jing (`programme_admin`).
"""

import csv
import datetime as dt
import io
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify

from notifications import delivery
from notifications.models import Notification
from notifications.services import NOTIFICATION_KEY_HEADER
from reports import builders, services, tasks
from reports.models import ReportJob, ReportKind, ReportSchedule, ReportSend
from tests.factories import TrainingSessionFactory
from tests.pdf import pdf_text
from tests.test_page_queries import grow
from trainees.models import QualificationGrant

pytestmark = pytest.mark.django_db

# A Monday; the schedule's default is Monday 08:00 in each reader's zone.
MONDAY_NOON_UTC = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def chinese_trainer(trainer):
    trainer.preferred_language = "zh-hans"
    trainer.native_name = "李浩"
    trainer.save()
    return trainer


def _build(kind, reader, params=None):
    """Build as report_send does: in the reader's language and time zone."""
    with translation.override(reader.preferred_language), timezone.override(reader.time_zone):
        return builders.BUILDERS[kind](reader, params or {})


def _attachments(message):
    return {name: (content, mimetype) for name, content, mimetype in message.attachments}


# The builders ---------------------------------------------------------------------------------


def test_it_builds_the_trainee_summary_in_urdu(world, trainee):
    trainee_a = world["trainee_a"]
    module = world["module"]
    session = TrainingSessionFactory(
        cohort=trainee_a.cohort,
        module=module,
        starts_at=timezone.now() + dt.timedelta(days=2),
        status="scheduled",
    )
    session.trainees.add(trainee_a)
    report = _build(ReportKind.TRAINEE_WEEKLY, trainee)
    assert 'lang="ur"' in report.html
    assert 'dir="rtl"' in report.html
    assert "Ayesha Khan" in report.text
    assert module.code in report.text  # what is next: the session of the coming week
    assert report.url == reverse("trainees:trainee_detail", args=[trainee_a.pk])
    assert report.attachments == ()


def test_it_shows_times_in_the_readers_time_zone(world, trainee, time_machine):
    time_machine.move_to(MONDAY_NOON_UTC, tick=False)
    trainee.preferred_language = "en"
    trainee.time_zone = "Asia/Karachi"  # UTC+5
    trainee.save()
    session = TrainingSessionFactory(
        cohort=world["cohort_a"],
        starts_at=dt.datetime(2026, 11, 25, 4, 0, tzinfo=dt.UTC),
        status="scheduled",
    )
    session.trainees.add(world["trainee_a"])
    report = _build(ReportKind.TRAINEE_WEEKLY, trainee)
    assert "Nov. 25, 2026, 9 a.m." in report.text
    assert "Sent Nov. 23, 2026, 5 p.m." in report.text


def test_it_lists_what_expires_in_the_trainee_summary(world, trainee, trainer):
    qualification = world["qualification"]
    QualificationGrant.objects.create(
        trainee=world["trainee_a"],
        qualification=qualification,
        granted_on=timezone.localdate() - dt.timedelta(days=80),
        expires_on=timezone.localdate() + dt.timedelta(days=10),
        granted_by=trainer,
    )
    report = _build(ReportKind.TRAINEE_WEEKLY, trainee)
    assert qualification.code in report.text
    assert qualification.code in report.html


def test_it_builds_the_trainer_digest_in_chinese_with_the_board_attached(world, chinese_trainer):
    report = _build(ReportKind.TRAINER_DIGEST, chinese_trainer)
    cohort = world["cohort_a"]
    assert 'lang="zh-hans"' in report.html
    assert cohort.name in report.subject
    assert "Ayesha Khan" in report.html
    assert "Zhao Lei" not in report.html  # cohort B is not his
    (csv_name, csv_bytes, csv_type), (pdf_name, pdf_bytes, pdf_type) = report.attachments
    assert (csv_name, pdf_name) == (
        f"{slugify(cohort.name)}-board.csv",
        f"{slugify(cohort.name)}-board.pdf",
    )
    assert csv_type == "text/csv"
    rows = list(csv.reader(io.StringIO(csv_bytes.decode("utf-8-sig"))))
    assert rows[1][0] == "Ayesha Khan"
    assert len(rows) == 2
    assert pdf_type == "application/pdf"
    assert pdf_bytes.startswith(b"%PDF")
    text = pdf_text(pdf_bytes)
    assert "Ayesha Khan" in text
    assert "عائشہ خان" in text
    assert cohort.name in text


def test_it_counts_ready_blocked_and_on_hold_in_the_programme_summary(world, programme_admin):
    report = _build(ReportKind.PROGRAMME_SUMMARY, programme_admin)
    # Ayesha is on a medical hold; Zhao is blocked (modules not done).
    assert "0 of 2" in report.subject
    assert world["cohort_a"].name in report.html
    assert world["cohort_b"].name in report.html
    assert "2 trainees, 0 ready, 1 blocked, 1 on medical hold" in report.text


# Sending ---------------------------------------------------------------------------------------


def test_it_sends_the_reports_in_the_readers_languages_with_attachments(
    world, trainee, chinese_trainer, mailoutbox
):
    services.report_send(reader=trainee, kind=ReportKind.TRAINEE_WEEKLY, key="k1")
    services.report_send(reader=chinese_trainer, kind=ReportKind.TRAINER_DIGEST, key="k2")
    urdu, chinese = mailoutbox
    assert urdu.to == [trainee.email]
    # Urdu: the HTML part is marked up right to left, in Urdu.
    html = urdu.alternatives[0].content
    assert 'lang="ur"' in html and 'dir="rtl"' in html
    # In Urdu words (strings the catalogues already translate; the new ones follow on merge).
    assert "پرواز کی تفویض کے لیے تیار نہیں" in urdu.body  # not ready for flight assignment
    assert "تیاری" in html  # readiness
    assert chinese.to == [chinese_trainer.email]
    assert 'lang="zh-hans"' in chinese.alternatives[0].content
    assert "未就绪" in chinese.body  # not ready
    assert "学员" in chinese.alternatives[0].content  # the board's "Trainee" column
    attachments = _attachments(chinese)
    assert sorted(mimetype for _, mimetype in attachments.values()) == [
        "application/pdf",
        "text/csv",
    ]
    assert ReportSend.objects.filter(sent_at__isnull=False).count() == 2


def test_it_sends_a_key_once(world, trainee, mailoutbox):
    assert services.report_send(reader=trainee, kind=ReportKind.TRAINEE_WEEKLY, key="k")
    assert not services.report_send(reader=trainee, kind=ReportKind.TRAINEE_WEEKLY, key="k")
    assert len(mailoutbox) == 1


@pytest.mark.expect_error_log
def test_a_failed_send_releases_its_claim_so_a_retry_sends(world, trainee, mailoutbox, monkeypatch):
    def broken(self, fail_silently=False):
        raise OSError("mail server down")

    with monkeypatch.context() as patch:
        patch.setattr("django.core.mail.EmailMultiAlternatives.send", broken)
        with pytest.raises(OSError):
            services.report_send(reader=trainee, kind=ReportKind.TRAINEE_WEEKLY, key="k")
    assert not ReportSend.objects.exists()
    assert services.report_send(reader=trainee, kind=ReportKind.TRAINEE_WEEKLY, key="k")
    assert len(mailoutbox) == 1


# The weekly job ---------------------------------------------------------------------------------


@pytest.fixture
def run_weekly(settings, django_capture_on_commit_callbacks):
    """Run the weekly job as beat would, its chunks and the deliveries they queue included."""
    settings.CELERY_TASK_ALWAYS_EAGER = True

    def run():
        with django_capture_on_commit_callbacks(execute=True):
            return tasks.weekly_reports_send.apply().get()

    return run


def test_the_weekly_job_run_twice_sends_each_readers_report_once(
    world, personas, run_weekly, time_machine, mailoutbox
):
    time_machine.move_to(MONDAY_NOON_UTC, tick=False)
    first = run_weekly()
    readers = [m.to[0] for m in mailoutbox]
    # Ayesha and Zhao their summaries, the two trainers their digests, the admins the summary
    # (Chen Jing, and the admin who published the revision), each one e-mail.
    assert first == len(readers) == len(set(readers)) == 6
    assert {p.email for key, p in personas.items() if key not in ("medic", "operator")} < set(
        readers
    )
    assert run_weekly() == 0
    assert len(mailoutbox) == 6
    # Through the delivery layer: in the application too, each once, keyed by reader and week.
    key = f"report:trainee_weekly:{personas['trainee'].pk}:2026-W48"
    notification = Notification.objects.get(key=key)
    assert notification.shown_at is not None
    assert sorted(notification.deliveries.values_list("channel", "status")) == [
        ("email", "sent"),
        ("in_app", "sent"),
    ]
    assert [m.extra_headers[NOTIFICATION_KEY_HEADER] for m in mailoutbox].count(key) == 1


def test_the_weekly_job_waits_for_the_local_time_of_each_reader(
    world, personas, run_weekly, time_machine, mailoutbox
):
    # Sunday 23:30 UTC is Monday 07:30 in Beijing (not yet 08:00) and 04:30 in Karachi.
    personas["trainee"].time_zone = "Asia/Karachi"
    personas["trainee"].save()
    time_machine.move_to(dt.datetime(2026, 11, 22, 23, 30, tzinfo=dt.UTC), tick=False)
    assert run_weekly() == 0
    time_machine.move_to(dt.datetime(2026, 11, 23, 0, 5, tzinfo=dt.UTC), tick=False)
    assert run_weekly() == 5  # 08:05 in Beijing: everyone but Ayesha
    assert personas["trainee"].email not in [m.to[0] for m in mailoutbox]
    time_machine.move_to(dt.datetime(2026, 11, 23, 3, 5, tzinfo=dt.UTC), tick=False)
    assert run_weekly() == 1  # 08:05 in Karachi: Ayesha
    assert len(mailoutbox) == 6


def test_the_weekly_job_sends_nothing_when_disabled(world, run_weekly, time_machine, mailoutbox):
    ReportSchedule.objects.filter(pk=1).update(enabled=False)
    time_machine.move_to(MONDAY_NOON_UTC, tick=False)
    assert run_weekly() == 0
    assert mailoutbox == []


def test_the_weekly_job_queues_chunks(world, settings, time_machine, monkeypatch):
    monkeypatch.setattr(tasks, "CHUNK", 2)
    queued = []
    monkeypatch.setattr(tasks.weekly_reports_chunk, "delay", queued.append)
    time_machine.move_to(MONDAY_NOON_UTC, tick=False)
    assert tasks.weekly_reports_send() == 6
    assert [len(chunk) for chunk in queued] == [2, 2, 2]


def test_the_weekly_job_queues_the_slow_digests_first(world, time_machine):
    time_machine.move_to(MONDAY_NOON_UTC, tick=False)
    kinds = [due.kind for due in services.weekly_reports_due()]
    # Built first, a digest's PDFs are laid out while other workers send the trainees' reports.
    assert (
        kinds
        == [ReportKind.TRAINER_DIGEST] * 2
        + [ReportKind.PROGRAMME_SUMMARY] * 2
        + [ReportKind.TRAINEE_WEEKLY] * 2
    )


def test_the_schedule_singleton_exists_after_migrate():
    schedule = ReportSchedule.objects.get()
    assert (schedule.weekday, schedule.local_time, schedule.enabled) == (0, dt.time(8), True)


# Send report now --------------------------------------------------------------------------------


def test_send_now_queues_one_job_even_when_submitted_twice(
    client, world, chinese_trainer, django_capture_on_commit_callbacks, mailoutbox, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    client.force_login(chinese_trainer)
    url = reverse("reports:report_now", args=[world["cohort_a"].pk])
    key = str(uuid.uuid4())
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = client.post(url, {"submission_key": key})
        second = client.post(url, {"submission_key": key})
    assert len(callbacks) == 1
    job = ReportJob.objects.get(key=key)
    assert first.url == second.url == reverse("reports:job_detail", args=[job.pk])
    assert (job.state, job.done, job.total) == (ReportJob.State.SENT, 1, 1)
    assert len(mailoutbox) == 1
    assert "zh-hans" in mailoutbox[0].alternatives[0].content
    page = client.get(first.url)
    assert page.status_code == 200
    assert 'hx-trigger="every 2s"' not in page.content.decode()  # finished: no more polling


def test_the_status_fragment_polls_until_the_job_is_finished(client, world, trainer):
    job = ReportJob.objects.create(
        key=uuid.uuid4(),
        cohort=world["cohort_a"],
        requested_by=trainer,
        total=3,
        done=1,
        state=ReportJob.State.RENDERING,
    )
    client.force_login(trainer)
    response = client.get(reverse("reports:job_detail", args=[job.pk]), HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert "Rendering 1 of 3" in content
    assert 'hx-trigger="every 2s"' in content
    assert "<html" not in content


def test_send_now_by_htmx_answers_the_fragment_with_a_fresh_key(client, world, trainer):
    client.force_login(trainer)
    url = reverse("reports:report_now", args=[world["cohort_a"].pk])
    key = str(uuid.uuid4())
    response = client.post(url, {"submission_key": key}, HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert 'id="report-now"' in content
    assert "Report queued" in content
    assert key not in content


def test_another_cohorts_trainer_cannot_send_or_see_the_job(client, world, trainer, other_trainer):
    job = ReportJob.objects.create(key=uuid.uuid4(), cohort=world["cohort_a"], requested_by=trainer)
    client.force_login(other_trainer)
    url = reverse("reports:report_now", args=[world["cohort_a"].pk])
    assert client.post(url, {"submission_key": str(uuid.uuid4())}).status_code == 404
    assert client.get(reverse("reports:job_detail", args=[job.pk])).status_code == 404
    assert not ReportJob.objects.filter(requested_by=other_trainer, cohort=job.cohort).exists()


def test_a_trainee_may_not_send_reports(client, world, trainee):
    client.force_login(trainee)
    url = reverse("reports:report_now", args=[world["cohort_a"].pk])
    assert client.post(url, {"submission_key": str(uuid.uuid4())}).status_code == 403


# The schedule page ------------------------------------------------------------------------------


def test_the_admin_sets_the_schedule(client, programme_admin):
    client.force_login(programme_admin)
    url = reverse("reports:schedule")
    response = client.post(url, {"enabled": "on", "weekday": "4", "local_time": "17:30"})
    assert response.status_code == 302
    schedule = ReportSchedule.load()
    assert (schedule.weekday, schedule.local_time) == (4, dt.time(17, 30))


def test_a_bad_time_is_refused_beside_its_field_and_kept(client, programme_admin):
    client.force_login(programme_admin)
    response = client.post(
        reverse("reports:schedule"), {"enabled": "on", "weekday": "4", "local_time": "25:99"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["local_time"]
    assert 'value="25:99"' in response.content.decode()
    assert ReportSchedule.load().local_time == dt.time(8)


def test_a_trainer_may_not_set_the_schedule(client, trainer):
    client.force_login(trainer)
    assert client.get(reverse("reports:schedule")).status_code == 403


# Query counts ---------------------------------------------------------------------------------

# Each builder's queries, pinned: the same with a little data and with ten times more. Each
# reads the curriculum texts in the reader's language once (curriculum/texts.py).
BUILDER_QUERIES = [
    # The trainee, progress (10), the week's sessions, their modules and trainers in one.
    ("trainee", ReportKind.TRAINEE_WEEKLY, 13),
    # The cohorts, then per cohort its board (trainees, progress): one cohort here.
    ("trainer", ReportKind.TRAINER_DIGEST, 13),
    # The trainees of open cohorts, their progress.
    ("programme_admin", ReportKind.PROGRAMME_SUMMARY, 12),
]


@pytest.mark.parametrize(("persona", "kind", "queries"), BUILDER_QUERIES)
def test_a_report_costs_the_same_with_ten_times_the_data(
    world, personas, django_assert_num_queries, persona, kind, queries
):
    reader = personas[persona]
    _build(kind, reader)  # the reader's permissions, cached on the user as in a worker
    grow(world, personas, 2)
    with django_assert_num_queries(queries):
        _build(kind, reader)
    grow(world, personas, 20)
    with django_assert_num_queries(queries):
        report = _build(kind, reader)
    assert report.subject


def test_a_failing_job_says_so_with_its_error(world, trainer, monkeypatch):
    job = ReportJob.objects.create(key=uuid.uuid4(), cohort=world["cohort_a"], requested_by=trainer)

    def broken(recipient, params):
        raise OSError("mail server down")

    monkeypatch.setitem(builders.BUILDERS, ReportKind.TRAINER_DIGEST, broken)
    with pytest.raises(OSError):
        services.report_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.state, job.done, job.total) == (ReportJob.State.FAILED, 0, 1)
    assert job.error == "mail server down"
    assert job.finished_at
    # A second delivery of the same task finds the job taken and does nothing.
    services.report_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == ReportJob.State.FAILED


def test_the_weekly_report_is_in_the_readers_list_without_building_it_again(
    client, world, personas, run_weekly, time_machine, monkeypatch
):
    time_machine.move_to(MONDAY_NOON_UTC, tick=False)
    run_weekly()

    def never(recipient, params):
        raise AssertionError("the list must not build the report")

    monkeypatch.setitem(delivery._RENDERERS, ReportKind.TRAINEE_WEEKLY, never)
    client.force_login(personas["trainee"])
    page = client.get(reverse("notifications:list")).content.decode()
    assert "2026-W48" in page
    # Opening it goes to the reader's own progress.
    notification = Notification.objects.get(recipient=personas["trainee"], kind="trainee_weekly")
    response = client.post(reverse("notifications:open", args=[notification.pk]))
    assert response.url == reverse("trainees:trainee_home")
