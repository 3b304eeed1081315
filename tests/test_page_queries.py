"""Every page's query count is fixed: the same with a little data and with ten times more; the
API's listings too (with a personal access token).

The numbers are pinned: a change that adds a query must say why here.
"""

import datetime as dt

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notifications.models import CalendarToken, JobRun, Notification
from tests import factories as f
from tests.api.conftest import bearer
from trainees.models import (
    AbsenceNotice,
    CompetencyGrade,
    Measurement,
    MedicalHold,
    QualificationGrant,
    ResourceUnavailability,
    TrainerAuthorisation,
    TrainingSession,
)

# The layout's own cost on every signed-in page: session, user, the person's permissions (their
# roles' and their own, one query: accounts/backends.py), the bell's unread count.
LAYOUT = 4
# A page that shows curriculum texts (titles, cohort names) reads them in the reader's language:
# one query per revision shown, with the names and the source language (curriculum/texts.py).
# None where every text shown is in the reader's language and its programme was loaded with it
# (a cohort's name with `select_related("revision__programme")`, read in the programme's).
TEXTS = 1


def grow(world, personas, n):
    """Add n trainees to cohort A (each with a medical certificate), n sessions attended by the
    trainee with grades, results and measurements, n closed holds, and n modules in a draft
    revision."""
    cohort = world["cohort_a"]
    trainer = personas["trainer"]
    trainee = world["trainee_a"]
    newcomers = f.TraineeFactory.create_batch(n, cohort=cohort)
    for newcomer in newcomers:
        attendance = f.SessionAttendanceFactory(session=world["session_a"], trainee=newcomer)
        for competency in world["session_a"].module.competencies.all():
            CompetencyGrade.objects.create(attendance=attendance, competency=competency, grade=4)
        MedicalHold.objects.create(
            trainee=newcomer,
            opened_on=cohort.starts_on,
            opened_by=personas["medic"],
            reason="Dental treatment.",
            closed_on=cohort.starts_on + dt.timedelta(days=2),
            closed_by=personas["medic"],
        )
        f.MedicalCertificateFactory(trainee=newcomer, recorded_by=personas["medic"])
    for day in range(n):
        session = f.TrainingSessionFactory(
            cohort=cohort,
            trainer=trainer,
            starts_at=world["session_a"].starts_at - dt.timedelta(days=day + 1),
            series=world["series_a"],
        )
        attendance = f.SessionAttendanceFactory(session=session, trainee=trainee)
        Measurement.objects.create(
            trainee=trainee,
            metric="resting_heart_rate",
            value=60 + day % 10,
            taken_at=session.ends_at,
            attendance=attendance,
            recorded_by=trainer,
        )
    definition = world["result_a"].definition
    taken = trainee.results.filter(definition=definition).count()
    for attempt in range(taken + 1, taken + n + 1):
        f.AssessmentResultFactory(
            trainee=trainee, definition=definition, attempt=attempt, assessor=trainer
        )
    now = timezone.now()
    hall = world["resource"]
    # Half an hour each, an hour apart, after (and before) those of an earlier growth: the
    # trainer and the trainees are in one scheduled session at a time (PostgreSQL's exclusion
    # constraints).
    base = TrainingSession.objects.count()
    for hour in range(base, base + n):
        # Upcoming sessions expecting the whole cohort (in the hall), and held ones not yet
        # logged.
        for starts_at in [now + dt.timedelta(hours=hour + 1), now - dt.timedelta(hours=hour + 5)]:
            session = f.TrainingSessionFactory(
                cohort=cohort,
                trainer=trainer,
                starts_at=starts_at,
                ends_at=starts_at + dt.timedelta(minutes=30),
                status="scheduled",
            )
            session.trainees.set([trainee, *newcomers])
            if starts_at > now:
                session.resources.add(hall)
                # The newcomers tell ahead they will miss it (the timetables count them).
                for newcomer in newcomers:
                    AbsenceNotice.objects.create(
                        session=session,
                        trainee=newcomer,
                        category="duty",
                        reason="Medical board.",
                        created_by=newcomer.user,
                    )
    # Notices of absence on the world's session (its page lists them, its log reads them).
    for newcomer in newcomers:
        AbsenceNotice.objects.create(
            session=world["session_a"],
            trainee=newcomer,
            category="illness",
            reason="Flu.",
            created_by=newcomer.user,
        )
    # Resources, the hall's unavailable periods to come, authorisations of the draft's module
    # codes.
    f.ResourceFactory.create_batch(n)
    first = TrainerAuthorisation.objects.count()
    for i in range(first, first + n):
        ResourceUnavailability.objects.create(
            resource=hall,
            starts_at=now + dt.timedelta(days=100 + i),
            ends_at=now + dt.timedelta(days=100 + i, hours=3),
            reason="Inspection.",
            recorded_by=personas["programme_admin"],
        )
        TrainerAuthorisation.objects.create(
            trainer=trainer,
            programme=world["draft_module"].revision.programme,
            module_code=f"GROW-{i}",
            granted_on=cohort.starts_on,
            granted_by=personas["programme_admin"],
        )
    # Qualifications held, a day apart (the API's listing of them).
    qualification = world["qualification"]
    first = cohort.starts_on + dt.timedelta(days=QualificationGrant.objects.count())
    for day in range(n):
        granted_on = first + dt.timedelta(days=day)
        QualificationGrant.objects.create(
            trainee=trainee,
            qualification=qualification,
            granted_on=granted_on,
            expires_on=qualification.expiry_for(granted_on),
            granted_by=trainer,
        )
    draft = f.RevisionFactory(programme=world["revision"].programme)
    f.ModuleFactory.create_batch(n, revision=draft)
    # Notifications shown to the trainee (half read), and runs of each scheduled job.
    start = Notification.objects.count()
    for i in range(start, start + n):
        Notification.objects.create(
            recipient=trainee.user,
            kind="session_upcoming",
            key=f"grow:{i}",
            params={
                "module_code": "M-1",
                "module_title": "Docking",
                "starts_at": now.isoformat(),
                "location": "Hall 2",
                "url": "",
            },
            shown_at=now,
            read_at=now if i % 2 else None,
        )
        for job in settings.CELERY_BEAT_SCHEDULE.values():
            JobRun.objects.create(job=job["task"], task_id=f"grow-{job['task']}-{i}")


