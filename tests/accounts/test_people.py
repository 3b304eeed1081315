"""People pages: adding people with a one-time link to set their own password, roles,
deactivation that keeps every record, and each person's own profile."""

import datetime as dt
import re

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth import authenticate
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import Role, User
from tests.factories import PASSWORD

NEW_PASSWORD = "blue-nebula-orbit-7"
LINK = re.compile(r"https?://testserver(/accounts/password/reset/\S+/)")


@pytest.fixture
def admin_client(client, programme_admin):
    client.force_login(programme_admin)
    return client


@pytest.fixture
def add(admin_client, django_capture_on_commit_callbacks, settings):
    """The admin adds a person. The invitation is queued once the creation commits, so the
    request's on-commit callbacks run as a real commit would run them, and the queued task as a
    worker would."""
    settings.CELERY_TASK_ALWAYS_EAGER = True

    def add(**overrides):
        data = {
            "username": "wangyi",
            "display_name": "Wang Yi",
            "native_name": "王毅",
            "email": "wangyi@example.org",
            "preferred_language": "zh-hans",
            "roles": ["trainer"],
            **overrides,
        }
        with django_capture_on_commit_callbacks(execute=True):
            return admin_client.post(reverse("accounts:person_add"), data)

    return add


def _link(message) -> str:
    return LINK.search(message.body).group(1)


def _set_password(client, link, password=NEW_PASSWORD):
    """Open the link and set a password; the response of the form's POST (or of the link)."""
    opened = client.get(link)
    if opened.status_code != 302:
        return opened
    return client.post(opened["Location"], {"new_password1": password, "new_password2": password})


# Adding a person -------------------------------------------------------------------------------


def test_an_admin_adds_a_trainer_who_gets_a_link_in_their_language(
    add, admin_client, programme_admin
):
    response = add()
    person = User.objects.get(username="wangyi")
    assert response["Location"] == reverse("accounts:person_detail", args=[person.pk])
    assert person.roles == {Role.TRAINER}
    assert not person.has_usable_password()  # nobody chose a password for them
    assert person.history.first().history_user == programme_admin
    [message] = mail.outbox
    assert message.to == ["wangyi@example.org"]
    assert _link(message) in message.alternatives[0][0]
    # Rendered in the new person's language, whoever added them.
    assert 'lang="zh-hans"' in message.alternatives[0][0]
    assert "wangyi" in message.body


def test_the_form_never_asks_for_a_password_and_keeps_bad_input(add, admin_client, trainer):
    page = admin_client.get(reverse("accounts:person_add")).content.decode()
    assert 'type="password"' not in page
    response = add(email=trainer.email.upper(), roles=[])
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["email"] == ["Someone else already uses this e-mail address."]
    assert "roles" in errors
    assert response.context["form"]["display_name"].value() == "Wang Yi"
    assert not User.objects.filter(username="wangyi").exists()
    assert mail.outbox == []


def test_sending_the_form_twice_adds_the_person_once(add, admin_client):
    add()
    again = add()
    assert again.status_code == 200
    assert "username" in again.context["form"].errors
    assert User.objects.filter(username="wangyi").count() == 1
    assert len(mail.outbox) == 1


def test_a_trainee_cannot_be_added_without_a_cohort_here(add, admin_client):
    response = add(roles=["trainee"])
    assert "roles" in response.context["form"].errors
    assert not User.objects.filter(username="wangyi").exists()


# The link to set a password --------------------------------------------------------------------


def test_the_link_sets_the_password_once_and_the_person_signs_in(add, admin_client, rf):
    add()
    link = _link(mail.outbox[0])
    visitor = Client()
    done = _set_password(visitor, link)
    assert done["Location"] == reverse("accounts:password_reset_complete")
    person = User.objects.get(username="wangyi")
    assert authenticate(rf.post("/"), username="wangyi", password=NEW_PASSWORD) == person

    # Used once, the link opens no form again, for anyone.
    again = Client().get(link, follow=True)
    assert again.context["validlink"] is False
    assert "already been used or has expired" in again.content.decode()


def test_the_link_expires_after_the_reset_timeout(add, admin_client, settings):
    settings.PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600
    add()
    link = _link(mail.outbox[0])
    # Wang Yi reads Chinese: the e-mail says so in his language.
    assert "该链接将在 72 小时后过期。" in mail.outbox[0].body
    assert "忘记密码？" in mail.outbox[0].body
    with time_machine.travel(dt.timedelta(days=3, minutes=1)):
        expired = Client().get(link, follow=True)
    assert expired.context["validlink"] is False
    with time_machine.travel(dt.timedelta(days=2, hours=23)):
        assert Client().get(link).status_code == 302  # still valid: on to the form
    assert not User.objects.get(username="wangyi").has_usable_password()


