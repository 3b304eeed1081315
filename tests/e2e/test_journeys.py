"""Whole journeys in a real browser, each once in English and once in Urdu.

Every journey starts from the demo data (`seed_demo`, copied in by the `demo` fixture), signs the
person in on the sign-in page and goes where a person would, by the pages' accessible names: link
and button texts, field labels and headings. The names are looked up in the journey's language
through the same catalogues the server uses (`t()`), so the Urdu run clicks the Urdu labels and
checks that the page is right to left and in Urdu script.

(a) the programme admin creates a module and publishes the revision;
(b) the programme admin enrols a trainee;
(c) the trainer schedules a session, logs it with grades for the cohort at phone width and signs
    an assessment;
(d) the medical officer opens a hold and the trainee's readiness changes;
(e) the trainee signs in and sees progress, readiness and the reminder the sweep found.
"""

import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext
from playwright.sync_api import expect

from accounts.forms import SignInForm
from accounts.models import User
from curriculum.models import Module, ProgrammeRevision
from demo.curriculum import COHORT_TEXTS
from demo.seed import DEMO_PASSWORD
from tests.e2e.conftest import PHONE
from trainees.models import AssessmentResult, MedicalHold, SessionAttendance, TrainingSession

LANGUAGES = ["en", "ur"]
ARABIC_SCRIPT = re.compile(r"[\u0600-\u06FF]")
pytestmark = pytest.mark.parametrize("language", LANGUAGES)


def t(language, text):
    """The interface text in the journey's language, from the server's own catalogues."""
    with translation.override(language):
        return gettext(text)


def exactly(text):
    return re.compile(rf"^\s*{re.escape(text)}\s*$")


def field(language, text):
    """A field's label in the journey's language, with the asterisk a required field carries.

    A model form's label is its field's verbose name, a lower-case msgid shown capitalised."""
    names = {t(language, text), capfirst(t(language, text[0].lower() + text[1:]))}
    either = "|".join(re.escape(name) for name in names)
    return re.compile(rf"^\s*(?:{either})\s*\*?\s*$")


def sign_in(browser, base_url, username, language, viewport=None):
    """A new device for `username`, who reads `language`, signed in through the sign-in page."""
    User.objects.filter(username=username).update(preferred_language=language)
    context = browser.new_context(viewport=viewport)
    context.add_cookies([{"name": "django_language", "value": language, "url": base_url}])
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    page.goto(f"{base_url}/accounts/login/")
    with translation.override(language):  # Django's own labels, as the sign-in form has them
        labels = {name: str(f.label) for name, f in SignInForm().fields.items()}
    page.get_by_label(labels["username"]).fill(username)
    page.get_by_label(labels["password"]).fill(DEMO_PASSWORD)
    page.get_by_role("button", name=t(language, "Sign in")).click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    assert_language(page, language)
    return page


def assert_language(page, language):
    html = page.locator("html")
    expect(html).to_have_attribute("lang", language)
    expect(html).to_have_attribute("dir", "rtl" if language == "ur" else "ltr")
    if language == "ur":
        main = page.get_by_role("main").inner_text()
        assert ARABIC_SCRIPT.search(main), f"not Urdu: {main[:200]!r}"


