"""The dashboard, the cohort board and the transcript, on the course of conftest.py.

Ayesha (`trainee`, cohort A, trained by `trainer`) and Zhao (`other_trainee`, cohort B).
"""

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import SessionAttendanceFactory, TraineeFactory, TrainingSessionFactory, signed
from tests.pdf import pdf_text
from tests.trainees.conftest import prerequisite_complete
from trainees.assessments.services import assessment_record
from trainees.cohorts.services import trainee_status_change
from trainees.medical.services import medical_hold_open
from trainees.models import (
    CompetencyGrade,
    Measurement,
    SessionAttendance,
    Trainee,
    TrainingSession,
)
from trainees.progress.selectors import (
    Trend,
    cohort_board,
    competency_profile,
    hours_chart,
    measurement_charts,
    trainee_progress,
    trainees_progress,
)

pytestmark = pytest.mark.django_db


def _pool_session(ayesha, course, trainer, *, days_ago, grades, remarks=""):
    """A completed session of EVA-2 `days_ago`, Ayesha graded on (suit, tether)."""
    session = TrainingSessionFactory(
        cohort=ayesha.cohort,
        module=course.advanced,
        trainer=trainer,
        starts_at=timezone.now() - dt.timedelta(days=days_ago),
    )
    attendance = SessionAttendanceFactory(session=session, trainee=ayesha, remarks=remarks)
    for competency, grade in zip((course.suit, course.tether), grades, strict=True):
        CompetencyGrade.objects.create(attendance=attendance, competency=competency, grade=grade)
    return attendance


def _standing(profile, competency):
    return next(s for s in profile if s.competency == competency)


# The competency profile --------------------------------------------------------------------


def test_not_observed_is_never_a_grade_nor_averaged(course, ayesha, trainer):
    _pool_session(ayesha, course, trainer, days_ago=5, grades=(2, None))
    _pool_session(ayesha, course, trainer, days_ago=3, grades=(4, None))
    _pool_session(ayesha, course, trainer, days_ago=1, grades=(None, None))
    profile = competency_profile(trainee=ayesha, user=trainer)
    suit = _standing(profile, course.suit)
    # The latest *observed* grade, its trend against the one before; the last session's "not
    # observed" neither lowers it nor breaks the trend.
    assert (suit.latest, suit.trend, suit.grades, suit.not_observed) == (4, Trend.UP, [2, 4], 1)
    tether = _standing(profile, course.tether)
    assert (tether.latest, tether.trend, tether.grades, tether.not_observed) == (None, None, [], 3)


def test_a_trend_declines_and_holds(course, ayesha, trainer):
    _pool_session(ayesha, course, trainer, days_ago=5, grades=(4, 3))
    _pool_session(ayesha, course, trainer, days_ago=3, grades=(3, 3))
    profile = competency_profile(trainee=ayesha, user=trainer)
    assert _standing(profile, course.suit).trend == Trend.DOWN
    assert _standing(profile, course.tether).trend == Trend.STEADY


def test_grades_of_an_assessment_count_in_the_profile(course, ready, trainer):
    assessment_record(
        trainee=ready,
        definition=course.check,
        assessor=trainer,
        taken_at=timezone.now() - dt.timedelta(hours=2),
        score=Decimal(80),
        grades={course.suit: 5, course.tether: None},
        signature=signed(trainer),
    )
    profile = competency_profile(trainee=ready, user=trainer)
    assert _standing(profile, course.suit).latest == 5
    assert _standing(profile, course.tether).not_observed == 1


def test_a_trainee_never_graded_has_no_grade(course, ayesha, trainer):
    profile = competency_profile(trainee=ayesha, user=trainer)
    assert [(s.latest, s.not_observed) for s in profile] == [(None, 0), (None, 0)]


# Charts ---------------------------------------------------------------------------------------


