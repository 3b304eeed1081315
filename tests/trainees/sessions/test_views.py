"""Trainers schedule, log and cancel sessions in the browser."""

import datetime as dt
import re
import uuid
from decimal import Decimal

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from trainees.models import (
    CompetencyGrade,
    Measurement,
    QualificationGrant,
    SessionAttendance,
    SessionLogDraft,
    TrainingSession,
)

FORMAT = "%Y-%m-%dT%H:%M"


def local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime(FORMAT)


@pytest.fixture
def crew(world):
    """A three-hour session of cohort A, held yesterday and not yet logged, expecting the demo
    trainee and two more."""
    cohort = world["cohort_a"]
    trainees = [world["trainee_a"], *f.TraineeFactory.create_batch(2, cohort=cohort)]
    starts = (timezone.now() - dt.timedelta(days=1)).replace(second=0, microsecond=0)
    session = f.TrainingSessionFactory(
        cohort=cohort,
        module=world["module"],
        trainer=cohort.trainers.first(),
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=3),
        status="scheduled",
    )
    session.trainees.set(trainees)
    return session, trainees


def log_data(session, trainees, *, grades=3, **overrides):
    """What the log form posts when the trainer accepts the defaults and grades everything."""
    competencies = list(session.module.competencies.all())
    data = {
        "submission_key": str(uuid.uuid4()),
        "starts_at": local(session.starts_at),
        "ends_at": local(session.ends_at),
        "version": session.version,
    }
    for trainee in trainees:
        prefix = f"t{trainee.pk}-"
        data[prefix + "attendance"] = "present"
        data[prefix + "hours_credited"] = "3"
        data[prefix + "remarks"] = f"Steady work by {trainee.pk}."
        for competency in competencies:
            data[f"{prefix}c{competency.pk}"] = str(grades) if grades else ""
    data.update(overrides)
    return data


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# Schedule --------------------------------------------------------------------------------------


def test_it_schedules_a_session_with_the_cohort_preselected(world, trainer):
    """The cohort is preselected but for a trainee on a medical hold (world's trainee_a),
    whose name says so."""
    fit = f.TraineeFactory(cohort=world["cohort_a"])
    client = signed_in(trainer)
    url = reverse("trainees:session_schedule", args=[world["cohort_a"].pk])
    page = client.get(url)
    assert page.status_code == 200
    trainees = page.context["form"].fields["trainees"].initial
    assert [t.pk for t in trainees] == [fit.pk]
    assert f'value="{world["trainee_a"].pk}"' in page.content.decode()
    assert f"{world['trainee_a'].user.display_name} (medical hold)" in page.content.decode()
    # The trainer it posts is on the page, chosen: a browser can submit it as it is.
    assert re.search(
        rf'<select name="trainer"[^>]*>.*?<option value="{trainer.pk}" selected>',
        page.content.decode(),
        re.S,
    )
    starts = timezone.localtime() + dt.timedelta(days=2)
    centrifuge = f.ResourceFactory(name="Centrifuge hall", kind="centrifuge")
    data = {
        "submission_key": str(uuid.uuid4()),
        "module": world["module"].pk,
        "trainer": trainer.pk,
        "starts_at": starts.strftime(FORMAT),
        "ends_at": (starts + dt.timedelta(hours=2)).strftime(FORMAT),
        "resources": [centrifuge.pk],
        "trainees": [fit.pk],
    }
    before = TrainingSession.objects.count()
    response = client.post(url, data)
    session = TrainingSession.objects.latest("pk")
    assert response.status_code == 302
    assert response["Location"] == session.get_absolute_url()
    assert (list(session.resources.all()), session.status, session.trainer) == (
        [centrifuge],
        "scheduled",
        trainer,
    )
    assert list(session.trainees.all()) == [fit]
    # The same form sent again (a double tap) creates nothing and leads to what was saved.
    again = client.post(url, data)
    assert TrainingSession.objects.count() == before + 1
    assert again["Location"] == session.get_absolute_url()


