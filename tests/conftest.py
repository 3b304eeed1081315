"""Personas and the harness every test shares.

The personas mirror the demo people: a payload specialist trainee, a trainee of another cohort,
the trainer, a trainer of another cohort, the medical officer, the programme admin and an operator.
"""

import contextlib
import datetime as dt
import logging
import os
import uuid
from collections import defaultdict
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from accounts.models import Role
from tests.factories import UserFactory

# `make test-dates` (and .ci/run) moves the whole run's clock to another moment, so that code
# which silently depends on today's date fails in CI rather than on a user's machine.
MOVED_CLOCK = "TRACKER_TEST_DATE"
_traveller = None


def moved_clock() -> dt.datetime | None:
    """The moment TRACKER_TEST_DATE names (YYYY-MM-DD[THH:MM], in the site's zone), if set."""
    value = os.environ.get(MOVED_CLOCK, "").strip()
    if not value:
        return None
    from django.conf import settings

    moment = dt.datetime.fromisoformat(value if "T" in value else f"{value}T10:00")
    return moment.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))


def pytest_configure(config):
    global _traveller
    config.addinivalue_line(
        "markers", "expect_error_log: the test provokes an error that is logged on purpose"
    )
    moment = moved_clock()
    if moment is not None:
        # Ticking from there: the tests see time pass as usual, from another day.
        _traveller = time_machine.travel(moment, tick=True)
        _traveller.start()


def pytest_collection_modifyitems(items):
    """Mark the property-based tests `fuzz` (hypothesis draws their input), so that the inner
    loop, `make test-fast`, can leave them to `make test`."""
    import hypothesis

    for item in items:
        function = getattr(item, "function", None)
        if function is None:
            continue
        # @given on the test itself, or inside it (a strategy built from the page it fetched).
        drawn = getattr(function, "is_hypothesis_test", False) or (
            "given" in function.__code__.co_names
            and getattr(item.module, "given", None) is hypothesis.given
        )
        if drawn:
            item.add_marker(pytest.mark.fuzz)


def pytest_unconfigure(config):
    if _traveller is not None:
        _traveller.stop()


def pytest_report_header(config):
    moment = moved_clock()
    if moment is not None:
        return f"clock moved to {moment.isoformat()} ({MOVED_CLOCK}={os.environ[MOVED_CLOCK]})"
    return None


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment, django_db_blocker, django_db_modify_db_settings):
    """pytest-django's set-up of the test database, made from a copy migrated once
    (tests/database.py). None of its options to keep or reuse a database is used here."""
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    from tests.database import migrated_once

    with django_db_blocker.unblock(), migrated_once(connection):
        created = setup_databases(verbosity=0, interactive=False, serialized_aliases=set())
    yield
    with django_db_blocker.unblock():
        teardown_databases(created, verbosity=0)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _sessions_in_the_database(settings):
    """With REDIS_URL, sign-in sessions are read from Redis (settings.py), one query fewer per
    page: the pinned query counts hold for both passes of .ci/run with the database's."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"


@pytest.fixture(autouse=True)
def _a_cache_of_its_own(settings):
    """Rate-limit counters live in the cache: each test starts with an empty one of its own,
    not the shared Redis or var/cache that other tests (and other runs) counted in."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"test-{uuid.uuid4()}",
        }
    }


@pytest.fixture(autouse=True)
def _no_progress_cache(settings):
    """Off, except where `progress_cache_on` turns it on: the pages' own tests count the queries
    of the page computed (cold), and the cache's tests compare the two."""
    settings.PROGRESS_CACHE = False