def test_the_hours_chart_cumulates_each_category_week_by_week(course, ayesha, trainer):
    prerequisite_complete(course, ayesha, trainer)  # two 4-hour sessions, 3 and 2 days ago
    chart = hours_chart(trainee=ayesha, user=trainer)
    [dataset] = chart["datasets"]
    assert dataset["key"] == course.basic.category
    assert dataset["data"][-1] == 8.0
    assert dataset["data"] == sorted(dataset["data"])  # cumulative: never goes down
    assert len(chart["labels"]) == len(dataset["data"])


def test_each_measurement_is_charted_against_its_standard(course, ayesha, trainer, settings):
    settings.FITNESS_STANDARDS = {"vo2max": ("min", 42)}
    for days, value in [(20, 41), (10, 44)]:
        Measurement.objects.create(
            trainee=ayesha,
            metric="vo2max",
            value=value,
            taken_at=timezone.now() - dt.timedelta(days=days),
            recorded_by=trainer,
        )
    Measurement.objects.create(
        trainee=ayesha, metric="body_mass", value=61, taken_at=timezone.now(), recorded_by=trainer
    )
    charts = {c["metric"]: c for c in measurement_charts(trainee=ayesha, user=trainer)}
    assert charts["vo2max"]["values"] == [41.0, 44.0]
    assert (charts["vo2max"]["standard_kind"], charts["vo2max"]["standard"]) == ("min", 42)
    assert charts["body_mass"]["standard"] is None


def test_a_programme_admin_sees_no_measurement_chart(course, ayesha, trainer, programme_admin):
    Measurement.objects.create(
        trainee=ayesha, metric="vo2max", value=45, taken_at=timezone.now(), recorded_by=trainer
    )
    assert measurement_charts(trainee=ayesha, user=programme_admin) == []


# Many trainees at once: the same rules ---------------------------------------------------------


def test_progress_of_many_is_the_progress_of_each(course, ayesha, zhao, trainer, medic):
    prerequisite_complete(course, ayesha, trainer)
    medical_hold_open(trainee=zhao, opened_on=timezone.localdate(), reason="Flu.", by=medic)
    together = trainees_progress(trainees=[ayesha, zhao])
    for trainee, progress in zip([ayesha, zhao], together, strict=True):
        alone = trainee_progress(trainee=trainee)
        assert [(p.module.code, p.status, p.hours) for p in progress.modules] == [
            (p.module.code, p.status, p.hours) for p in alone.modules
        ]
        assert progress.readiness == alone.readiness
    assert together[1].readiness.medical_hold and not together[0].readiness.medical_hold


def test_the_board_shows_the_trainees_a_trainer_may_see(course, ayesha, zhao, trainer):
    colleague = TraineeFactory(cohort=ayesha.cohort)
    board = cohort_board(cohort=ayesha.cohort, user=trainer)
    assert {row.progress.trainee for row in board.rows} == {ayesha, colleague}
    assert [m.code for m in board.modules] == ["EVA-1", "EVA-2"]


def test_the_board_filters_modules_by_category_and_keeps_the_overall(course, ayesha, trainer):
    prerequisite_complete(course, ayesha, trainer)
    other = (course.advanced.category != "physical" and "physical") or "operations"
    board = cohort_board(cohort=ayesha.cohort, user=trainer, category=other)
    assert board.modules == [] and board.rows[0].cells == []
    assert board.rows[0].progress.percent_complete == 50


# Pages ----------------------------------------------------------------------------------------


