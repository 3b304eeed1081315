"""axe-core on every page that exists, in every language: no serious or critical violation.

axe is injected into a browser context created with bypass_csp, since the site's own policy
rightly refuses injected scripts.
"""

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.e2e.conftest import PHONE
from tests.factories import TraineeFactory, TrainingSessionFactory, UserFactory
from trainees.models import AbsenceNotice

AXE = Path(__file__).parent / "vendor/axe-core-4.14.1/axe.min.js"
LANGUAGES = [code for code, _ in django_settings.LANGUAGES]
# (page, persona who opens it, the `world` object its URL names); None is someone not signed in.
PAGES = [
    ("accounts:login", None, None),
    ("accounts:password_reset", None, None),
    ("trainees:trainee_home", "trainee", None),
    ("trainees:trainer_home", "trainer", None),
    ("trainees:trainee_list", "trainer", None),
    ("trainees:trainee_detail", "trainer", "trainee_a"),
    ("trainees:session_detail", "trainer", "session_a"),
    ("trainees:session_list", "trainer", None),
    ("trainees:session_week", "trainer", None),
    ("trainees:session_schedule", "trainer", "cohort_a"),
    ("trainees:session_log", "trainer", "session_a"),
    ("trainees:series_schedule", "trainer", "cohort_a"),
    ("trainees:series_detail", "trainer", "series_a"),
    ("trainees:series_move", "trainer", "series_a"),
    ("trainees:medical_home", "medic", None),
    ("trainees:hold_detail", "medic", "hold_a"),
    ("curriculum:home", "programme_admin", None),
    ("curriculum:module_detail", "trainee", "module"),
    ("curriculum:revision_detail", "programme_admin", "draft_revision"),
    ("curriculum:module_create", "programme_admin", "draft_revision"),
    ("curriculum:assessment_edit", "programme_admin", "draft_assessment"),
    ("curriculum:revision_import", "programme_admin", None),
    ("curriculum:translations", "programme_admin", "revision"),
    ("curriculum:translation_edit", "programme_admin", "revision"),
    ("curriculum:translations_import_po", "programme_admin", "revision"),
    ("trainees:cohort_revision", "programme_admin", "cohort_a"),
    ("trainees:cohort_board", "trainer", "cohort_a"),
    ("trainees:transcript", "trainee", "trainee_a"),
    ("accounts:password_change", "trainer", None),
    ("home", "no_role", None),
    # The main pages of profile, people, cohorts, trainee status and the medical
    # officer (the confirm and small action pages share their forms' markup).
    ("accounts:profile", "trainer", None),
    ("accounts:people", "programme_admin", None),
    ("accounts:person_add", "programme_admin", None),
    ("accounts:person_detail", "programme_admin", "person_trainer"),
    # Two-factor sign-in: one's own page, and setting up an authenticator (QR code and key).
    ("accounts:second_factor", "trainer", None),
    ("accounts:second_factor_setup", "trainer", None),
    # Notifications, the reminders' lead times, the scheduled jobs.
    ("notifications:list", "trainee", None),
    ("notifications:reminder_settings", "programme_admin", None),
    ("notifications:jobs", "programme_admin", None),
    ("trainees:cohort_list", "programme_admin", None),
    ("trainees:cohort_detail", "programme_admin", "cohort_a"),
    ("trainees:cohort_plan", "programme_admin", "cohort_a"),
    ("trainees:trainee_add", "programme_admin", "cohort_a"),
    ("trainees:trainee_import", "programme_admin", "cohort_a"),
    ("trainees:trainee_status", "programme_admin", "trainee_a"),
    ("trainees:medical_record", "medic", "trainee_a"),
    ("trainees:certificate_add", "medic", "trainee_a"),
    # The weekly report schedule, "send report now" without script, a job's status.
    ("reports:schedule", "programme_admin", None),
    ("reports:report_now", "trainer", "cohort_a"),
    ("reports:job_detail", "trainer", "report_job_a"),
    # The write pages of every role not listed above: assessments, holds, cohorts,
    # people and the curriculum's draft.
    ("trainees:attempt_record", "trainer", "trainee_a"),
    ("trainees:result_detail", "trainer", "result_a"),
    ("trainees:allowance_grant", "programme_admin", "trainee_a"),
    ("trainees:hold_open", "medic", "trainee_b"),
    ("trainees:hold_close", "medic", "hold_a"),
    ("trainees:cohort_add", "programme_admin", None),
    ("trainees:cohort_edit", "programme_admin", "cohort_a"),
    ("accounts:person_edit", "programme_admin", "person_trainer"),
    ("curriculum:module_edit", "programme_admin", "draft_module"),
    ("curriculum:competency_create", "programme_admin", "draft_module"),
    ("curriculum:qualification_create", "programme_admin", "draft_revision"),
    # Resources, a resource, its form, who may instruct what and the grant form.
    ("trainees:resource_list", "trainer", None),
    ("trainees:resource_detail", "programme_admin", "resource"),
    ("trainees:resource_edit", "programme_admin", "resource"),
    ("trainees:unavailability_add", "programme_admin", "resource"),
    ("trainees:authorisation_list", "programme_admin", None),
    ("trainees:authorisation_grant", "programme_admin", None),
    # Timetables: a cohort's as its trainee sees it, a trainer's own, a resource's.
    ("trainees:cohort_timetable", "trainee", "cohort_a"),
    ("trainees:trainer_timetable", "trainer", "person_trainer"),
    ("trainees:resource_timetable", "medic", "resource"),
    # A notice of absence: the trainee's form, and the session's notices as its trainer sees
    # them (`_upcoming`).
    ("trainees:absence_notice", "trainee", "session_upcoming"),
    ("trainees:session_detail", "trainer", "session_upcoming"),
    # API tokens (the person's and, for an admin, the people's) and the API's documentation.
    ("api:tokens", "programme_admin", None),
    ("api:docs", "trainer", None),
]