def test_a_the_admin_creates_a_module_and_publishes(browser, live_server, demo, language):
    page = sign_in(browser, live_server.url, "admin", language)
    expect(page.get_by_role("heading", level=1)).to_have_text(t(language, "Programme"))

    page.get_by_role("button", name=t(language, "Start a new revision")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("2")
    page.get_by_role("link", name=t(language, "Add a module")).click()
    assert_language(page, language)
    page.get_by_label(field(language, "Code")).fill("SR-410")
    page.get_by_label(field(language, "Title")).fill("Plant growth in microgravity")
    page.get_by_label(field(language, "Category")).select_option(index=1)
    page.get_by_label(field(language, "Required hours")).fill("6")
    page.get_by_label(re.compile(r"\bSR-401\b")).check()
    page.get_by_role("button", name=t(language, "Save"), exact=True).click()

    module = page.locator("article", has_text="SR-410 Plant growth in microgravity")
    expect(module).to_contain_text("SR-401")
    page.get_by_role("link", name=t(language, "Publish"), exact=True).click()
    page.get_by_role("button", name=t(language, "Publish"), exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(t(language, "Programme"))
    expect(page.locator("li", has_text="SR-410 Plant growth in microgravity")).to_be_visible()
    assert_language(page, language)
    revision = ProgrammeRevision.objects.get(number=2)
    assert revision.is_published
    added = Module.objects.get(revision=revision, code="SR-410")
    assert list(added.prerequisites.values_list("code", flat=True)) == ["SR-401"]
    assert page.errors == []


def test_b_the_admin_enrols_a_trainee(browser, live_server, demo, language):
    page = sign_in(browser, live_server.url, "admin", language)
    page.get_by_role("link", name=t(language, "Cohorts"), exact=True).click()
    # The cohort's name in the reader's language (the demo translates it).
    cohort = "Payload specialist cohort 2026"
    name = COHORT_TEXTS[cohort].get(language, cohort)
    page.get_by_role("link", name=name).click()
    page.get_by_role("link", name=t(language, "Add a trainee")).click()
    assert_language(page, language)
    form = page.locator("main form")
    form.get_by_label(field(language, "Username")).fill("bilal")
    form.get_by_label(field(language, "Name (Latin script)")).fill("Bilal Ahmed")
    form.get_by_label(field(language, "Name in own script")).fill("بلال احمد")
    form.get_by_label(field(language, "E-mail address")).fill("bilal@example.org")
    form.get_by_label(field(language, "Language")).select_option("ur")
    form.get_by_label(field(language, "Agency")).select_option("suparco")
    form.get_by_label(field(language, "Nationality")).select_option("PK")
    form.get_by_label(field(language, "Crew role")).select_option("payload_specialist")
    form.get_by_role("button", name=t(language, "Add and send the invitation")).click()

    expect(page.get_by_role("status")).to_contain_text("Bilal Ahmed")
    expect(page.get_by_role("link", name="Bilal Ahmed")).to_be_visible()
    assert_language(page, language)
    bilal = User.objects.get(username="bilal")
    assert bilal.trainee.cohort.name == "Payload specialist cohort 2026"
    assert bilal.preferred_language == "ur"
    assert page.errors == []


def test_c_the_trainer_schedules_logs_at_phone_width_and_signs(
    browser, live_server, demo, language
):
    page = sign_in(browser, live_server.url, "trainer", language, viewport=PHONE)
    expect(page.get_by_role("heading", level=1)).to_have_text(t(language, "Training floor"))
    page.get_by_role("link", name=t(language, "Schedule a session")).first.click()
    assert_language(page, language)

    # This morning's session, scheduled after the fact so that it can be logged at once.
    trainer = User.objects.get(username="trainer")
    start = timezone.localtime(timezone.now(), trainer.time_zone).replace(
        second=0, microsecond=0
    ) - dt.timedelta(hours=3)
    # Earlier, an hour at a time, until neither the trainer nor the cohort is booked then.
    cohort = trainer.cohorts_trained.first()
    while TrainingSession.objects.filter(
        Q(trainer=trainer) | Q(cohort=cohort),
        status__in=["scheduled", "completed"],
        starts_at__lt=start + dt.timedelta(hours=2),
        ends_at__gt=start,
    ).exists():
        start -= dt.timedelta(hours=1)
    page.get_by_label(field(language, "Module")).select_option(index=1)
    page.get_by_label(field(language, "Starts")).fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label(field(language, "Ends")).fill(
        (start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    )
    page.get_by_label(field(language, "Notes")).fill("Hall 3, journey test")
    page.get_by_role("button", name=t(language, "Schedule"), exact=True).click()
    expect(page.get_by_role("status").or_(page.locator(".alert-success")).first).to_contain_text(
        t(language, "The session is scheduled.")
    )
    session = TrainingSession.objects.get(notes="Hall 3, journey test")
    crew = list(session.trainees.all())
    assert len(crew) >= 2

    # Log it with grades for each trainee of the cohort, on the phone.
    page.goto(f"{live_server.url}/sessions/{session.pk}/log/")
    assert_language(page, language)
    lines = page.locator("fieldset.card")
    expect(lines).to_have_count(len(crew))
    grades_each = lines.first.locator("select[name*='-c']").count()
    assert grades_each >= 1, "the module's competencies are graded in the log"
    for index in range(len(crew)):
        line = lines.nth(index)
        line.get_by_label(field(language, "Attendance")).select_option("present")
        line.get_by_label(field(language, "Hours credited")).fill("2")
        for grade in line.locator("select[name*='-c']").all():
            grade.select_option("4")
    lines.first.get_by_label(field(language, "Remarks")).fill("Steady under the time limit.")
    page.get_by_role("button", name=t(language, "Save the log")).click()
    expect(page.locator(".alert-success")).to_contain_text(t(language, "The session is logged."))
    assert_language(page, language)
    session.refresh_from_db()
    assert session.status == "completed"
    logged = SessionAttendance.objects.filter(session=session)
    assert logged.count() == len(crew)
    assert [line.grades.count() for line in logged] == [grades_each] * len(crew)

    # An assessment for the first of the crew, recorded and signed at once.
    trainee = crew[0]
    page.goto(f"{live_server.url}/trainees/{trainee.pk}/")
    page.get_by_role("link", name=t(language, "Record an attempt")).click()
    page.get_by_label(field(language, "Assessment")).select_option(index=1)
    page.get_by_role("button", name=t(language, "Continue")).click()
    assert_language(page, language)
    score = page.get_by_label(field(language, "Score"))
    if score.count():
        score.fill("90")
    for grade in page.locator("main select[name^='c']").all():
        grade.select_option("4")
    page.get_by_label(field(language, "Sign this result now")).check()
    page.get_by_label(field(language, "Your password, to sign")).fill(DEMO_PASSWORD)
    page.get_by_role("button", name=t(language, "Record the attempt")).click()
    assert_language(page, language)
    result = AssessmentResult.objects.filter(trainee=trainee).latest("pk")
    assert result.signed_by.username == "trainer"
    assert result.passed
    assert page.errors == [], page.errors


def test_d_the_medic_opens_a_hold_and_readiness_changes(browser, live_server, demo, language):
    readiness_heading = t(language, "Readiness for flight assignment")
    hold_item = t(language, "Medical hold")
    trainee_page = sign_in(browser, live_server.url, "wangfang", language)
    readiness = trainee_page.locator("section").filter(
        has=trainee_page.get_by_role("heading", name=readiness_heading)
    )
    expect(readiness).to_be_visible()
    expect(readiness.get_by_role("listitem").filter(has_text=exactly(hold_item))).to_have_count(0)

    page = sign_in(browser, live_server.url, "medic", language)
    expect(page.get_by_role("heading", level=1)).to_have_text(t(language, "Medical holds"))
    wangfang = User.objects.get(username="wangfang")
    page.get_by_role("link", name=wangfang.display_name, exact=True).last.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(wangfang.display_name)
    page.get_by_role("link", name=t(language, "Open a medical hold")).click()
    assert_language(page, language)
    page.get_by_label(field(language, "Reason")).fill("Inner-ear infection; no centrifuge runs.")
    page.get_by_role("button", name=t(language, "Put on medical hold")).click()
    assert_language(page, language)
    hold = MedicalHold.objects.get(trainee__user=wangfang, closed_on__isnull=True)
    assert hold.opened_by.username == "medic"

    trainee_page.reload()
    expect(readiness.locator(".badge.tt-not-ready")).to_have_text(t(language, "Not ready"))
    expect(readiness.get_by_role("listitem").filter(has_text=exactly(hold_item))).to_have_count(1)
    # Only medical officers read the reason.
    expect(trainee_page.get_by_text("Inner-ear infection")).to_have_count(0)
    assert page.errors == [] and trainee_page.errors == []


def test_e_the_trainee_sees_progress_readiness_and_the_reminder(
    browser, live_server, demo, language
):
    call_command("reminders_sweep", inline=True, verbosity=0)
    page = sign_in(browser, live_server.url, "trainee", language)
    expect(page).to_have_url(f"{live_server.url}/trainee/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(t(language, "My progress"))
    expect(page.get_by_role("heading", name=t(language, "Progress"), exact=True)).to_be_visible()
    expect(page.get_by_role("progressbar")).to_be_visible()
    readiness = page.locator("section").filter(
        has=page.get_by_role("heading", name=t(language, "Readiness for flight assignment"))
    )
    expect(readiness.locator(".badge.tt-not-ready")).to_have_text(t(language, "Not ready"))
    expect(readiness.get_by_role("listitem").first).to_be_visible()

    bell = page.locator(".tt-bell")
    expect(bell.locator(".tt-unread-count")).to_be_visible()
    bell.click()
    page.wait_for_url(f"{live_server.url}/notifications/")
    assert_language(page, language)
    unread = page.locator(".tt-notification.tt-unread")
    expect(unread.first).to_be_visible()
    text = unread.first.inner_text()
    if language == "ur":
        assert ARABIC_SCRIPT.search(text), text
    assert page.errors == []