def test_the_dashboard_shows_profile_upcoming_remarks_and_chart_data(
    client, course, ayesha, trainer
):
    _pool_session(ayesha, course, trainer, days_ago=2, grades=(3, None), remarks="Good checks.")
    upcoming = TrainingSessionFactory(
        cohort=ayesha.cohort,
        module=course.advanced,
        trainer=trainer,
        status="scheduled",
        starts_at=timezone.now() + dt.timedelta(days=2),
    )
    upcoming.trainees.set([ayesha])
    not_expected = TrainingSessionFactory(
        cohort=ayesha.cohort,
        module=course.basic,
        trainer=trainer,
        status="scheduled",
        starts_at=timezone.now() + dt.timedelta(days=3),
    )
    client.force_login(trainer)
    response = client.get(reverse("trainees:trainee_detail", args=[ayesha.pk]))
    assert response.context["upcoming"][0] == upcoming
    assert not_expected not in response.context["upcoming"]
    assert [a.remarks for a in response.context["remarks"]] == ["Good checks."]
    page = response.content.decode()
    assert 'id="competency-profile"' in page
    assert "Not observed" in page
    assert 'data-chart="hours"' in page
    charts = json.loads(
        page.split('id="dashboard-charts" type="application/json">')[1].split("<")[0]
    )
    assert charts["hours"]["datasets"][0]["data"] == [4.0]


def test_the_board_page_links_to_each_trainee_with_labelled_statuses(
    client, course, ayesha, trainer
):
    client.force_login(trainer)
    response = client.get(reverse("trainees:cohort_board", args=[ayesha.cohort.pk]))
    page = response.content.decode()
    assert reverse("trainees:trainee_detail", args=[ayesha.pk]) in page
    assert '<span class="badge tt-status-not_started">Not started</span>' in page
    assert '<span class="badge tt-status-blocked">Blocked by a prerequisite</span>' in page
    assert "Not ready" in page