class AxeBrowser:
    """One browser context for a test's pages, with axe loaded into each page before its own
    scripts: the HTTP cache keeps fonts and style sheets between pages, as a visitor's browser
    does, and each persona signs in once (their session cookie is swapped in per page)."""

    def __init__(self, browser, live_server, **options):
        self.context = browser.new_context(bypass_csp=True, **options)
        self.context.add_init_script(path=str(AXE))
        self.page = self.context.new_page()
        self.url = live_server.url
        self.cookies = {}

    def visit(self, path, user=None, *, language=None):
        """Open the page as `user` (or as someone not signed in, reading `language`)."""
        if user is None:
            cookie = (django_settings.LANGUAGE_COOKIE_NAME, language)
        else:
            if user.pk not in self.cookies:
                client = Client()
                client.force_login(user)
                name = django_settings.SESSION_COOKIE_NAME
                self.cookies[user.pk] = (name, client.cookies[name].value)
            cookie = self.cookies[user.pk]
        self.context.clear_cookies()
        self.context.add_cookies([{"name": cookie[0], "value": cookie[1], "url": self.url}])
        return self.page.goto(self.url + path)

    def serious_violations(self):
        result = self.page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        return [
            f"{v['id']} ({v['impact']}): {v['help']} at "
            + "; ".join(f"{n['target']} {n.get('failureSummary', '')[-120:]}" for n in v["nodes"])
            for v in result["violations"]
            if v["impact"] in {"serious", "critical"}
        ]

    def close(self):
        self.context.close()


DESKTOP = {"width": 1280, "height": 720}