def test_it_refuses_a_session_that_ends_before_it_starts_and_keeps_the_input(world, trainer):
    client = signed_in(trainer)
    starts = timezone.localtime() + dt.timedelta(days=2)
    response = client.post(
        reverse("trainees:session_schedule", args=[world["cohort_a"].pk]),
        {
            "submission_key": str(uuid.uuid4()),
            "module": world["module"].pk,
            "trainer": trainer.pk,
            "starts_at": starts.strftime(FORMAT),
            "ends_at": (starts - dt.timedelta(hours=1)).strftime(FORMAT),
            "notes": "Pool 1 at the neutral buoyancy lab",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["ends_at"] == ["A session must end after it starts."]
    assert "Pool 1 at the neutral buoyancy lab" in response.content.decode()


def test_it_refuses_a_module_of_another_revision(world, trainer):
    client = signed_in(trainer)
    starts = timezone.localtime() + dt.timedelta(days=2)
    response = client.post(
        reverse("trainees:session_schedule", args=[world["cohort_a"].pk]),
        {
            "submission_key": str(uuid.uuid4()),
            "module": world["draft_module"].pk,
            "trainer": trainer.pk,
            "starts_at": starts.strftime(FORMAT),
            "ends_at": (starts + dt.timedelta(hours=1)).strftime(FORMAT),
        },
    )
    assert "module" in response.context["form"].errors


@pytest.mark.parametrize(
    ("persona", "status"),
    [("trainee", 403), ("medic", 403), ("other_trainer", 404), ("programme_admin", 200)],
)
def test_only_the_cohorts_trainers_and_admins_schedule_for_it(world, personas, persona, status):
    url = reverse("trainees:session_schedule", args=[world["cohort_a"].pk])
    assert signed_in(personas[persona]).get(url).status_code == status
    assert signed_in(personas[persona]).post(url, {}).status_code == status


def test_the_list_and_the_week_show_the_trainers_sessions_only(world, trainer, crew):
    session, _trainees = crew
    client = signed_in(trainer)
    past = client.get(reverse("trainees:session_list"), {"when": "past"})
    assert session in past.context["page"].object_list
    assert world["session_b"] not in past.context["page"].object_list
    assert session in past.context["to_log"]
    week = client.get(
        reverse("trainees:session_week"), {"week": timezone.localdate(session.starts_at)}
    )
    shown = [s for _day, sessions in week.context["days"] for s in sessions]
    assert session in shown
    assert world["session_b"] not in shown
    assert reverse("trainees:session_log", args=[session.pk]) in past.content.decode()


def test_the_week_view_survives_a_made_up_date(trainer, world):
    response = signed_in(trainer).get(reverse("trainees:session_week"), {"week": "2026-13-45"})
    assert response.context["monday"] <= timezone.localdate()


# Log -------------------------------------------------------------------------------------------


def test_it_logs_the_whole_crew_in_one_submit(world, trainer, crew):
    session, trainees = crew
    client = signed_in(trainer)
    url = reverse("trainees:session_log", args=[session.pk])
    page = client.get(url)
    assert [line.trainee for line in page.context["log"].lines] == sorted(
        trainees, key=lambda t: t.user.display_name
    )
    assert page.context["log"].lines[0]["hours_credited"].value() == Decimal("3.00")
    first, second, third = trainees
    data = log_data(session, trainees)
    data[f"t{second.pk}-attendance"] = "late"
    data[f"t{second.pk}-hours_credited"] = "2.5"
    data[f"t{third.pk}-attendance"] = "absent"  # its hours left at the default
    competency = session.module.competencies.first()
    data[f"t{first.pk}-c{competency.pk}"] = ""  # not observed
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["log"].top.errors
    session.refresh_from_db()
    assert (session.status, session.version) == ("completed", 2)
    hours = dict(
        SessionAttendance.objects.filter(session=session).values_list("trainee", "hours_credited")
    )
    assert hours == {first.pk: Decimal(3), second.pk: Decimal("2.5"), third.pk: Decimal(0)}
    grades = CompetencyGrade.objects.filter(attendance__session=session)
    assert grades.count() == 4  # two competencies for each of the two who were there
    assert grades.get(attendance__trainee=first, competency=competency).grade is None
    assert grades.filter(grade=3).count() == 3
    assert SessionAttendance.objects.get(session=session, trainee=first).history.count() == 1


def test_it_records_measurements_at_a_physical_conditioning_session(world, trainer):
    module = f.ModuleFactory(revision=f.RevisionFactory(), category="physical")
    f.CompetencyFactory(module=module)
    f.revision_publish(module.revision)
    cohort = f.CohortFactory(revision=module.revision, trainers=[trainer])
    trainee = f.TraineeFactory(cohort=cohort)
    session = f.TrainingSessionFactory(
        cohort=cohort,
        module=module,
        trainer=trainer,
        starts_at=timezone.now() - dt.timedelta(hours=5),
        ends_at=timezone.now() - dt.timedelta(hours=2),
        status="scheduled",
    )
    session.trainees.set([trainee])
    client = signed_in(trainer)
    url = reverse("trainees:session_log", args=[session.pk])
    page = client.get(url).content.decode()
    assert "VO2max (ml/kg/min)" in page
    data = log_data(session, [trainee])
    data[f"t{trainee.pk}-m_vo2max"] = "250"  # a typing error: outside the possible range
    data[f"t{trainee.pk}-m_grip_strength"] = "48.5"
    refused = client.post(url, data)
    assert refused.status_code == 200
    line = refused.context["log"].lines[0]
    assert line.errors["m_vo2max"] == ["Ensure this value is less than or equal to 90."]
    assert 'value="250"' in refused.content.decode()
    assert not SessionAttendance.objects.filter(session=session).exists()
    data[f"t{trainee.pk}-m_vo2max"] = "52"
    assert client.post(url, data).status_code == 302
    values = dict(Measurement.objects.filter(trainee=trainee).values_list("metric", "value"))
    assert values == {"vo2max": Decimal(52), "grip_strength": Decimal("48.5")}
    assert Measurement.objects.get(metric="vo2max", trainee=trainee).unit == "ml/kg/min"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("hours_credited", "-1", "Ensure this value is greater than or equal to 0."),
        ("hours_credited", "3.5", "No more than the session lasted (3.00 hours) can be credited."),
        ("c", "6", "Select a valid choice. 6 is not one of the available choices."),
        ("c", "0", "Select a valid choice. 0 is not one of the available choices."),
    ],
)
def test_impossible_values_are_refused_beside_the_field_and_nothing_is_saved(
    world, trainer, crew, field, value, message
):
    session, trainees = crew
    client = signed_in(trainer)
    competency = session.module.competencies.first()
    name = f"c{competency.pk}" if field == "c" else field
    data = log_data(session, trainees)
    data[f"t{trainees[1].pk}-{name}"] = value
    response = client.post(reverse("trainees:session_log", args=[session.pk]), data)
    assert response.status_code == 200
    line = next(line for line in response.context["log"].lines if line.trainee == trainees[1])
    assert line.errors[name] == [message]
    # The rest of what was typed is on the page; nothing of the crew was saved.
    assert f"Steady work by {trainees[0].pk}." in response.content.decode()
    assert not SessionAttendance.objects.filter(session=session).exists()
    session.refresh_from_db()
    assert (session.status, session.version) == ("scheduled", 1)


