"""Every change accounted for: history with who, when, what and why, shown to
programme admins; sign-ins, failed sign-ins, lock-outs and role changes in the audit log."""

import logging
from decimal import Decimal

from django.test import Client
from django.urls import reverse

from accounts.models import Role
from accounts.services import user_roles_change
from notifications.models import ReminderSettings
from reports.models import ReportSchedule
from tests.factories import PASSWORD
from trainees.assessments.services import result_amend
from trainees.cohorts.services import trainee_status_change

AUDIT = "trainingtracker.audit"


def _signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_it_shows_the_earlier_value_of_an_amended_result(world, programme_admin):
    result = world["result_a"]
    assert result.score == Decimal(80)
    result_amend(
        result=result,
        by=programme_admin,
        reason="Scored from the wrong sheet.",
        score=Decimal(65),
        grades={},
        remarks="Rescored.",
    )
    # The history keeps the earlier value, and the page shows old -> new, who and why.
    earlier = result.history.order_by("history_date")[0]
    assert earlier.score == Decimal(80)
    latest = result.history.latest()
    assert (latest.score, latest.history_change_reason) == (
        Decimal(65),
        "Scored from the wrong sheet.",
    )
    assert latest.history_user == programme_admin

    page = _signed_in(programme_admin).get(reverse("trainees:result_history", args=[result.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "<bdi>80.0</bdi> → <bdi>65.0</bdi>" in body
    assert "Scored from the wrong sheet." in body
    assert "Chen Jing" in body


def test_a_status_change_keeps_its_reason_in_the_trainee_history(world, programme_admin):
    trainee = world["trainee_a"]
    trainee_status_change(
        trainee=trainee,
        status="withdrawn",
        effective_on=trainee.cohort.starts_on,
        reason="Left the programme.",
        by=programme_admin,
    )
    page = _signed_in(programme_admin).get(reverse("trainees:trainee_history", args=[trainee.pk]))
    body = page.content.decode()
    assert "Left the programme." in body
    assert "In training" in body and "Withdrawn" in body


def test_the_record_pages_link_to_their_history_for_programme_admins_only(
    world, programme_admin, trainer
):
    admin, other = _signed_in(programme_admin), _signed_in(trainer)
    for page, history in [
        ("trainees:trainee_detail", "trainees:trainee_history"),
        ("trainees:result_detail", "trainees:result_history"),
        ("trainees:cohort_detail", "trainees:cohort_history"),
    ]:
        obj = {"trainees:trainee_detail": "trainee_a", "trainees:result_detail": "result_a"}.get(
            page, "cohort_a"
        )
        link = reverse(history, args=[world[obj].pk])
        assert link in admin.get(reverse(page, args=[world[obj].pk])).content.decode()
        assert link not in other.get(reverse(page, args=[world[obj].pk])).content.decode()
    module = world["module"]
    link = reverse("trainees:module_history", args=[module.pk])
    assert link in admin.get(reverse("curriculum:module_detail", args=[module.pk])).content.decode()
    person = world["person_trainer"]
    link = reverse("trainees:person_history", args=[person.pk])
    assert link in admin.get(reverse("accounts:person_detail", args=[person.pk])).content.decode()


def test_the_lead_times_and_the_report_schedule_keep_a_history(world, programme_admin):
    client = _signed_in(programme_admin)
    settings_row = ReminderSettings.objects.get()
    response = client.post(
        reverse("notifications:reminder_settings"),
        {
            "session_hours": 12,
            "qualification_days": ",".join(map(str, settings_row.qualification_days)),
            "assessment_due_days": settings_row.assessment_due_days,
            "pending_days": settings_row.pending_days,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    latest = ReminderSettings.history.latest()
    assert (latest.session_hours, latest.history_user) == (12, programme_admin)
    schedule = ReportSchedule.objects.get()
    schedule.weekday = 3
    schedule.save()
    assert ReportSchedule.history.latest().weekday == 3


def test_sign_ins_and_failed_sign_ins_are_logged(client, trainer, caplog):
    caplog.set_level(logging.INFO, logger=AUDIT)
    client.post(reverse("accounts:login"), {"username": "lihao", "password": "wrong"})
    client.post(reverse("accounts:login"), {"username": "lihao", "password": PASSWORD})
    messages = [r.getMessage() for r in caplog.records if r.name == AUDIT]
    assert "sign-in failed username='lihao' ip=127.0.0.1" in messages
    assert f"sign-in user={trainer.pk} ip=127.0.0.1" in messages
    assert not any("wrong" in m for m in messages)  # never the password typed


def test_a_lock_out_is_logged(client, trainer, caplog, settings):
    caplog.set_level(logging.INFO, logger=AUDIT)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": "lihao", "password": "wrong"})
    messages = [r.getMessage() for r in caplog.records if r.name == AUDIT]
    assert any(m.startswith("lock-out username='lihao'") for m in messages), messages


def test_a_role_change_is_logged_with_who_made_it(trainer, programme_admin, caplog):
    caplog.set_level(logging.INFO, logger=AUDIT)
    user_roles_change(user=trainer, roles=[Role.TRAINER, Role.MEDICAL_OFFICER], by=programme_admin)
    user_roles_change(user=trainer, roles=[Role.TRAINER, Role.MEDICAL_OFFICER], by=programme_admin)
    messages = [r.getMessage() for r in caplog.records if r.name == AUDIT]
    assert messages == [
        f"roles changed user={trainer.pk} by={programme_admin.pk} "
        f"added={Role.MEDICAL_OFFICER.value} removed=-"
    ]