def _forgot(email, settings, capture):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with capture(execute=True):
        Client().post(reverse("accounts:password_reset"), {"email": email})


def test_forgot_password_sends_a_link_to_someone_who_never_set_one(
    add, admin_client, settings, django_capture_on_commit_callbacks
):
    add()
    mail.outbox.clear()
    _forgot("WANGYI@example.org", settings, django_capture_on_commit_callbacks)
    [message] = mail.outbox
    done = _set_password(Client(), _link(message))
    assert done["Location"] == reverse("accounts:password_reset_complete")


def test_the_admin_can_send_the_link_again(add, admin_client, django_capture_on_commit_callbacks):
    add()
    person = User.objects.get(username="wangyi")
    url = reverse("accounts:person_invite", args=[person.pk])
    assert admin_client.get(url).status_code == 200  # asks to confirm; sends nothing yet
    assert len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True) as queued:
        admin_client.post(url)
    assert len(queued) == 1  # by the worker, after the commit
    assert len(mail.outbox) == 2
    assert mail.outbox[1].to == ["wangyi@example.org"]


def test_no_people_page_shows_or_asks_for_a_password(admin_client, trainer):
    for name in ["person_detail", "person_edit", "person_roles", "person_invite"]:
        page = admin_client.get(reverse(f"accounts:{name}", args=[trainer.pk])).content.decode()
        assert 'type="password"' not in page, name
        assert trainer.password not in page, name
        assert "md5$" not in page and "pbkdf2" not in page, name


def test_an_admin_cannot_set_a_password_through_the_edit_form(admin_client, trainer):
    before = User.objects.get(pk=trainer.pk).password
    admin_client.post(
        reverse("accounts:person_edit", args=[trainer.pk]),
        {
            "display_name": "Li Hao",
            "email": trainer.email,
            "password": "chosen-by-the-admin-1",
            "is_superuser": "on",
        },
    )
    after = User.objects.get(pk=trainer.pk)
    assert after.password == before
    assert not after.is_superuser


# Roles -----------------------------------------------------------------------------------------


def test_an_admin_changes_a_persons_roles(admin_client, trainer, programme_admin):
    url = reverse("accounts:person_roles", args=[trainer.pk])
    admin_client.post(url, {"roles": ["trainer", "medical_officer"]})
    person = User.objects.get(pk=trainer.pk)
    assert person.roles == {Role.TRAINER, Role.MEDICAL_OFFICER}
    assert person.has_perm("accounts.manage_medical")
    assert person.history.first().history_user == programme_admin


def test_an_admin_cannot_drop_their_own_admin_role(admin_client, programme_admin):
    url = reverse("accounts:person_roles", args=[programme_admin.pk])
    response = admin_client.post(url, {"roles": ["trainer"]})
    assert "your own programme admin role" in str(response.context["form"].errors["roles"])
    assert User.objects.get(pk=programme_admin.pk).roles == {Role.PROGRAMME_ADMIN}


def test_an_admin_does_not_manage_the_operators(admin_client, operator):
    for name in ["person_detail", "person_deactivate", "person_roles"]:
        url = reverse(f"accounts:{name}", args=[operator.pk])
        assert admin_client.post(url, {"roles": ["trainee"]}).status_code == 404
    assert User.objects.get(pk=operator.pk).is_active
    people = admin_client.get(reverse("accounts:people")).content.decode()
    assert "Site Operator" not in people


# Deactivation ----------------------------------------------------------------------------------


def _record_counts():
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in {"accounts", "auth", "curriculum", "trainees"}
        and not model._meta.label.split(".")[1].startswith("Historical")
    }