def test_a_completed_session_cannot_end_in_the_future(world, trainer, crew):
    session, trainees = crew
    later = timezone.now() + dt.timedelta(hours=2)
    response = signed_in(trainer).post(
        reverse("trainees:session_log", args=[session.pk]),
        log_data(session, trainees, ends_at=local(later)),
    )
    assert response.context["log"].top.errors["ends_at"] == [
        "A completed session cannot end in the future."
    ]
    assert not SessionAttendance.objects.filter(session=session).exists()


def test_hours_typed_for_an_absent_trainee_are_refused(world, trainer, crew):
    session, trainees = crew
    data = log_data(session, trainees)
    data[f"t{trainees[0].pk}-attendance"] = "excused"
    data[f"t{trainees[0].pk}-hours_credited"] = "1"
    response = signed_in(trainer).post(reverse("trainees:session_log", args=[session.pk]), data)
    line = next(line for line in response.context["log"].lines if line.trainee == trainees[0])
    assert line.errors["hours_credited"] == ["An absent or excused trainee is credited no hours."]


def test_submitting_the_same_log_twice_saves_it_once(world, trainer, crew):
    session, trainees = crew
    client = signed_in(trainer)
    url = reverse("trainees:session_log", args=[session.pk])
    data = log_data(session, trainees)
    assert client.post(url, data).status_code == 302
    again = client.post(url, data)
    assert again.status_code == 302
    assert again["Location"] == session.get_absolute_url()
    assert SessionAttendance.objects.filter(session=session).count() == 3
    assert CompetencyGrade.objects.filter(attendance__session=session).count() == 6
    session.refresh_from_db()
    assert session.version == 2


