"""Data ownership: a trainee's own records as JSON; backup and restore."""

import json

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from notifications.models import ReminderSettings
from trainees.models import AssessmentResult, Trainee


def test_a_trainee_downloads_all_their_own_records(world, trainee):
    client = Client()
    client.force_login(trainee)
    page = client.get(reverse("trainees:trainee_home"))
    assert reverse("trainees:my_records") in page.content.decode()
    response = client.get(reverse("trainees:my_records"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    mine = world["trainee_a"]
    assert data["account"]["username"] == "ayesha"
    assert "password" not in data["account"]
    assert data["trainee"]["id"] == mine.pk
    assert [r["id"] for r in data["assessment_results"]] == [world["result_a"].pk]
    assert [a["id"] for a in data["attendance"]] == [world["attendance_a"].pk]
    assert [m["id"] for m in data["measurements"]] == [world["measurement_a"].pk]
    assert [h["id"] for h in data["medical_holds"]] == [world["hold_a"].pk]
    assert [n["id"] for n in data["notifications"]] == [world["notification_a"].pk]
    # Nothing of the other trainee's.
    body = response.content.decode()
    assert "zhaolei" not in body and "Zhao Lei" not in body


def _counts():
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label not in ("contenttypes",) and model._meta.label != "auth.Permission"
    }


# Not inside a test transaction: `flush` truncates tables, which PostgreSQL refuses while the
# transaction holds deferred constraint checks.
@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_an_empty_database(world, programme_admin, tmp_path):
    reminder = ReminderSettings.objects.get()
    reminder.session_hours = 36
    reminder.save()
    before = _counts()
    versions = {t.pk: t.cache_version for t in Trainee.objects.all()}
    result = world["result_a"]
    trainee = world["trainee_a"]
    backup = tmp_path / "site.json"
    call_command("backup", str(backup))
    assert backup.stat().st_size > 1000

    with pytest.raises(CommandError):  # never on top of a site's records
        call_command("restore", str(backup))
    call_command("flush", interactive=False, verbosity=0)  # an empty database, as after migrate
    assert not Trainee.objects.exists()

    call_command("restore", str(backup))
    assert _counts() == before
    # New versions: nothing a cache shared with the backed-up database holds is reached here.
    assert all(t.cache_version != versions[t.pk] for t in Trainee.objects.all())
    restored = AssessmentResult.objects.get(pk=result.pk)
    assert (restored.score, restored.trainee_id, restored.signed_by_id) == (
        result.score,
        trainee.pk,
        result.signed_by_id,
    )
    assert Trainee.objects.get(pk=trainee.pk).user.native_name == "عائشہ خان"
    assert ReminderSettings.objects.get().session_hours == 36
    assert restored.history.count() == result.history.count() >= 1
    # The roles survive: the trainee is still a trainee.
    assert Trainee.objects.get(pk=trainee.pk).user.has_perm("accounts.view_own_progress")