def test_deactivating_keeps_every_record_and_stops_the_sign_in(
    world, personas, programme_admin, rf
):
    trainer, trainee = personas["trainer"], personas["trainee"]
    # Both are signed in somewhere when they are deactivated.
    sessions = {}
    for person in (trainer, trainee):
        sessions[person.username] = Client()
        sessions[person.username].force_login(person)
    before = _record_counts()
    records_of_trainer = {
        "sessions led": trainer.sessions_led.count(),
        "results assessed": trainer.results_assessed.count(),
        "cohorts trained": trainer.cohorts_trained.count(),
    }
    assert all(records_of_trainer.values())

    admin = Client()
    admin.force_login(programme_admin)
    for person in (trainer, trainee):
        url = reverse("accounts:person_deactivate", args=[person.pk])
        assert admin.post(url)["Location"] == reverse("accounts:person_detail", args=[person.pk])

    assert _record_counts() == before  # not one row of any model is gone
    trainer = User.objects.get(pk=trainer.pk)
    assert not trainer.is_active
    assert {
        "sessions led": trainer.sessions_led.count(),
        "results assessed": trainer.results_assessed.count(),
        "cohorts trained": trainer.cohorts_trained.count(),
    } == records_of_trainer
    assert world["trainee_a"].user_id == trainee.pk
    assert trainer.history.first().history_user == programme_admin
    # The trainee's record still shows everything to whoever may see it.
    page = admin.get(reverse("trainees:trainee_detail", args=[world["trainee_a"].pk]))
    assert page.status_code == 200

    for person in (trainer, trainee):
        # The password no longer signs in, and the open sign-in has ended.
        assert authenticate(rf.post("/"), username=person.username, password=PASSWORD) is None
        refused = Client().post(
            reverse("accounts:login"), {"username": person.username, "password": PASSWORD}
        )
        assert refused.status_code == 200
        assert "_auth_user_id" not in refused.wsgi_request.session
        assert sessions[person.username].get("/")["Location"].startswith("/accounts/login/")


def test_a_deactivated_person_gets_no_link_and_an_old_link_no_longer_opens(
    add, admin_client, settings, django_capture_on_commit_callbacks
):
    add()
    link = _link(mail.outbox[0])
    person = User.objects.get(username="wangyi")
    admin_client.post(reverse("accounts:person_deactivate", args=[person.pk]))
    assert Client().get(link, follow=True).context["validlink"] is False
    mail.outbox.clear()
    _forgot("wangyi@example.org", settings, django_capture_on_commit_callbacks)
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("accounts:person_invite", args=[person.pk]))
    assert mail.outbox == []


def test_an_admin_cannot_deactivate_themselves(admin_client, programme_admin):
    response = admin_client.post(reverse("accounts:person_deactivate", args=[programme_admin.pk]))
    assert "You cannot deactivate yourself." in response.content.decode()
    assert User.objects.get(pk=programme_admin.pk).is_active


def test_a_deactivated_person_is_reactivated_with_their_password(admin_client, trainer, rf):
    admin_client.post(reverse("accounts:person_deactivate", args=[trainer.pk]))
    admin_client.post(reverse("accounts:person_reactivate", args=[trainer.pk]))
    assert authenticate(rf.post("/"), username="lihao", password=PASSWORD) is not None


# Own profile -----------------------------------------------------------------------------------


def _profile(**overrides):
    return {
        "display_name": "Li Hao",
        "native_name": "李浩",
        "preferred_language": "zh-hans",
        "time_zone": "Asia/Karachi",
        "notify_in_app": "on",
        "quiet_hours_start": "22:00",
        "quiet_hours_end": "06:30",
        **overrides,
    }


def test_a_person_edits_their_own_profile(client, trainer):
    client.force_login(trainer)
    response = client.post(reverse("accounts:profile"), _profile())
    assert response["Location"] == reverse("accounts:profile")
    person = User.objects.get(pk=trainer.pk)
    assert person.native_name == "李浩"
    assert person.preferred_language == "zh-hans"
    assert str(person.time_zone) == "Asia/Karachi"
    assert person.notify_in_app and not person.notify_email
    assert (person.quiet_hours_start, person.quiet_hours_end) == (dt.time(22), dt.time(6, 30))
    assert person.in_quiet_hours(dt.datetime(2026, 1, 5, 18, 0, tzinfo=dt.UTC))  # 23:00 PKT
    assert person.history.first().history_user == trainer
    # The next page is in the language just chosen.
    assert client.get(reverse("accounts:profile"))["Content-Language"] == "zh-hans"


def test_quiet_hours_need_both_ends_and_the_input_is_kept(client, trainer):
    client.force_login(trainer)
    response = client.post(reverse("accounts:profile"), _profile(quiet_hours_end=""))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["quiet_hours_end"] == ["Give both the start and the end of the quiet hours."]
    assert form["native_name"].value() == "李浩"
    assert User.objects.get(pk=trainer.pk).quiet_hours_start is None


def test_the_profile_changes_only_the_own_profile_fields(client, trainer):
    client.force_login(trainer)
    client.post(
        reverse("accounts:profile"),
        _profile(email="new@example.org", username="boss", is_superuser="on"),
    )
    person = User.objects.get(pk=trainer.pk)
    assert (person.username, person.email, person.is_superuser) == (
        "lihao",
        trainer.email,
        False,
    )