PAGES = [
    # (persona, URL name, world object for the id or None, queries)
    # The record and dashboard: progress (10, the certificates among them), holds, status
    # history, sessions, results, latest measurements; competencies and grades, upcoming
    # sessions, remarks, the two charts' data.
    ("trainee", "trainees:trainee_home", None, LAYOUT + TEXTS + 23),
    ("trainer", "trainees:trainee_detail", "trainee_a", LAYOUT + TEXTS + 23),
    ("medic", "trainees:trainee_detail", "trainee_a", LAYOUT + TEXTS + 23),
    # The cohort, its trainees, their progress loaded at once (10). Counted with the progress
    # cache off (cold); warm, the cohort and its trainees' versions
    # (tests/trainees/progress/test_cache.py).
    ("trainer", "trainees:cohort_board", "cohort_a", LAYOUT + TEXTS + 12),
    ("programme_admin", "trainees:cohort_board", "cohort_a", LAYOUT + TEXTS + 12),
    # The trainee, attendance with grades, results with grades, grants; progress (10).
    ("trainee", "trainees:transcript", "trainee_a", LAYOUT + TEXTS + 16),
    ("programme_admin", "trainees:trainee_list", None, LAYOUT + TEXTS + 2),
    # The cohorts and their trainees (2), the upcoming, recent and held-not-logged sessions (3).
    # Counted cold; warm, the cohorts' versions (tests/trainees/progress/test_cache.py).
    ("trainer", "trainees:trainer_home", None, LAYOUT + TEXTS + 8),
    # + whether the person may log the session (no query for those who log nothing), the
    # notices of absence standing (whether a trainee is expected: only for one still to come)
    ("trainer", "trainees:session_detail", "session_a", LAYOUT + TEXTS + 6),
    ("trainee", "trainees:session_detail", "session_a", LAYOUT + TEXTS + 5),
    # A notice of absence: the session, the trainee, their notice standing.
    ("trainee", "trainees:absence_notice", "session_a", LAYOUT + TEXTS + 3),
    # Holds; trainees and their latest certificates (to renew); trainees (medical records).
    ("medic", "trainees:medical_home", None, LAYOUT + TEXTS + 4),
    ("medic", "trainees:hold_detail", "hold_a", LAYOUT + 2),
    # Programmes, their revisions, the current revisions' modules, assessments, prerequisites.
    ("programme_admin", "curriculum:home", None, LAYOUT + TEXTS + 5),
    ("trainee", "curriculum:module_detail", "module", LAYOUT + TEXTS + 8),
    # the page's count, its sessions, the sessions to log
    ("trainer", "trainees:session_list", None, LAYOUT + TEXTS + 4),
    ("programme_admin", "trainees:session_list", None, LAYOUT + TEXTS + 4),
    ("trainer", "trainees:session_week", None, LAYOUT + TEXTS + 2),
    # The trainer field renders its choices: two queries.
    ("trainer", "trainees:session_schedule", "cohort_a", LAYOUT + TEXTS + 8),
    # A series: the series, its occurrences with their resources, whether the person may
    # change it (no query for a trainee, who trains no cohort).
    ("trainer", "trainees:series_detail", "series_a", LAYOUT + TEXTS + 4),
    ("trainee", "trainees:series_detail", "series_a", LAYOUT + TEXTS + 3),
    ("trainer", "trainees:series_schedule", "cohort_a", LAYOUT + TEXTS + 8),
    ("trainer", "trainees:series_move", "series_a", LAYOUT + TEXTS + 1),
    ("trainer", "trainees:series_cancel", "series_a", LAYOUT + TEXTS + 1),
    ("trainer", "trainees:session_log", "session_a", LAYOUT + TEXTS + 9),
    ("programme_admin", "trainees:session_log", "session_a", LAYOUT + TEXTS + 9),
    # The revision, its modules, their competencies, prerequisites, assessments; qualifications.
    ("programme_admin", "curriculum:revision_detail", "revision", LAYOUT + 6),
    ("programme_admin", "curriculum:revision_detail", "draft_revision", LAYOUT + 6),
    # Without a preview (which runs the progress rule twice per trainee, by design).
    ("programme_admin", "trainees:cohort_revision", "cohort_a", LAYOUT + 3),
    # Cohorts, people, status and the medical record.
    ("programme_admin", "trainees:cohort_list", None, LAYOUT + 2),
    ("trainer", "trainees:cohort_detail", "cohort_a", LAYOUT + 5),
    ("programme_admin", "trainees:cohort_detail", "cohort_a", LAYOUT + 5),
    ("programme_admin", "trainees:cohort_plan", "cohort_a", LAYOUT + TEXTS + 3),
    ("programme_admin", "trainees:trainee_status", "trainee_a", LAYOUT + 2),
    ("programme_admin", "accounts:people", None, LAYOUT + 2),
    # The person, their roles, their history, whether they set up two-factor sign-in.
    ("programme_admin", "accounts:person_detail", "person_trainer", LAYOUT + 4),
    ("medic", "trainees:medical_record", "trainee_a", LAYOUT + TEXTS + 5),
    # The page's count and its notifications (written from their params, no query);
    # the lead times; the jobs' latest runs (their ids, then the runs).
    ("trainee", "notifications:list", None, LAYOUT + 2),
    ("programme_admin", "notifications:reminder_settings", None, LAYOUT + 1),
    ("programme_admin", "notifications:jobs", None, LAYOUT + 2),
    # Reports: the board's "send report now" (cohort, latest job), a job's status,
    # the schedule.
    ("trainer", "reports:report_now", "cohort_a", LAYOUT + TEXTS + 2),
    ("trainer", "reports:job_detail", "report_job_a", LAYOUT + TEXTS + 1),
    ("programme_admin", "reports:schedule", None, LAYOUT + 1),
    # The remaining pages, so that every page of the app is pinned.
    # A file, not a page: no bell (LAYOUT counts it), hence one less than the board's 12.
    ("trainer", "trainees:cohort_board_csv", "cohort_a", LAYOUT + TEXTS + 11),
    ("trainer", "trainees:result_detail", "result_a", LAYOUT + TEXTS + 5),
    ("trainee", "trainees:result_detail", "result_a", LAYOUT + TEXTS + 5),
    ("trainer", "trainees:attempt_record", "trainee_a", LAYOUT + 2),
    ("programme_admin", "trainees:cohort_edit", "cohort_a", LAYOUT + 2),
    ("programme_admin", "trainees:cohort_trainers", "cohort_a", LAYOUT + 3),
    ("programme_admin", "trainees:trainee_add", "cohort_a", LAYOUT + 1),
    ("medic", "trainees:hold_open", "trainee_a", LAYOUT + 1),
    ("medic", "trainees:certificate_add", "trainee_a", LAYOUT + 1),
    # The person, their calendar link, how many API tokens of theirs work.
    ("trainee", "accounts:profile", None, LAYOUT + 3),
    # API tokens: the person's own and those of the people an admin manages (one query).
    ("trainee", "api:tokens", None, LAYOUT + 1),
    ("programme_admin", "api:tokens", None, LAYOUT + 1),
    ("trainee", "api:docs", None, LAYOUT),
    ("programme_admin", "curriculum:module_edit", "draft_module", LAYOUT + 3),
    # A revision's texts: the revision, its modules with competencies and assessments
    # (revision_modules: 5), qualifications, cohorts, their translations (with who made them).
    ("programme_admin", "curriculum:translations", "revision", LAYOUT + 9),
    # The same, for the one text edited.
    ("programme_admin", "curriculum:translation_edit", "revision", LAYOUT + 9),
    # A record's history (the record, its latest history rows with who made them).
    ("programme_admin", "trainees:trainee_history", "trainee_a", LAYOUT + 2),
    ("programme_admin", "trainees:result_history", "result_a", LAYOUT + 2),
    ("programme_admin", "trainees:module_history", "module", LAYOUT + 2),
    ("programme_admin", "trainees:cohort_history", "cohort_a", LAYOUT + 2),
    ("programme_admin", "trainees:session_history", "session_a", LAYOUT + 2),
    ("programme_admin", "trainees:person_history", "person_trainer", LAYOUT + 2),
    # Resources: the page's resources; a resource, its sessions of the next four weeks, its
    # periods to come, the person's calendar token (Subscribe); the forms. Authorisations with
    # their programmes and people (programme names in the reader's language: one query for
    # every programme, none in English); the
    # grant form: trainers, programmes (for the module codes' groups, then the field's choices),
    # module codes.
    ("trainer", "trainees:resource_list", None, LAYOUT + 1),
    ("medic", "trainees:resource_detail", "resource", LAYOUT + TEXTS + 4),
    ("programme_admin", "trainees:resource_edit", "resource", LAYOUT + 1),
    ("programme_admin", "trainees:unavailability_add", "resource", LAYOUT + 1),
    ("programme_admin", "trainees:resource_retire", "resource", LAYOUT + 1),
    ("programme_admin", "trainees:resource_add", None, LAYOUT),
    ("programme_admin", "trainees:resource_history", "resource", LAYOUT + 2),
    ("trainer", "trainees:authorisation_list", None, LAYOUT + 1),
    ("programme_admin", "trainees:authorisation_grant", None, LAYOUT + 4),
    # Timetables, a week each: the subject through its gate, the sessions (with module, cohort
    # and trainer), their resources; a resource's, the person's calendar token (Subscribe).
    ("trainee", "trainees:cohort_timetable", "cohort_a", LAYOUT + TEXTS + 3),
    ("trainer", "trainees:cohort_timetable", "cohort_a", LAYOUT + TEXTS + 3),
    ("trainee", "trainees:trainee_timetable", "trainee_a", LAYOUT + TEXTS + 3),
    ("trainer", "trainees:trainer_timetable", "person_trainer", LAYOUT + TEXTS + 3),
    ("programme_admin", "trainees:trainer_timetable", "person_trainer", LAYOUT + TEXTS + 3),
    ("medic", "trainees:resource_timetable", "resource", LAYOUT + TEXTS + 4),
    # A download: the trainee, then one query per kind of record (13 in all).
    ("trainee", "trainees:my_records", None, LAYOUT + 13),
]


