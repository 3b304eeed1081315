import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from accounts.models import Role
from tests.factories import PASSWORD, UserFactory

LOGIN = "/accounts/login/"


def sign_in(client, username, password=PASSWORD):
    return client.post(LOGIN, {"username": username, "password": password})


def test_it_signs_in_with_the_form_and_lands_on_the_role_page(client, trainer):
    response = sign_in(client, "lihao")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/")["Location"] == reverse("trainees:trainer_home")


def test_a_wrong_password_is_refused_beside_the_form(client, trainer):
    response = sign_in(client, "lihao", "not-the-password")
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert response.context["form"]["username"].value() == "lihao"
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("persona", "landing", "heading"),
    [
        ("trainee", "trainees:trainee_home", "My progress"),
        ("trainer", "trainees:trainer_home", "Training floor"),
        ("medic", "trainees:medical_home", "Medical holds"),
        ("programme_admin", "curriculum:home", "Programme"),
    ],
)
def test_each_role_lands_on_its_own_page(client, personas, settings, persona, landing, heading):
    user = personas[persona]
    user.preferred_language = "en"
    user.save()
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse(landing)
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert re.search(rf"<h1[^>]*>{heading}</h1>", page.content.decode())


@pytest.mark.parametrize(
    ("persona", "refused"),
    [
        ("trainee", ["trainees:trainer_home", "trainees:medical_home", "curriculum:home"]),
        ("trainer", ["trainees:trainee_home", "trainees:medical_home", "curriculum:home"]),
        ("medic", ["trainees:trainee_home", "trainees:trainer_home", "curriculum:home"]),
        ("programme_admin", ["trainees:trainee_home", "trainees:medical_home"]),
    ],
)
def test_a_role_page_refuses_other_roles(client, personas, persona, refused):
    client.force_login(personas[persona])
    for url_name in refused:
        assert client.get(reverse(url_name)).status_code == 403, url_name


def test_a_programme_admin_may_also_open_the_training_floor(client, programme_admin):
    client.force_login(programme_admin)
    assert client.get(reverse("trainees:trainer_home")).status_code == 200


def test_someone_without_a_role_is_told_why(client, db):
    client.force_login(UserFactory(preferred_language="en"))
    response = client.get("/")
    assert response.status_code == 403
    assert "no programme admin has given you a role yet" in response.content.decode()


def test_anonymous_people_are_sent_to_sign_in(client, db):
    response = client.get(reverse("trainees:trainer_home"))
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/trainer/"


def test_signing_out_takes_a_post(client, trainer):
    client.force_login(trainer)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == LOGIN
    assert client.get("/").status_code == 302


def test_repeated_wrong_passwords_lock_the_account(client, trainer, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "lihao", "wrong-password").status_code == 200
    locked = sign_in(client, "lihao", "wrong-password")
    assert locked.status_code == 429
    assert "this account is locked on this device for 15 minutes" in locked.content.decode()

    # Even the right password is refused while the account is locked, from anywhere.
    still_locked = sign_in(client, "lihao")
    assert still_locked.status_code == 429
    assert "_auth_user_id" not in client.session

    # Another account is not affected.
    UserFactory(username="other", roles=[Role.TRAINER])
    assert sign_in(client, "other").status_code == 302


def test_a_locked_account_opens_again_after_the_cool_off(client, trainer, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "lihao", "wrong-password")
    assert sign_in(client, "lihao").status_code == 429
    with time_machine.travel(dt.timedelta(minutes=16)):
        assert sign_in(client, "lihao").status_code == 302


def test_the_sign_in_session_expires(client, trainer, settings):
    sign_in(client, "lihao")
    assert client.get(reverse("trainees:trainer_home")).status_code == 200
    with time_machine.travel(dt.timedelta(seconds=settings.SESSION_COOKIE_AGE + 60)):
        assert client.get(reverse("trainees:trainer_home")).status_code == 302


def test_a_weak_new_password_is_refused_with_the_reason(client, trainer):
    client.force_login(trainer)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["new_password2"]
    assert any("too short" in error for error in errors)
    assert any("entirely numeric" in error for error in errors)


@pytest.fixture
def reset(client, settings, django_capture_on_commit_callbacks):
    """Ask for a reset link as the page does; the queued e-mail is sent as a worker would."""
    settings.CELERY_TASK_ALWAYS_EAGER = True

    def reset(email):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("accounts:password_reset"), {"email": email})

    return reset


def test_a_password_reset_link_works_once(client, trainer, reset):
    response = reset(trainer.email)
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [trainer.email]
    link = re.search(r"https?://testserver(/accounts/password/reset/\S+/)", message.body).group(1)
    assert message.alternatives and link in message.alternatives[0][0]

    # The link redirects to a token-free URL that shows the form.
    form_url = client.get(link)["Location"]
    new_password = "blue-nebula-orbit-7"
    done = client.post(form_url, {"new_password1": new_password, "new_password2": new_password})
    assert done["Location"] == reverse("accounts:password_reset_complete")
    assert sign_in(client, "lihao", new_password).status_code == 302

    client.logout()
    reused = client.get(link, follow=True)
    assert reused.context["validlink"] is False
    assert "already been used or has expired" in reused.content.decode()


def test_a_reset_for_an_unknown_address_says_the_same(reset, db):
    response = reset("nobody@example.org")
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_the_reset_e_mail_is_in_the_account_owners_language(reset, trainee):
    # Asked for from an English page; the trainee reads Urdu.
    reset(trainee.email)
    message = mail.outbox[0]
    assert message.subject == "تربیتی ریکارڈ کے لیے نیا پاس ورڈ مقرر کریں"
    assert "السلام علیکم Ayesha Khan" in message.body
    assert 'dir="rtl"' in message.alternatives[0][0]