def _upcoming(world):
    """A session of cohort A tomorrow, expecting the trainee (who may give notice) and a
    crewmate who has given it."""
    cohort = world["cohort_a"]
    starts_at = timezone.now() + dt.timedelta(days=1)
    session = TrainingSessionFactory(
        cohort=cohort,
        trainer=cohort.trainers.get(),
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=2),
        status="scheduled",
    )
    crewmate = TraineeFactory(cohort=cohort)
    session.trainees.set([world["trainee_a"], crewmate])
    AbsenceNotice.objects.create(
        session=session,
        trainee=crewmate,
        category="illness",
        reason="Flu, on the medical officer's advice.",
        created_by=crewmate.user,
    )
    return session


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_page_has_a_serious_accessibility_violation(
    request, browser, live_server, personas, world, language
):
    """Each page is loaded once per language and checked at a desktop's width; then, in one
    language of the three in turn, at a phone's, the browser resized as a phone turned sideways
    and back would be (the layout is CSS media queries; the page is not asked again). Every page
    is checked at both widths, and each language at a phone's width on a third of the pages,
    the navigation's collapsed menu on every one of them."""
    personas["no_role"] = UserFactory(username="newcomer")
    for user in personas.values():
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
    world["session_upcoming"] = _upcoming(world)
    axe = AxeBrowser(browser, live_server, viewport=DESKTOP)
    checked = {}
    turn = LANGUAGES.index(language)
    for index, (url_name, persona, obj) in enumerate(PAGES):
        path = reverse(url_name, kwargs={"pk": world[obj].pk} if obj else None)
        user = personas[persona] if persona else None
        axe.page.set_viewport_size(DESKTOP)
        response = axe.visit(path, user, language=language)
        # The page itself, not where a redirect leads; "home" tells someone without a role, 403.
        expected = 403 if persona == "no_role" else 200
        assert (response.status, axe.page.url) == (expected, live_server.url + path), url_name
        assert axe.page.locator("html").get_attribute("lang") == language, url_name
        # A page may be listed for two objects (a held session, one to come): each is checked.
        name = f"{url_name} ({obj})" if obj else url_name
        checked[(name, "desktop")] = axe.serious_violations()
        if index % len(LANGUAGES) == turn:
            axe.page.set_viewport_size(PHONE)
            checked[(name, "phone")] = axe.serious_violations()
    axe.close()
    assert len(checked) == len(PAGES) + len(PAGES[turn :: len(LANGUAGES)])
    failures = [f"{name} ({width}): {v}" for (name, width), found in checked.items() for v in found]
    assert not failures, "\n".join(failures)
    # What was checked, summed at the end of the run across the workers (tests/conftest.py).
    request.node.user_properties.append(
        ("axe", [(name, language, width) for name, width in checked])
    )


# The demo as seeded on the day the suite runs, page by page as its people see it: states that
# the `world` above never meets (a held session waiting to be logged, a trainee behind plan, an
# expiring currency, a hold) are checked too, each in its reader's own language.
DEMO_PAGES = [
    ("trainer", "trainees:trainer_home", None),
    ("trainer", "trainees:session_list", None),
    ("trainer", "trainees:session_week", None),
    ("trainer", "trainees:cohort_board", "payload"),
    ("trainer", "trainees:trainee_detail", "hamza"),
    ("trainer2", "trainees:trainer_home", None),
    ("trainer2", "trainees:session_list", None),
    ("trainee", "trainees:trainee_home", None),
    ("trainee", "trainees:transcript", "trainee"),
    ("hamza", "trainees:trainee_home", None),
    ("gaoyan", "trainees:trainee_home", None),
    ("yangbo", "trainees:trainee_home", None),
    ("xuning", "trainees:trainee_home", None),
    ("medic", "trainees:medical_home", None),
    ("medic", "trainees:medical_record", "gaoyan"),
    ("admin", "curriculum:home", None),
    ("admin", "trainees:cohort_list", None),
    ("admin", "notifications:list", None),
]


def test_no_page_of_the_demo_has_a_serious_accessibility_violation(
    request, browser, live_server, demo
):
    from accounts.models import User
    from trainees.models import Cohort, Trainee

    objects = {t.user.username: t for t in Trainee.objects.select_related("user")}
    objects["payload"] = Cohort.objects.get(name__startswith="Payload")
    failures, languages = [], set()
    axe = AxeBrowser(browser, live_server)
    for username, url_name, obj in DEMO_PAGES:
        user = User.objects.get(username=username)
        languages.add(user.preferred_language)
        path = reverse(url_name, kwargs={"pk": objects[obj].pk} if obj else None)
        response = axe.visit(path, user)
        assert response.status == 200, path
        failures += [f"{username} {url_name}: {v}" for v in axe.serious_violations()]
    axe.close()
    assert languages == set(LANGUAGES)
    assert not failures, "\n".join(failures)
    people = {username for username, _name, _obj in DEMO_PAGES}
    request.node.user_properties.append(
        (
            "coverage",
            f"axe-core on the demo: {len(DEMO_PAGES)} page views by {len(people)} of its people,"
            f" in {len(languages)} languages, no serious or critical violation",
        )
    )