# What every request costs before its records: the token and its person (one query), the use
# recorded (one UPDATE), the person's permissions (one query: accounts/backends.py).
TOKEN = 3

API_LISTINGS = [
    # (persona, URL name, world object for the id or None, queries)
    # The page's count, its rows; trainee lists join the person.
    ("programme_admin", "trainee_list", None, TOKEN + 2),
    ("trainer", "trainee_list", None, TOKEN + 2),
    # + the cohorts' trainers (one prefetch)
    ("trainer", "cohort_list", None, TOKEN + 3),
    # + the expected trainees (one prefetch)
    ("trainer", "session_list", None, TOKEN + 4),
    ("trainee", "session_list", None, TOKEN + 4),
    # + the grades with their competencies (one prefetch)
    ("trainer", "attendance_list", None, TOKEN + 3),
    ("trainer", "result_list", None, TOKEN + 3),
    ("trainer", "grant_list", None, TOKEN + 2),
    ("trainer", "hold_list", None, TOKEN + 2),
    ("medic", "hold_list", None, TOKEN + 2),
    # + prerequisites, competencies, assessments (three prefetches)
    ("trainee", "module_list", None, TOKEN + 5),
    ("programme_admin", "module_list", None, TOKEN + 5),
    # The page's count, its rows.
    ("medic", "resource_list", None, TOKEN + 2),
    # The cohort, its trainees, their progress loaded at once (as the board).
    ("trainer", "cohort_progress", "cohort_a", TOKEN + 12),
    # One trainee's progress: the trainee, then the progress rule's fixed loads.
    ("trainer", "trainee_progress", "trainee_a", TOKEN + 11),
]