def test_the_second_of_two_trainers_saving_is_refused_and_keeps_their_input(
    world, trainer, programme_admin, crew
):
    session, trainees = crew
    url = reverse("trainees:session_log", args=[session.pk])
    first, second = signed_in(trainer), signed_in(programme_admin)
    # Both open the log at version 1; the first saves.
    mine = log_data(session, trainees)
    theirs = log_data(session, trainees, grades=5)
    theirs[f"t{trainees[0].pk}-remarks"] = "Excellent call-outs during the fire drill."
    assert first.post(url, mine).status_code == 302
    response = second.post(url, theirs)
    assert response.status_code == 200
    assert "Someone else saved this session after you opened it" in response.content.decode()
    assert "Excellent call-outs during the fire drill." in response.content.decode()
    assert not CompetencyGrade.objects.filter(attendance__session=session, grade=5).exists()


def test_logging_again_corrects_the_log_and_keeps_the_history(world, trainer, crew):
    session, trainees = crew
    client = signed_in(trainer)
    url = reverse("trainees:session_log", args=[session.pk])
    assert client.post(url, log_data(session, trainees)).status_code == 302
    session.refresh_from_db()
    page = client.get(url)
    line = page.context["log"].lines[0]
    assert line["remarks"].value() == f"Steady work by {line.trainee.pk}."
    data = log_data(session, trainees, grades=4)
    data[f"t{trainees[0].pk}-hours_credited"] = "2"
    assert client.post(url, data).status_code == 302
    attendance = SessionAttendance.objects.get(session=session, trainee=trainees[0])
    assert attendance.hours_credited == Decimal(2)
    assert [h.hours_credited for h in attendance.history.order_by("history_date")] == [
        Decimal(3),
        Decimal(2),
    ]
    assert CompetencyGrade.objects.filter(attendance__session=session, grade=4).count() == 6
    assert SessionAttendance.objects.filter(session=session).count() == 3


def test_a_draft_is_kept_while_typing_and_restored(world, trainer, crew):
    session, trainees = crew
    client = signed_in(trainer)
    data = log_data(session, trainees)
    data[f"t{trainees[0].pk}-remarks"] = "Half-way through the checklist when the wifi dropped."
    saved = client.post(
        reverse("trainees:session_log_draft", args=[session.pk]), data, HTTP_HX_REQUEST="true"
    )
    assert saved.status_code == 200
    assert "Draft saved at" in saved.content.decode()
    page = client.get(reverse("trainees:session_log", args=[session.pk]))
    assert page.context["draft"] is not None
    assert "Half-way through the checklist when the wifi dropped." in page.content.decode()
    assert not SessionAttendance.objects.filter(session=session).exists()  # not a record
    # Saving the log drops the draft.
    assert client.post(reverse("trainees:session_log", args=[session.pk]), data).status_code == 302
    assert not SessionLogDraft.objects.filter(session=session).exists()


def test_a_draft_is_its_authors_alone(world, trainer, programme_admin, crew):
    session, trainees = crew
    data = log_data(session, trainees)
    data[f"t{trainees[0].pk}-remarks"] = "Only mine."
    signed_in(trainer).post(reverse("trainees:session_log_draft", args=[session.pk]), data)
    page = signed_in(programme_admin).get(reverse("trainees:session_log", args=[session.pk]))
    assert page.context["draft"] is None
    assert "Only mine." not in page.content.decode()


