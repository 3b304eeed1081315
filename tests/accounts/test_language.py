from django.urls import reverse

from accounts.models import User


def switch_language(client, language, next_url="/accounts/login/"):
    return client.post(reverse("set_language"), {"language": language, "next": next_url})


def test_anonymous_people_switch_language_with_the_cookie(client, db, settings):
    response = switch_language(client, "ur")
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ur"
    page = client.get("/accounts/login/").content.decode()
    assert '<html lang="ur" dir="rtl">' in page
    assert "bootstrap.rtl.min.css" in page


def test_english_and_chinese_pages_run_left_to_right(client, db):
    page = client.get("/accounts/login/").content.decode()
    assert '<html lang="en" dir="ltr">' in page
    switch_language(client, "zh-hans")
    page = client.get("/accounts/login/").content.decode()
    assert '<html lang="zh-hans" dir="ltr">' in page
    assert "登录" in page


def test_a_signed_in_persons_choice_is_kept_in_their_profile(client, trainer):
    client.force_login(trainer)
    switch_language(client, "ur", next_url="/trainer/")
    trainer.refresh_from_db()
    assert trainer.preferred_language == "ur"
    # On another device, with no cookie, the profile decides.
    other_device = client.__class__()
    other_device.force_login(trainer)
    page = other_device.get("/trainer/").content.decode()
    assert 'dir="rtl"' in page


def test_the_profile_language_wins_over_the_cookie_and_the_browser(client, trainee):
    client.cookies["django_language"] = "en"
    client.force_login(trainee)  # prefers Urdu
    response = client.get("/trainee/", headers={"accept-language": "zh-hans"})
    assert response["Content-Language"] == "ur"
    assert '<html lang="ur" dir="rtl">' in response.content.decode()


def test_an_unknown_language_changes_nothing(client, trainer):
    client.force_login(trainer)
    switch_language(client, "xx")
    assert User.objects.get(pk=trainer.pk).preferred_language == "en"


def test_the_switch_takes_a_post_with_a_csrf_token(db):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.get(reverse("set_language")).status_code == 405
    refused = strict.post(reverse("set_language"), {"language": "ur"})
    assert refused.status_code == 403
    assert "This form has expired" in refused.content.decode()


def test_pages_show_the_persons_time_zone(client, trainer):
    trainer.time_zone = "Asia/Karachi"
    trainer.save()
    client.force_login(trainer)
    response = client.get("/trainer/")
    assert response.context["TIME_ZONE"] == "Asia/Karachi"
