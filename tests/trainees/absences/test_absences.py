"""Notices of absence (issue 29, part 3): a trainee tells ahead that they will miss a session,
with the reason; the trainer sees it on the session, the timetable and in the log, which opens
with them excused. On a fixed clock: Monday 9 March 2026, 08:00 UTC.

`trainee` (Ayesha, cohort A) is expected at `upcoming`, led by `trainer` tomorrow;
`other_trainee` (cohort B) may not see it.
"""

import datetime as dt
from unittest import mock

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tests import factories as f
from tests.api.conftest import bearer
from trainees.absences import services
from trainees.models import AbsenceNotice, AbsenceNoticeQuerySet, SessionLogDraft
from trainees.signals import absence_noticed

NOW = dt.datetime(2026, 3, 9, 8, 0, tzinfo=dt.UTC)
REASON = "Dental surgery at the Astronaut Center clinic."


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def upcoming(world, trainer):
    session = f.TrainingSessionFactory(
        cohort=world["cohort_a"],
        trainer=trainer,
        starts_at=NOW + dt.timedelta(days=1),
        ends_at=NOW + dt.timedelta(days=1, hours=3),
        status="scheduled",
    )
    session.trainees.add(world["trainee_a"])
    return session


def give(session, trainee, *, reason=REASON, category="medical_appointment", by=None):
    return services.absence_notice_give(
        session=session, trainee=trainee, category=category, reason=reason, by=by or trainee.user
    )


def url(name: str, session) -> str:
    return reverse(f"trainees:{name}", args=[session.pk])


# The services ---------------------------------------------------------------------------------


def test_it_gives_notice_and_tells_the_apps_above_once_saved(world, upcoming):
    told = []

    def receiver(sender, *, notice, **kwargs):
        told.append((notice.pk, AbsenceNotice.objects.filter(pk=notice.pk).exists()))

    absence_noticed.connect(receiver)
    try:
        notice = give(upcoming, world["trainee_a"], reason=f"  {REASON}\n")
    finally:
        absence_noticed.disconnect(receiver)
    assert (notice.category, notice.reason, notice.created_by) == (
        "medical_appointment",
        REASON,
        world["trainee_a"].user,
    )
    assert notice.created_at == NOW and notice.is_standing
    assert told == [(notice.pk, True)]
    assert notice.history.count() == 1


def test_a_second_notice_is_refused_and_a_withdrawn_one_may_be_given_again(world, upcoming):
    trainee = world["trainee_a"]
    first = give(upcoming, trainee)
    with pytest.raises(ValidationError, match="already given notice"):
        give(upcoming, trainee, category="illness")
    services.absence_notice_withdraw(notice=first, by=trainee.user)
    first.refresh_from_db()
    assert first.withdrawn_at == NOW and first.withdrawn_by == trainee.user
    with pytest.raises(ValidationError, match="withdrawn already"):
        services.absence_notice_withdraw(notice=first, by=trainee.user)
    again = give(upcoming, trainee, category="illness")
    assert list(AbsenceNotice.objects.standing().filter(session=upcoming)) == [again]
    assert AbsenceNotice.objects.filter(session=upcoming).count() == 2


def test_a_double_submit_that_races_the_check_is_refused_by_the_database(world, upcoming):
    trainee = world["trainee_a"]
    give(upcoming, trainee)
    # The second request's check ran before the first committed: only the constraint is left.
    with (
        mock.patch.object(AbsenceNoticeQuerySet, "standing", lambda self: self.none()),
        pytest.raises(ValidationError, match="already given notice"),
    ):
        give(upcoming, trainee)
    assert AbsenceNotice.objects.filter(session=upcoming).count() == 1