def test_a_log_posted_after_the_sign_in_expired_is_kept_on_the_device_not_the_server(
    world, trainer, crew
):
    session, trainees = crew
    client = signed_in(trainer)
    url = reverse("trainees:session_log", args=[session.pk])
    client.get(url)
    client.logout()  # the session cookie has expired
    data = log_data(session, trainees)
    data[f"t{trainees[0].pk}-remarks"] = "Typed for ten minutes on the training floor."
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url}"
    assert not SessionAttendance.objects.filter(session=session).exists()
    assert not SessionLogDraft.objects.exists()
    assert not Session.objects.exists()
    # Signed in again, the page restores the log from the device's copy (session_log.js).
    client.force_login(trainer)
    page = client.get(url).content.decode()
    assert f'data-local-draft="session-log-{session.pk}-v{session.version}"' in page
    assert "data-text-restored=" in page


@pytest.mark.parametrize(
    "name", ["session_log", "session_edit", "session_cancel", "session_log_draft"]
)
def test_a_trainer_of_another_cohort_gets_404_on_every_write(world, other_trainer, crew, name):
    session, trainees = crew
    client = signed_in(other_trainer)
    url = reverse(f"trainees:{name}", args=[session.pk])
    if name != "session_log_draft":
        assert client.get(url).status_code == 404
    assert client.post(url, log_data(session, trainees)).status_code == 404
    assert not SessionAttendance.objects.filter(session=session).exists()
    assert not SessionLogDraft.objects.exists()


@pytest.mark.parametrize("persona", ["trainee", "medic"])
def test_trainees_and_the_medical_officer_cannot_log(world, personas, crew, persona):
    session, trainees = crew
    client = signed_in(personas[persona])
    url = reverse("trainees:session_log", args=[session.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, log_data(session, trainees)).status_code == 403
    assert not SessionAttendance.objects.filter(session=session).exists()


def test_a_trainee_of_another_cohort_is_never_logged(world, trainer, crew):
    session, trainees = crew
    data = log_data(session, trainees)
    foreign = world["trainee_b"]
    data[f"t{foreign.pk}-attendance"] = "present"
    data[f"t{foreign.pk}-hours_credited"] = "3"
    assert (
        signed_in(trainer).post(reverse("trainees:session_log", args=[session.pk]), data)
    ).status_code == 302
    assert not SessionAttendance.objects.filter(session=session, trainee=foreign).exists()


def test_a_drill_renews_its_qualification_for_those_who_attended(world, trainer):
    revision = f.RevisionFactory()
    drill = f.ModuleFactory(revision=revision, category="emergency", required_hours=2)
    exam = f.AssessmentDefinitionFactory(module=f.ModuleFactory(revision=revision))
    qualification = f.QualificationFactory(
        conferred_by_assessment=exam, renewed_by_module=drill, revision=revision
    )
    f.revision_publish(revision)
    cohort = f.CohortFactory(revision=revision, trainers=[trainer])
    there, away = f.TraineeFactory.create_batch(2, cohort=cohort)
    session = f.TrainingSessionFactory(
        cohort=cohort,
        module=drill,
        trainer=trainer,
        starts_at=timezone.now() - dt.timedelta(hours=4),
        ends_at=timezone.now() - dt.timedelta(hours=2),
        status="scheduled",
    )
    session.trainees.set([there, away])
    data = log_data(session, [there, away])
    data[f"t{away.pk}-attendance"] = "absent"
    data[f"t{there.pk}-hours_credited"] = "2"
    data[f"t{away.pk}-hours_credited"] = "0"
    client = signed_in(trainer)
    assert client.post(reverse("trainees:session_log", args=[session.pk]), data).status_code == 302
    grant = QualificationGrant.objects.get(qualification=qualification)
    assert grant.trainee == there
    assert grant.expires_on == timezone.localdate(session.starts_at) + dt.timedelta(days=90)


# Change and cancel -----------------------------------------------------------------------------


def test_a_cancelled_session_keeps_its_record_and_its_reason(world, trainer, crew):
    session, _trainees = crew
    client = signed_in(trainer)
    url = reverse("trainees:session_cancel", args=[session.pk])
    refused = client.post(url, {"version": session.version, "reason": ""})
    assert refused.context["form"].errors["reason"] == ["This field is required."]
    response = client.post(url, {"version": session.version, "reason": "Centrifuge under repair."})
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.status, session.cancellation_reason) == (
        "cancelled",
        "Centrifuge under repair.",
    )
    detail = client.get(session.get_absolute_url()).content.decode()
    assert "Centrifuge under repair." in detail
    # It cannot be logged any more, and it is still there.
    log = client.get(reverse("trainees:session_log", args=[session.pk]))
    assert log.status_code == 302
    assert TrainingSession.objects.filter(pk=session.pk).exists()