@pytest.fixture
def progress_cache_on(settings):
    """The progress cache on, in a fresh local-memory cache of the test's own, for tests that
    commit for real (`transaction=True`), as production does."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.PROGRESS_CACHE = True


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """A request by an Urdu- or Chinese-speaking persona leaves its language active in the
    thread; each test starts from the site's default, as a new worker process would."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fail_on_logged_errors(request, caplog):
    """An error logged during a test fails it, unless the test says it provokes one."""
    yield
    if request.node.get_closest_marker("expect_error_log"):
        return
    errors = [r for r in caplog.get_records("call") if r.levelno >= logging.ERROR]
    if errors:
        pytest.fail(
            "Errors were logged; fix them or mark the test expect_error_log:\n"
            + "\n".join(f"{r.name}: {r.getMessage()}" for r in errors)
        )


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@contextlib.contextmanager
def kept_while_in_scope(django_db_blocker):
    """A transaction held open around a module's (or class's) tests, rolled back after them.

    Each test runs inside it in a transaction of its own (ask for `db` after the wider fixture),
    so what one test writes is gone before the next: what was built here is read-only between
    tests. Being module-wide, it is also under the module's later tests that do not ask for it.
    """
    from django.db import transaction
    from django.test import override_settings

    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS, PROGRESS_CACHE=False),
        transaction.atomic(),
    ):
        yield
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def demo_seeded_for_module(django_db_setup, django_db_blocker):
    """The demo seeded once for a module's tests (seconds each time), rolled back after them."""
    from django.core.management import call_command

    with kept_while_in_scope(django_db_blocker):
        call_command("seed_demo", force=True, verbosity=0)
        yield


# The personas: name -> how the factory makes them.
PERSONAS = {
    "trainee": {
        "username": "ayesha",
        "display_name": "Ayesha Khan",
        "native_name": "عائشہ خان",
        "preferred_language": "ur",
        "roles": [Role.TRAINEE],
    },
    "other_trainee": {"username": "zhaolei", "display_name": "Zhao Lei", "roles": [Role.TRAINEE]},
    "trainer": {"username": "lihao", "display_name": "Li Hao", "roles": [Role.TRAINER]},
    "other_trainer": {"username": "zhoumin", "display_name": "Zhou Min", "roles": [Role.TRAINER]},
    "medic": {"username": "sunli", "display_name": "Sun Li", "roles": [Role.MEDICAL_OFFICER]},
    "programme_admin": {
        "username": "chenjing",
        "display_name": "Chen Jing",
        "roles": [Role.PROGRAMME_ADMIN],
    },
    "operator": {
        "username": "ops",
        "display_name": "Site Operator",
        "is_staff": True,
        "is_superuser": True,
    },
}


@pytest.fixture
def trainee(db):
    return UserFactory(**PERSONAS["trainee"])


@pytest.fixture
def other_trainee(db):
    return UserFactory(**PERSONAS["other_trainee"])


@pytest.fixture
def trainer(db):
    return UserFactory(**PERSONAS["trainer"])


@pytest.fixture
def other_trainer(db):
    return UserFactory(**PERSONAS["other_trainer"])


@pytest.fixture
def medic(db):
    return UserFactory(**PERSONAS["medic"])


@pytest.fixture
def programme_admin(db):
    return UserFactory(**PERSONAS["programme_admin"])


@pytest.fixture
def operator(db):
    return UserFactory(**PERSONAS["operator"])


@pytest.fixture
def personas(trainee, other_trainee, trainer, other_trainer, medic, programme_admin, operator):
    return {
        "trainee": trainee,
        "other_trainee": other_trainee,
        "trainer": trainer,
        "other_trainer": other_trainer,
        "medic": medic,
        "programme_admin": programme_admin,
        "operator": operator,
    }


@pytest.fixture
def world(personas):
    return build_world(personas)


@pytest.fixture(scope="class")
def class_personas(django_db_setup, django_db_blocker):
    """The personas made once for a class of tests that only read them or write inside their own
    transaction (ask for `db` too). Outside a class, once per test, as pytest scopes it. The
    Python objects are shared: a test must not change them in memory."""
    with kept_while_in_scope(django_db_blocker):
        yield make_personas()


@pytest.fixture(scope="class")
def class_world(class_personas):
    """(personas, world) made once for a class of tests, as `class_personas`: the access
    matrix, the hostile input, the query counts."""
    return class_personas, build_world(class_personas)


def make_personas() -> dict:
    return {name: UserFactory(**fields) for name, fields in PERSONAS.items()}