@pytest.mark.parametrize(
    ("change", "refusal"),
    [
        ({"status": "cancelled", "cancellation_reason": "Pool closed."}, "scheduled session"),
        ({"status": "completed"}, "scheduled session"),
        (
            {"starts_at": NOW - dt.timedelta(minutes=1), "ends_at": NOW + dt.timedelta(hours=1)},
            "has started",
        ),
    ],
    ids=["cancelled", "held", "started"],
)
def test_it_is_refused_for_a_session_not_still_to_come(world, upcoming, change, refusal):
    for field, value in change.items():
        setattr(upcoming, field, value)
    upcoming.save()
    with pytest.raises(ValidationError, match=refusal):
        give(upcoming, world["trainee_a"])
    assert not AbsenceNotice.objects.exists()


def test_it_is_refused_where_not_expected_and_by_anyone_but_the_trainee(world, upcoming):
    upcoming.trainees.clear()
    with pytest.raises(ValidationError, match="not expected"):
        give(upcoming, world["trainee_a"])
    upcoming.trainees.add(world["trainee_a"])
    with pytest.raises(ValidationError, match="Only the trainee"):
        give(upcoming, world["trainee_a"], by=upcoming.trainer)
    notice = give(upcoming, world["trainee_a"])
    with pytest.raises(ValidationError, match="Only the trainee"):
        services.absence_notice_withdraw(notice=notice, by=upcoming.trainer)


def test_withdrawing_is_refused_once_the_session_has_started(world, upcoming):
    notice = give(upcoming, world["trainee_a"])
    with (
        time_machine.travel(upcoming.starts_at, tick=False),
        pytest.raises(ValidationError, match="has started"),
    ):
        services.absence_notice_withdraw(notice=notice, by=world["trainee_a"].user)
    assert AbsenceNotice.objects.get().is_standing


@pytest.mark.parametrize(
    ("category", "reason", "field"),
    [
        ("medical_appointment", "Dentist\x00", "reason"),
        ("medical_appointment", "x" * (AbsenceNotice.REASON_MAX + 1), "reason"),
        ("medical_appointment", "   ", "reason"),
        ("holiday", REASON, "category"),
    ],
    ids=["nul", "too-long", "blank", "unknown-category"],
)
def test_the_service_refuses_hostile_input_before_the_database(
    world, upcoming, category, reason, field
):
    with pytest.raises(ValidationError) as refused:
        give(upcoming, world["trainee_a"], category=category, reason=reason)
    assert field in refused.value.message_dict
    assert not AbsenceNotice.objects.exists()


def test_the_longest_reason_is_stored_whole(world, upcoming):
    notice = give(upcoming, world["trainee_a"], reason="x" * AbsenceNotice.REASON_MAX)
    notice.refresh_from_db()
    assert len(notice.reason) == AbsenceNotice.REASON_MAX


def test_who_sees_a_notice(world, upcoming, personas):
    notice = give(upcoming, world["trainee_a"])
    visible = {
        name: AbsenceNotice.objects.visible_to(user).filter(pk=notice.pk).exists()
        for name, user in personas.items()
    }
    assert visible == {
        "trainee": True,
        "other_trainee": False,
        "trainer": True,
        "other_trainer": False,
        "medic": True,
        "programme_admin": True,
        "operator": True,
    }


# The pages ------------------------------------------------------------------------------------


def test_the_trainee_gives_notice_on_the_page(world, upcoming, trainee):
    client = signed_in(trainee)
    page = client.get(url("absence_notice", upcoming))
    assert page.status_code == 200
    assert page.context["refusal"] is None and page.context["notice"] is None
    assert 'name="reason"' in page.content.decode()

    response = client.post(
        url("absence_notice", upcoming), {"category": "illness", "reason": REASON}
    )
    assert response.status_code == 302 and response["Location"] == url("session_detail", upcoming)
    notice = AbsenceNotice.objects.get()
    assert (notice.trainee, notice.category, notice.reason) == (
        world["trainee_a"],
        "illness",
        REASON,
    )
    # The page now shows the notice and the way to withdraw it; a second post makes nothing.
    page = client.get(url("absence_notice", upcoming))
    assert page.context["notice"] == notice
    assert url("absence_notice_withdraw", upcoming) in page.content.decode()
    client.post(url("absence_notice", upcoming), {"category": "other", "reason": "Again."})
    assert AbsenceNotice.objects.count() == 1