def test_the_board_exports_as_csv(client, course, ayesha, trainer):
    prerequisite_complete(course, ayesha, trainer)
    client.force_login(trainer)
    response = client.get(reverse("trainees:cohort_board_csv", args=[ayesha.cohort.pk]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Trainee", "Status", "Readiness"]
    assert rows[0][-2:] == ["EVA-1 EVA basics", "EVA-2 EVA in the pool"]
    [row] = rows[1:]
    assert row[0] == "Ayesha Khan"
    assert row[2] == "Not ready"
    assert "EVA-2-P" in row[3]
    assert row[-2:] == ["Complete", "Not started"]


def test_a_formula_in_a_name_is_not_exported_as_a_formula(client, course, ayesha, trainer):
    ayesha.user.display_name = "=HYPERLINK(1)"
    ayesha.user.save()
    client.force_login(trainer)
    response = client.get(reverse("trainees:cohort_board_csv", args=[ayesha.cohort.pk]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][0] == "'=HYPERLINK(1)"


def test_the_transcript_lists_every_session_grade_and_signature(client, course, ayesha, trainer):
    prerequisite_complete(course, ayesha, trainer)
    _pool_session(ayesha, course, trainer, days_ago=1, grades=(4, None))
    unsigned = assessment_record(
        trainee=ayesha,
        definition=course.check,
        assessor=trainer,
        taken_at=timezone.now() - dt.timedelta(hours=3),
        score=Decimal(75),
        grades={course.suit: 4, course.tether: 3},
    )
    client.force_login(trainer)  # English; Ayesha reads Urdu
    response = client.get(reverse("trainees:transcript", args=[ayesha.pk]))
    transcript = response.context["transcript"]
    assert len(transcript.attendances) == 3
    assert [r.definition.code for r in transcript.results] == ["EVA-1-W", "EVA-2-P"]
    page = response.content.decode()
    assert "SUIT: 4" in page
    assert "TETHER: not observed" in page
    assert unsigned.signed_by is None
    assert "Not signed: does not count" in page
    assert "Li Hao" in page


def test_the_transcript_pdf_is_a_pdf_even_with_chinese_and_urdu(client, course, ayesha, trainer):
    ayesha.user.native_name = "阿伊莎 عائشہ"
    ayesha.user.save()
    _pool_session(ayesha, course, trainer, days_ago=1, grades=(4, None), remarks="很好")
    client.force_login(trainer)
    response = client.get(reverse("trainees:transcript_pdf", args=[ayesha.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert 'filename="transcript-ayesha.pdf"' in response["Content-Disposition"]
    # The vendored fonts cover each script: the text comes back out of the PDF as it went in.
    text = pdf_text(response.content)
    assert "阿伊莎" in text
    assert "عائشہ" in text
    assert "很好" in text


@pytest.mark.parametrize("name", ["trainee_detail", "transcript", "transcript_pdf"])
def test_a_trainee_cannot_open_another_trainees_pages(client, course, ayesha, zhao, name):
    client.force_login(ayesha.user)
    assert client.get(reverse(f"trainees:{name}", args=[zhao.pk])).status_code == 404
    assert client.get(reverse(f"trainees:{name}", args=[ayesha.pk])).status_code == 200


@pytest.mark.parametrize("name", ["cohort_board", "cohort_board_csv"])
def test_a_trainee_cannot_open_the_board_or_its_export(client, course, ayesha, name):
    client.force_login(ayesha.user)
    assert client.get(reverse(f"trainees:{name}", args=[ayesha.cohort.pk])).status_code == 403


def test_a_withdrawn_trainee_shows_withdrawn_on_the_board(
    client, course, ayesha, trainer, programme_admin
):
    trainee_status_change(
        trainee=ayesha,
        status=Trainee.Status.WITHDRAWN,
        effective_on=timezone.localdate(),
        reason="Left the programme.",
        by=programme_admin,
    )
    client.force_login(programme_admin)
    response = client.get(reverse("trainees:cohort_board", args=[ayesha.cohort.pk]))
    assert "Withdrawn from training" in response.content.decode()


# Fixed queries with 10 and with 1,000 session records -------------------------------------------


def _bulk_sessions(ayesha, course, trainer, n):
    """`n` completed sessions of EVA-2 with Ayesha's attendance, grades (one not observed),
    remarks and a measurement each, bulk-created for speed."""
    now = timezone.now()
    sessions = TrainingSession.objects.bulk_create(
        TrainingSession(
            cohort=ayesha.cohort,
            module=course.advanced,
            trainer=trainer,
            starts_at=now - dt.timedelta(days=400, hours=i * 3),
            ends_at=now - dt.timedelta(days=400, hours=i * 3 - 2),
            status=TrainingSession.Status.COMPLETED,
        )
        for i in range(n)
    )
    attendances = SessionAttendance.objects.bulk_create(
        SessionAttendance(
            session=s,
            trainee=ayesha,
            attendance="present",
            hours_credited=Decimal(2),
            remarks=f"Run {i}",
        )
        for i, s in enumerate(sessions)
    )
    CompetencyGrade.objects.bulk_create(
        CompetencyGrade(attendance=a, competency=c, grade=g)
        for a in attendances
        for c, g in ((course.suit, 3), (course.tether, None))
    )
    Measurement.objects.bulk_create(
        Measurement(
            trainee=ayesha,
            metric="vo2max",
            value=45,
            unit="ml/kg/min",
            taken_at=s.ends_at,
            attendance=a,
            recorded_by=trainer,
        )
        for s, a in zip(sessions, attendances, strict=True)
    )


@pytest.mark.parametrize(
    ("url_name", "of"),
    [
        ("trainees:trainee_detail", "trainee"),
        ("trainees:transcript", "trainee"),
        ("trainees:cohort_board", "cohort"),
        ("trainees:cohort_board_csv", "cohort"),
    ],
)
def test_pages_cost_the_same_with_10_or_1000_sessions(
    client, course, ayesha, trainer, django_assert_num_queries, url_name, of
):
    client.force_login(trainer)
    pk = ayesha.pk if of == "trainee" else ayesha.cohort.pk
    url = reverse(url_name, args=[pk])
    _bulk_sessions(ayesha, course, trainer, 10)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _bulk_sessions(ayesha, course, trainer, 990)
    assert SessionAttendance.objects.filter(trainee=ayesha).count() == 1000
    with django_assert_num_queries(len(small)):
        response = client.get(url)
        assert response.status_code == 200
    assert len(small) > 4