def test_a_stale_reschedule_is_refused_and_keeps_the_input(world, trainer, programme_admin):
    starts = timezone.now() + dt.timedelta(days=3)
    session = f.TrainingSessionFactory(
        cohort=world["cohort_a"],
        trainer=trainer,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        status="scheduled",
    )
    url = reverse("trainees:session_edit", args=[session.pk])

    def data(notes):
        return {
            "submission_key": str(uuid.uuid4()),
            "module": session.module_id,
            "starts_at": local(session.starts_at),
            "ends_at": local(session.ends_at),
            "notes": notes,
            "version": 1,
        }

    assert signed_in(programme_admin).post(url, data("Hall A")).status_code == 302
    response = signed_in(trainer).post(url, data("Hall B"))
    assert response.status_code == 200
    assert "Someone else saved this session" in response.content.decode()
    assert "Hall B</textarea>" in response.content.decode()
    session.refresh_from_db()
    assert (session.notes, session.version) == ("Hall A", 2)


# Queries ---------------------------------------------------------------------------------------


def _crew_of(world, trainer, n):
    cohort = f.CohortFactory(revision=world["revision"], trainers=[trainer])
    trainees = f.TraineeFactory.create_batch(n, cohort=cohort)
    starts = (timezone.now() - dt.timedelta(days=1)).replace(second=0, microsecond=0)
    session = f.TrainingSessionFactory(
        cohort=cohort,
        module=world["module"],
        trainer=trainer,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=3),
        status="scheduled",
    )
    session.trainees.set(trainees)
    return session, trainees


# Pinned: a change that adds a query must say why. GET: the sign-in and permissions, the
# bell's unread count, the session, the competencies, the attendances with their
# grades and measurements, the expected roster and the crew, the draft. POST: the same reads,
# the one-time key, the version claim, the session's validation (its constraints checked one by
# one) and then every write in bulk with its history, whatever the crew's size; the cohort's and
# the crew's cache versions raised first, in the one order, then again by each kind of write
# (the session, attendances, grades, measurements: one UPDATE each, of rows already locked).
# + the curriculum texts in the reader's language (one query, curriculum/texts.py).
LOG_PAGE_QUERIES = 12  # and the resources booked
LOG_SAVE_QUERIES = 53  # the labels in the reader's language; the booking rows follow the times


@pytest.mark.parametrize("n", [2, 6])
def test_logging_a_session_costs_the_same_for_2_and_for_6_trainees(
    world, trainer, n, django_assert_num_queries
):
    session, trainees = _crew_of(world, trainer, n)
    client = signed_in(trainer)
    url = reverse("trainees:session_log", args=[session.pk])
    with django_assert_num_queries(LOG_PAGE_QUERIES):
        assert client.get(url).status_code == 200
    with django_assert_num_queries(LOG_SAVE_QUERIES):
        assert client.post(url, log_data(session, trainees)).status_code == 302
    assert SessionAttendance.objects.filter(session=session).count() == n


def test_a_draft_arriving_after_the_log_was_saved_is_not_kept(world, trainer, crew):
    session, trainees = crew
    client = signed_in(trainer)
    data = log_data(session, trainees)
    assert client.post(reverse("trainees:session_log", args=[session.pk]), data).status_code == 302
    late = client.post(reverse("trainees:session_log_draft", args=[session.pk]), data)
    assert "Not kept as a draft" in late.content.decode()
    assert not SessionLogDraft.objects.exists()