@pytest.mark.parametrize(
    ("reason", "kept"),
    [
        ("Dentist\x00appointment", "Dentist"),
        ("y" * (AbsenceNotice.REASON_MAX + 1), "y" * 50),
        ("", None),
    ],
    ids=["nul", "too-long", "missing"],
)
def test_bad_input_is_shown_beside_the_field_with_the_input_kept(
    world, upcoming, trainee, reason, kept
):
    response = signed_in(trainee).post(
        url("absence_notice", upcoming), {"category": "travel", "reason": reason}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["reason"]
    html = response.content.decode()
    assert 'aria-invalid="true"' in html or "is-invalid" in html
    if kept:
        assert kept in html
    assert 'value="travel" selected' in html
    assert not AbsenceNotice.objects.exists()


def test_the_page_says_why_notice_cannot_be_given_for_a_held_session(world, trainee):
    response = signed_in(trainee).get(url("absence_notice", world["session_a"]))
    assert response.status_code == 200
    assert response.context["refusal"]
    assert 'name="reason"' not in response.content.decode()
    posted = signed_in(trainee).post(
        url("absence_notice", world["session_a"]), {"category": "illness", "reason": REASON}
    )
    assert posted.status_code == 200 and posted.context["form"].non_field_errors()
    assert not AbsenceNotice.objects.exists()


def test_a_session_the_trainee_may_not_see_is_not_found(world, upcoming, other_trainee):
    client = signed_in(other_trainee)
    assert client.get(url("absence_notice", upcoming)).status_code == 404
    give(upcoming, world["trainee_a"])
    assert client.post(url("absence_notice_withdraw", upcoming)).status_code == 404
    assert AbsenceNotice.objects.get().is_standing


def test_staff_may_not_give_notice_for_a_trainee(world, upcoming, trainer, programme_admin):
    for user in (trainer, programme_admin):
        client = signed_in(user)
        assert client.get(url("absence_notice", upcoming)).status_code == 403
        assert client.post(url("absence_notice_withdraw", upcoming)).status_code == 403


def test_the_trainee_withdraws_their_notice(world, upcoming, trainee):
    give(upcoming, world["trainee_a"])
    client = signed_in(trainee)
    assert client.get(url("absence_notice_withdraw", upcoming)).status_code == 405
    response = client.post(url("absence_notice_withdraw", upcoming))
    assert response.status_code == 302
    assert not AbsenceNotice.objects.standing().exists()
    # Nothing standing: said so, nothing changed.
    assert client.post(url("absence_notice_withdraw", upcoming)).status_code == 302
    assert AbsenceNotice.objects.count() == 1


def test_the_session_page_lists_notices_for_the_trainer_and_links_the_trainee(
    world, upcoming, trainer, trainee, other_trainer
):
    expected = signed_in(trainee).get(url("session_detail", upcoming))
    assert expected.context["gives_notice"] is True
    assert url("absence_notice", upcoming) in expected.content.decode()
    give(upcoming, world["trainee_a"])

    page = signed_in(trainer).get(url("session_detail", upcoming))
    assert [n.reason for n in page.context["notices"]] == [REASON]
    html = page.content.decode()
    assert "Notices of absence" in html and REASON in html and "Medical appointment" in html
    assert page.context["gives_notice"] is False


def test_the_timetables_mark_the_session(world, upcoming, trainer, trainee):
    give(upcoming, world["trainee_a"])
    on = {"view": "day", "on": "2026-03-10"}
    trainers = signed_in(trainer).get(reverse("trainees:trainer_timetable", args=[trainer.pk]), on)
    assert "1 excused ahead" in trainers.content.decode()
    trainee.preferred_language = "en"
    trainee.save()
    own = signed_in(trainee).get(
        reverse("trainees:trainee_timetable", args=[world["trainee_a"].pk]), on
    )
    html = own.content.decode()
    assert "You gave notice" in html and url("absence_notice", upcoming) in html


def test_the_trainees_dashboard_links_the_notice(world, upcoming, trainee):
    client = signed_in(trainee)
    home = client.get(reverse("trainees:trainee_home"))
    assert url("absence_notice", upcoming) in home.content.decode()
    assert [s.noticed for s in home.context["upcoming"]] == [False]
    give(upcoming, world["trainee_a"])
    # The cached record is raised with the notice: it shows at once.
    home = client.get(reverse("trainees:trainee_home"))
    assert [s.noticed for s in home.context["upcoming"]] == [True]


def _log_line(response, trainee):
    return next(line for line in response.context["log"].lines if line.trainee == trainee)


def test_the_log_opens_with_the_trainee_excused_and_the_reason_as_remark(world, upcoming, trainer):
    give(upcoming, world["trainee_a"])
    client = signed_in(trainer)
    line = _log_line(client.get(url("session_log", upcoming)), world["trainee_a"])
    assert line.initial["attendance"] == "excused"
    assert line.initial["remarks"] == REASON
    assert line.initial["hours_credited"] == 0
    assert 'value="excused" selected' in str(line["attendance"])

    # A draft saved since still wins.
    SessionLogDraft.objects.create(
        session=upcoming,
        author=trainer,
        data={f"t{world['trainee_a'].pk}-attendance": ["present"]},
    )
    line = _log_line(client.get(url("session_log", upcoming)), world["trainee_a"])
    assert line.initial["attendance"] == "present"


def test_a_withdrawn_notice_leaves_the_log_as_it_was(world, upcoming, trainer):
    notice = give(upcoming, world["trainee_a"])
    services.absence_notice_withdraw(notice=notice, by=world["trainee_a"].user)
    line = _log_line(signed_in(trainer).get(url("session_log", upcoming)), world["trainee_a"])
    assert "attendance" not in line.initial


# The API --------------------------------------------------------------------------------------


def api_url(session) -> str:
    return reverse("api:session_absence", args=[session.pk])


def test_the_api_gives_and_withdraws_notice(world, upcoming, trainee):
    api = bearer(trainee)
    body = {"category": "duty", "reason": REASON}
    given = api.post(api_url(upcoming), body, content_type="application/json")
    assert given.status_code == 201, given.content
    assert given.json()["reason"] == REASON and given.json()["withdrawn_at"] is None
    again = api.post(api_url(upcoming), body, content_type="application/json")
    assert again.status_code == 400
    assert "already given notice" in again.json()["errors"][0]["detail"]
    withdrawn = api.delete(api_url(upcoming))
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawn_at"].endswith("Z")
    assert api.delete(api_url(upcoming)).status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"category": "duty", "reason": "Dentist\x00"},
        {"category": "duty", "reason": "z" * (AbsenceNotice.REASON_MAX + 1)},
        {"category": "duty", "reason": 12},
        {"category": "holiday", "reason": REASON},
        {"category": "duty"},
    ],
    ids=["nul", "too-long", "not-text", "unknown-category", "no-reason"],
)
def test_the_api_refuses_hostile_input(world, upcoming, trainee, body):
    response = bearer(trainee).post(api_url(upcoming), body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert not AbsenceNotice.objects.exists()


def test_the_api_lets_in_only_the_trainee_who_may_see_the_session(
    world, upcoming, trainer, other_trainee
):
    body = {"category": "duty", "reason": REASON}
    assert (
        bearer(other_trainee)
        .post(api_url(upcoming), body, content_type="application/json")
        .status_code
        == 404
    )
    assert (
        bearer(trainer).post(api_url(upcoming), body, content_type="application/json").status_code
        == 403
    )
    assert not AbsenceNotice.objects.exists()