def build_world(personas):
    """Two cohorts on one published revision, and a draft revision, around the personas.

    Cohort A: trained by `trainer`, with `trainee` (on an open medical hold).
    Cohort B: trained by `other_trainer`, with `other_trainee` (a closed hold).
    Each cohort has a completed session with attendance, a result and a measurement.
    """
    from reports.models import ReportJob
    from tests import factories as f
    from trainees.models import Measurement

    revision = f.revision_ready(modules=2)
    draft_module = f.ModuleFactory()  # in a revision of its own, never published
    cohort_a = f.CohortFactory(revision=revision, trainers=[personas["trainer"]])
    cohort_b = f.CohortFactory(revision=revision, trainers=[personas["other_trainer"]])
    trainee_a = f.TraineeFactory(user=personas["trainee"], cohort=cohort_a, nationality="PK")
    trainee_b = f.TraineeFactory(user=personas["other_trainee"], cohort=cohort_b)
    objects = {
        "revision": revision,
        "module": revision.modules.first(),
        "draft_module": draft_module,
        "cohort_a": cohort_a,
        "cohort_b": cohort_b,
        "trainee_a": trainee_a,
        "trainee_b": trainee_b,
    }
    for key, cohort, trainee, trainer in [
        ("a", cohort_a, trainee_a, personas["trainer"]),
        ("b", cohort_b, trainee_b, personas["other_trainer"]),
    ]:
        series = f.SessionSeriesFactory(cohort=cohort, trainer=trainer)
        session = f.TrainingSessionFactory(cohort=cohort, trainer=trainer, series=series)
        objects[f"series_{key}"] = series
        attendance = f.SessionAttendanceFactory(session=session, trainee=trainee)
        objects[f"session_{key}"] = session
        objects[f"attendance_{key}"] = attendance
        objects[f"result_{key}"] = f.AssessmentResultFactory(trainee=trainee, assessor=trainer)
        objects[f"measurement_{key}"] = Measurement.objects.create(
            trainee=trainee,
            metric="vo2max",
            value=48,
            taken_at=session.ends_at,
            attendance=attendance,
            recorded_by=trainer,
        )
    objects["hold_a"] = f.MedicalHoldFactory(trainee=trainee_a, opened_by=personas["medic"])
    objects["hold_b"] = f.MedicalHoldFactory(
        trainee=trainee_b,
        opened_by=personas["medic"],
        opened_on=trainee_b.cohort.starts_on,
        closed_on=trainee_b.cohort.starts_on + dt.timedelta(days=3),
        closed_by=personas["medic"],
        reason="Sprained ankle.",
    )
    # The curriculum's write pages: a draft's content, and published content beside it.
    module = objects["module"]
    draft_competency = f.CompetencyFactory(module=draft_module)
    draft_assessment = f.AssessmentDefinitionFactory(module=draft_module)
    objects.update(
        programme=revision.programme,
        draft_revision=draft_module.revision,
        draft_competency=draft_competency,
        draft_assessment=draft_assessment,
        draft_qualification=f.QualificationFactory(conferred_by_assessment=draft_assessment),
        competency=module.competencies.first(),
        assessment=module.assessments.first(),
        qualification=revision.qualifications.first(),
    )
    # Notifications: one shown in the application to each trainee.
    from notifications.models import Notification

    for key, persona in [("a", "trainee"), ("b", "other_trainee")]:
        objects[f"notification_{key}"] = Notification.objects.create(
            recipient=personas[persona],
            kind="debrief_pending",
            key=f"world:{key}",
            params={
                "code": "A-1",
                "title": "Systems exam",
                "url": objects[f"session_{key}"].get_absolute_url(),
            },
            shown_at=objects[f"session_{key}"].ends_at,
        )
    # A "send report now" of each cohort.
    for key, cohort, trainer in [
        ("a", cohort_a, personas["trainer"]),
        ("b", cohort_b, personas["other_trainer"]),
    ]:
        objects[f"report_job_{key}"] = ReportJob.objects.create(
            key=uuid.uuid4(), cohort=cohort, requested_by=trainer
        )
    # API tokens, one per trainer, for the token pages.
    from tests.api.conftest import token_for

    for key, persona in [("a", "trainer"), ("b", "other_trainer")]:
        token_for(personas[persona], "read")
        objects[f"token_{key}"] = personas[persona].access_tokens.get()
    # A hall two sessions may share, an unavailable period of it still to come, and the
    # trainer's authorisation to instruct the draft's module (the resource pages; of a programme
    # no cohort trains, so that scheduling the world's sessions warns of nothing).
    from django.utils import timezone

    from trainees.models import ResourceUnavailability, TrainerAuthorisation

    objects["resource"] = f.ResourceFactory(name="Hall 2", kind="classroom", capacity=2)
    soon = timezone.now() + dt.timedelta(days=60)
    objects["unavailable"] = ResourceUnavailability.objects.create(
        resource=objects["resource"],
        starts_at=soon,
        ends_at=soon + dt.timedelta(days=1),
        reason="Repainting.",
        recorded_by=personas["programme_admin"],
    )
    objects["authorisation"] = TrainerAuthorisation.objects.create(
        trainer=personas["trainer"],
        programme=draft_module.revision.programme,
        module_code=draft_module.code,
        granted_on=cohort_a.starts_on,
        granted_by=personas["programme_admin"],
    )
    # People, for the people pages.
    objects["person_trainer"] = personas["trainer"]
    objects["person_other_trainer"] = personas["other_trainer"]
    objects["person_operator"] = personas["operator"]
    return objects