@pytest.fixture(scope="class", params=[2, 20], ids=["grown", "grown-ten-times-more"])
def grown(request, class_world, django_db_blocker):
    """The world grown a little, or that and ten times more; each size is built once for the
    class (pytest runs each size's tests together) and only read by the pages."""
    personas, world = class_world
    with django_db_blocker.unblock(), transaction.atomic():
        grow(world, personas, 2)
        if request.param == 20:
            grow(world, personas, 20)
        yield class_world
        transaction.set_rollback(True)


class TestEveryPage:
    @pytest.mark.parametrize(
        ("persona", "url_name", "obj", "queries"),
        PAGES,
        ids=[f"{p[1]}-{p[0]}" for p in PAGES],
    )
    def test_a_page_costs_the_same_with_ten_times_the_data(
        self, grown, db, django_assert_num_queries, persona, url_name, obj, queries
    ):
        personas, world = grown
        client = Client()
        client.force_login(personas[persona])
        url = reverse(url_name, kwargs={"pk": world[obj].pk} if obj else None)
        with django_assert_num_queries(queries):
            assert client.get(url).status_code == 200

    # The API's listings (docs/api.md), on the same grown world: a page of 200 at most.
    @pytest.mark.parametrize(
        ("persona", "name", "obj", "queries"),
        API_LISTINGS,
        ids=[f"api-{p[1]}-{p[0]}" for p in API_LISTINGS],
    )
    def test_an_api_listing_costs_the_same_with_ten_times_the_data(
        self, grown, db, django_assert_num_queries, persona, name, obj, queries
    ):
        personas, world = grown
        api = bearer(personas[persona], "read")
        url = reverse(f"api:{name}", kwargs={"pk": world[obj].pk} if obj else None)
        with django_assert_num_queries(queries):
            response = api.get(url, {"page_size": 200})
        assert response.status_code == 200, response.content

    # A resource's calendar feed (a year's bookings of the hall by cohort A, ten times more in
    # the larger world): the token and its person, the person's permissions, the resource,
    # the sessions (whether the person may open each, in the same query), their resources,
    # the cohort names' texts.
    def test_a_resources_feed_costs_the_same_with_ten_times_the_data(
        self, grown, db, django_assert_num_queries
    ):
        personas, world = grown
        token = CalendarToken.objects.get_or_create(user=personas["trainer"], revoked_at=None)[
            0
        ].token
        url = reverse("resource_calendar_feed", args=[token, world["resource"].pk])
        with django_assert_num_queries(6):
            response = Client().get(url)
        assert response.status_code == 200
        assert response.content.count(b"BEGIN:VEVENT") >= 2


def test_the_sign_in_page_needs_no_query(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get(reverse("accounts:login")).status_code == 200