# What the suite covered, printed at the end: tests report it in `user_properties`, which reach
# the xdist controller, and this conftest (which the controller loads) sums it.
# The hostile-input tests (tests/security): pages, forms, parameters and examples.
COVERED: dict[str, dict] = defaultdict(
    lambda: {"pages": set(), "forms": 0, "parameters": set(), "examples": 0}
)
# axe-core (tests/e2e/test_accessibility.py): (page, language, width) checked.
AXE_CHECKED: set[tuple[str, str, str]] = set()
# Counts a test states once (the access matrix's cases, the demo's pages under axe).
COVERAGE_LINES: list[str] = []


def pytest_runtest_logreport(report):
    if report.when != "call":
        return
    for name, counts in report.user_properties:
        if name == "axe":
            AXE_CHECKED.update(tuple(checked) for checked in counts)
        elif name == "coverage":
            COVERAGE_LINES.append(counts)
        elif name == "hostile":
            kind = COVERED[counts["kind"]]
            kind["pages"].update(counts["pages"])
            kind["forms"] += counts["forms"]
            kind["parameters"].update(counts["parameters"])
            kind["examples"] += counts["examples"]


def pytest_terminal_summary(terminalreporter):
    for line in COVERAGE_LINES:
        terminalreporter.write_line(line)
    if AXE_CHECKED:
        pages = {name for name, _language, _width in AXE_CHECKED}
        languages = sorted({language for _name, language, _width in AXE_CHECKED})
        widths = sorted({width for _name, _language, width in AXE_CHECKED})
        phone = {name for name, _language, width in AXE_CHECKED if width == "phone"}
        terminalreporter.write_line(
            f"axe-core: {len(pages)} pages in {len(languages)} languages ({', '.join(languages)}),"
            f" {len(phone)} of them at a phone's width too ({', '.join(widths)}):"
            f" {len(AXE_CHECKED)} page views checked, no serious or critical violation"
        )
    if not COVERED:
        return
    pages = set().union(*(kind["pages"] for kind in COVERED.values()))
    total = sum(kind["examples"] for kind in COVERED.values())
    terminalreporter.write_line(
        f"hostile input: {total} examples on {len(pages)} pages, "
        f"{sum(k['forms'] for k in COVERED.values())} forms, "
        f"{len(set().union(*(k['parameters'] for k in COVERED.values())))} query parameters"
    )
    for name, kind in sorted(COVERED.items()):
        terminalreporter.write_line(
            f"  {name}: {kind['examples']} examples, {len(kind['pages'])} pages, "
            f"{kind['forms']} forms, {len(kind['parameters'])} parameters"
        )
