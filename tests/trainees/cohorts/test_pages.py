"""The programme admin's cohort pages: create and plan a cohort, assign its trainers, close it;
add trainees one by one or from a CSV file (checked first, all or nothing); trainee status."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from tests.factories import CohortFactory, RevisionFactory, UserFactory, revision_ready
from trainees.models import Cohort, CohortPlanEntry, Trainee, TraineeStatusChange


@pytest.fixture
def admin_client(client, programme_admin):
    client.force_login(programme_admin)
    return client


@pytest.fixture
def committing(django_capture_on_commit_callbacks, settings):
    """Run a request's on-commit callbacks as a real commit would, and the invitations they
    queue as a worker would."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    return lambda: django_capture_on_commit_callbacks(execute=True)


# Cohorts ---------------------------------------------------------------------------------------


def test_an_admin_creates_a_cohort_on_a_published_revision_and_plans_it(
    admin_client, trainer, programme_admin
):
    revision = revision_ready(modules=2)
    first, second = revision.modules.order_by("pk")
    response = admin_client.post(
        reverse("trainees:cohort_add"),
        {
            "name": "Payload specialist cohort 2027",
            "revision": revision.pk,
            "starts_on": "2027-01-04",
            "ends_on": "2027-07-05",
            "trainers": [trainer.pk],
        },
    )
    cohort = Cohort.objects.get(name="Payload specialist cohort 2027")
    assert response["Location"] == reverse("trainees:cohort_plan", args=[cohort.pk])
    assert list(cohort.trainers.all()) == [trainer]
    assert cohort.history.first().history_user == programme_admin

    plan = admin_client.get(response["Location"])
    assert plan.context["form"].weeks == 26
    admin_client.post(
        response["Location"],
        {f"m{first.pk}_start": 1, f"m{first.pk}_end": 4, f"m{second.pk}_start": 3},
    )
    # One row without its last week: nothing saved, the message beside it, the input kept.
    assert not cohort.plan.exists()
    admin_client.post(
        response["Location"],
        {
            f"m{first.pk}_start": 1,
            f"m{first.pk}_end": 4,
            f"m{second.pk}_start": 5,
            f"m{second.pk}_end": 8,
        },
    )
    assert [(e.module, e.start_week, e.end_week) for e in cohort.plan.order_by("start_week")] == [
        (first, 1, 4),
        (second, 5, 8),
    ]
    assert cohort.plan.get(module=second).due_on == dt.date(2027, 2, 28)
    # Emptied, a module leaves the plan.
    admin_client.post(response["Location"], {f"m{first.pk}_start": 2, f"m{first.pk}_end": 3})
    assert [(e.module, e.start_week) for e in cohort.plan.all()] == [(first, 2)]


def test_a_plan_row_missing_a_week_is_named_and_the_input_kept(admin_client):
    cohort = CohortFactory()
    module = cohort.revision.modules.get()
    response = admin_client.post(
        reverse("trainees:cohort_plan", args=[cohort.pk]), {f"m{module.pk}_start": 3}
    )
    form = response.context["form"]
    assert form.errors[f"m{module.pk}_end"] == [
        "Give both weeks, or neither to leave the module out."
    ]
    assert form[f"m{module.pk}_start"].value() == "3"
    assert not CohortPlanEntry.objects.exists()


def test_a_plan_cannot_run_past_the_cohorts_end(admin_client):
    cohort = CohortFactory()  # 26 weeks
    module = cohort.revision.modules.get()
    response = admin_client.post(
        reverse("trainees:cohort_plan", args=[cohort.pk]),
        {f"m{module.pk}_start": 20, f"m{module.pk}_end": 27},
    )
    assert f"m{module.pk}_end" in response.context["form"].errors
    assert not CohortPlanEntry.objects.exists()


def test_a_cohort_needs_a_published_revision_and_an_end_after_its_start(admin_client):
    draft = RevisionFactory()
    response = admin_client.post(
        reverse("trainees:cohort_add"),
        {
            "name": "Draft cohort",
            "revision": draft.pk,
            "starts_on": "2027-01-04",
            "ends_on": "2027-01-04",
        },
    )
    errors = response.context["form"].errors
    assert "revision" in errors
    assert errors["ends_on"] == ["The planned end must come after the start."]
    assert response.context["form"]["name"].value() == "Draft cohort"
    assert not Cohort.objects.filter(name="Draft cohort").exists()


def test_sending_the_new_cohort_twice_creates_it_once(admin_client):
    revision = revision_ready()
    data = {
        "name": "Crew 2028",
        "revision": revision.pk,
        "starts_on": "2028-01-03",
        "ends_on": "2028-06-26",
    }
    admin_client.post(reverse("trainees:cohort_add"), data)
    again = admin_client.post(reverse("trainees:cohort_add"), data)
    assert "name" in again.context["form"].errors
    assert Cohort.objects.filter(name="Crew 2028").count() == 1


def test_trainers_are_assigned_and_reassigned(
    admin_client, trainer, other_trainer, programme_admin
):
    cohort = CohortFactory(trainers=[trainer])
    url = reverse("trainees:cohort_trainers", args=[cohort.pk])
    admin_client.post(url, {"trainers": [other_trainer.pk]})
    assert list(cohort.trainers.all()) == [other_trainer]
    # Only trainers can train: a trainee offered by a crafted form is refused.
    trainee = UserFactory(roles=[Role.TRAINEE])
    response = admin_client.post(url, {"trainers": [trainee.pk]})
    assert "trainers" in response.context["form"].errors
    assert list(cohort.trainers.all()) == [other_trainer]
    # The reassignment is in the cohort's history, by whom.
    assert cohort.history.first().history_user == programme_admin
    # The new trainer now sees the cohort; the former one no longer does.
    assert Cohort.objects.visible_to(other_trainer).filter(pk=cohort.pk).exists()
    assert not Cohort.objects.visible_to(trainer).filter(pk=cohort.pk).exists()


@time_machine.travel(dt.datetime(2026, 7, 6, 9, tzinfo=dt.UTC))
def test_closing_a_cohort_graduates_its_trainees_in_training(admin_client, programme_admin):
    cohort = CohortFactory(starts_on=dt.date(2026, 1, 5), ends_on=dt.date(2026, 7, 3))
    staying = Trainee.objects.create(
        user=UserFactory(roles=[Role.TRAINEE]),
        cohort=cohort,
        agency="cmsa",
        nationality="CN",
        crew_role="commander",
        status_since=dt.date(2026, 1, 5),
    )
    left = Trainee.objects.create(
        user=UserFactory(roles=[Role.TRAINEE]),
        cohort=cohort,
        agency="cmsa",
        nationality="CN",
        crew_role="commander",
        status="withdrawn",
        status_since=dt.date(2026, 3, 1),
    )
    response = admin_client.post(
        reverse("trainees:cohort_close", args=[cohort.pk]),
        {"closed_on": "2026-07-03", "graduate": "on", "reason": "Graduated with the cohort."},
    )
    assert response["Location"] == reverse("trainees:cohort_detail", args=[cohort.pk])
    cohort.refresh_from_db()
    assert cohort.closed_on == dt.date(2026, 7, 3)
    staying.refresh_from_db()
    assert (staying.status, staying.status_since) == ("graduated", dt.date(2026, 7, 3))
    change = staying.status_changes.get()
    assert (change.reason, change.recorded_by) == ("Graduated with the cohort.", programme_admin)
    left.refresh_from_db()
    assert left.status == "withdrawn"

    # Closed, the cohort takes no more changes; a second close changes nothing.
    again = admin_client.post(
        reverse("trainees:cohort_close", args=[cohort.pk]),
        {"closed_on": "2026-07-06", "graduate": "on", "reason": "Again."},
    )
    assert "This cohort is closed" in again.content.decode()
    refused = admin_client.post(
        reverse("trainees:cohort_trainers", args=[cohort.pk]), {"trainers": []}
    )
    assert "This cohort is closed" in refused.content.decode()
    cohort.refresh_from_db()
    assert cohort.closed_on == dt.date(2026, 7, 3)


def test_a_cohort_does_not_close_before_it_starts_or_ahead_of_time(admin_client):
    cohort = CohortFactory()
    url = reverse("trainees:cohort_close", args=[cohort.pk])
    before = admin_client.post(url, {"closed_on": str(cohort.starts_on - dt.timedelta(days=1))})
    assert "closed_on" in before.context["form"].errors
    ahead = admin_client.post(url, {"closed_on": str(timezone.localdate() + dt.timedelta(days=1))})
    assert "closed_on" in ahead.context["form"].errors
    cohort.refresh_from_db()
    assert cohort.closed_on is None


# Adding trainees -------------------------------------------------------------------------------


def test_an_admin_adds_a_trainee_who_is_enrolled_and_invited(admin_client, committing):
    cohort = CohortFactory()
    with committing():
        response = admin_client.post(
            reverse("trainees:trainee_add", args=[cohort.pk]),
            {
                "username": "bilal",
                "display_name": "Bilal Ahmed",
                "native_name": "بلال احمد",
                "email": "bilal@example.org",
                "preferred_language": "ur",
                "agency": "suparco",
                "nationality": "PK",
                "crew_role": "payload_specialist",
                "enrolled_on": str(timezone.localdate()),
            },
        )
    assert response["Location"] == reverse("trainees:cohort_detail", args=[cohort.pk])
    trainee = Trainee.objects.get(user__username="bilal")
    assert trainee.cohort == cohort
    assert trainee.user.roles == {Role.TRAINEE}
    assert trainee.status_changes.get().status == "in_training"
    [message] = mail.outbox
    assert message.to == ["bilal@example.org"]
    assert 'dir="rtl"' in message.alternatives[0][0]


HEADER = "username,display_name,native_name,email,preferred_language,agency,nationality,crew_role\n"
GOOD = [
    "bilal,Bilal Ahmed,بلال احمد,bilal@example.org,ur,SUPARCO,pk,Payload_Specialist\n",
    "zhangwei,Zhang Wei,张伟,zhangwei@example.org,zh-hans,cmsa,CN,flight_engineer\n",
    "chenlu,Chen Lu,,chenlu@example.org,,cmsa,CN,commander\n",
]


def _upload(client, cohort, content: str):
    return client.post(
        reverse("trainees:trainee_import", args=[cohort.pk]),
        {"file": SimpleUploadedFile("cohort.csv", content.encode(), content_type="text/csv")},
    )


def test_a_good_csv_is_checked_shown_then_added_all_together(admin_client, committing):
    cohort = CohortFactory()
    checked = _upload(admin_client, cohort, HEADER + "".join(GOOD) + "\n")
    assert checked.status_code == 200
    assert checked.context["check"].errors == []
    assert not User.objects.filter(username="bilal").exists()  # checked, not yet added
    assert "The file is right: 3 trainees to add." in checked.content.decode()
    content = checked.context["confirm"]["content"].value()

    with committing():
        added = admin_client.post(
            reverse("trainees:trainee_import", args=[cohort.pk]), {"content": content}
        )
    assert added["Location"] == reverse("trainees:cohort_detail", args=[cohort.pk])
    trainees = Trainee.objects.filter(cohort=cohort).select_related("user")
    assert sorted((t.user.username, t.agency, t.nationality, t.crew_role) for t in trainees) == [
        ("bilal", "suparco", "PK", "payload_specialist"),
        ("chenlu", "cmsa", "CN", "commander"),
        ("zhangwei", "cmsa", "CN", "flight_engineer"),
    ]
    assert User.objects.get(username="chenlu").preferred_language == "en"
    assert sorted(m.to[0] for m in mail.outbox) == [
        "bilal@example.org",
        "chenlu@example.org",
        "zhangwei@example.org",
    ]

    # The same confirmation sent again adds no one twice: each line is now a taken name.
    again = admin_client.post(
        reverse("trainees:trainee_import", args=[cohort.pk]), {"content": content}
    )
    assert len(again.context["check"].errors) >= 3
    assert Trainee.objects.filter(cohort=cohort).count() == 3


def test_a_csv_with_bad_rows_adds_no_one_and_names_each_line(admin_client, committing, trainer):
    cohort = CohortFactory()
    rows = [
        GOOD[0],
        f"lihao2,Li Hao,,{trainer.email.upper()},en,cmsa,CN,commander\n",  # line 3
        "zhangwei,Zhang Wei,,zw@example.org,en,nasa,CN,flight_engineer\n",  # line 4
        "bilal,Bilal Again,,bilal@example.org,en,suparco,PK,payload_specialist\n",  # line 5
        "noname,,,noname@example.org,xx,cmsa,CN,commander\n",  # line 6
    ]
    with committing():
        response = _upload(admin_client, cohort, HEADER + "".join(rows))
    check = response.context["check"]
    by_line = {}
    for error in check.errors:
        by_line.setdefault(error.line, []).append(error.message)
    assert sorted(by_line) == [3, 4, 5, 6]
    assert by_line[3] == ["E-mail address: Someone else already uses this e-mail address."]
    assert by_line[4][0].startswith("Agency: Select a valid choice.")
    assert "The user name bilal is also on line 2." in by_line[5]
    assert "The e-mail address bilal@example.org is also on line 2." in by_line[5]
    assert any(m.startswith("Name (Latin script): This field is required") for m in by_line[6])
    assert any(m.startswith("Language: Select a valid choice") for m in by_line[6])
    page = response.content.decode()
    assert "Nothing was added." in page
    assert "Line 4: Agency: Select a valid choice." in page
    assert response.context["confirm"] is None
    assert not User.objects.filter(username__in=["bilal", "zhangwei", "lihao2"]).exists()
    assert not Trainee.objects.filter(cohort=cohort).exists()
    assert mail.outbox == []


def test_a_file_that_changed_meanwhile_adds_no_one(admin_client, committing):
    cohort = CohortFactory()
    checked = _upload(admin_client, cohort, HEADER + "".join(GOOD))
    content = checked.context["confirm"]["content"].value()
    UserFactory(username="zhangwei")  # added by someone else between the check and the confirm
    with committing():
        response = admin_client.post(
            reverse("trainees:trainee_import", args=[cohort.pk]), {"content": content}
        )
    assert {e.line for e in response.context["check"].errors} == {3}
    assert not Trainee.objects.filter(cohort=cohort).exists()
    assert not User.objects.filter(username="bilal").exists()
    assert mail.outbox == []


def test_the_import_rolls_back_every_row_when_one_fails_to_save(
    admin_client, committing, monkeypatch
):
    """The backstop: a row that passes the check but fails in the database undoes the rows
    before it, and no invitation leaves."""
    from trainees.cohorts import services as cohort_services

    cohort = CohortFactory()
    enrol = cohort_services.trainee_enrol
    calls = []

    def enrol_then_fail(**kwargs):
        calls.append(kwargs["user"].username)
        if len(calls) == 3:
            raise cohort_services.ValidationError("The database refused this row.")
        return enrol(**kwargs)

    monkeypatch.setattr(cohort_services, "trainee_enrol", enrol_then_fail)
    checked = _upload(admin_client, cohort, HEADER + "".join(GOOD))
    with committing():
        response = admin_client.post(
            reverse("trainees:trainee_import", args=[cohort.pk]),
            {"content": checked.context["confirm"]["content"].value()},
        )
    assert calls == ["bilal", "zhangwei", "chenlu"]
    assert "The database refused this row." in response.content.decode()
    assert not User.objects.filter(username__in=["bilal", "zhangwei", "chenlu"]).exists()
    assert not Trainee.objects.filter(cohort=cohort).exists()
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("\n", "The file is empty."),
        ("username,display_name,email\nx,X,x@example.org\n", "Columns missing: agency"),
        (HEADER.strip() + ",salary\n", "Unknown columns: salary."),
        (HEADER, "The file names no trainee."),
    ],
)
def test_a_file_without_the_right_columns_is_refused(admin_client, content, message):
    cohort = CohortFactory()
    response = _upload(admin_client, cohort, content)
    assert any(message in e.message for e in response.context["check"].errors)
    assert not Trainee.objects.filter(cohort=cohort).exists()


def test_a_file_that_is_not_utf8_is_refused_beside_the_field(admin_client):
    cohort = CohortFactory()
    response = admin_client.post(
        reverse("trainees:trainee_import", args=[cohort.pk]),
        {"file": SimpleUploadedFile("c.csv", (HEADER + GOOD[0]).encode("utf-16"))},
    )
    assert "not UTF-8" in response.context["form"].errors["file"][0]


# Trainee status ----------------------------------------------------------------------------------


def test_withdrawn_graduated_and_flight_assigned_are_in_the_history(admin_client, programme_admin):
    cohort = CohortFactory()
    trainee = Trainee.objects.create(
        user=UserFactory(roles=[Role.TRAINEE]),
        cohort=cohort,
        agency="cmsa",
        nationality="CN",
        crew_role="commander",
        status_since=cohort.starts_on,
    )
    url = reverse("trainees:trainee_status", args=[trainee.pk])
    steps = [
        ("withdrawn", cohort.starts_on + dt.timedelta(days=10), "Family reasons."),
        ("in_training", cohort.starts_on + dt.timedelta(days=20), "Returned to training."),
        ("graduated", cohort.starts_on + dt.timedelta(days=30), "Completed the programme."),
        ("flight_assigned", cohort.starts_on + dt.timedelta(days=40), "Shenzhou crew."),
    ]
    for status, day, reason in steps:
        response = admin_client.post(
            url, {"status": status, "effective_on": str(day), "reason": reason}
        )
        assert response["Location"] == reverse("trainees:trainee_detail", args=[trainee.pk])
    trainee.refresh_from_db()
    assert (trainee.status, trainee.status_since) == ("flight_assigned", steps[-1][1])
    history = list(
        TraineeStatusChange.objects.filter(trainee=trainee)
        .order_by("effective_on")
        .values_list("status", "effective_on", "reason", "recorded_by")
    )
    assert history == [(s, d, r, programme_admin.pk) for s, d, r in steps]
    page = admin_client.get(reverse("trainees:trainee_detail", args=[trainee.pk]))
    html = page.content.decode()
    for _, _, reason in steps:
        assert reason in html


def test_a_status_change_needs_a_reason_and_a_day_that_has_come(admin_client):
    trainee = Trainee.objects.create(
        user=UserFactory(roles=[Role.TRAINEE]),
        cohort=CohortFactory(),
        agency="cmsa",
        nationality="CN",
        crew_role="commander",
    )
    url = reverse("trainees:trainee_status", args=[trainee.pk])
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = admin_client.post(
        url, {"status": "withdrawn", "effective_on": str(tomorrow), "reason": ""}
    )
    errors = response.context["form"].errors
    assert set(errors) == {"effective_on", "reason"}
    response = admin_client.post(
        url,
        {"status": "in_training", "effective_on": str(timezone.localdate()), "reason": "x"},
    )
    assert "status" in response.context["form"].errors  # already in training
    assert not trainee.status_changes.exists()


# Non-admins are refused every write -------------------------------------------------------------


WRITES = [
    ("trainees:cohort_add", None, {"name": "Stolen", "starts_on": "2027-01-04"}),
    ("trainees:cohort_edit", "cohort_a", {"name": "Renamed"}),
    ("trainees:cohort_plan", "cohort_a", {}),
    ("trainees:cohort_trainers", "cohort_a", {"trainers": []}),
    ("trainees:cohort_close", "cohort_a", {"closed_on": "2026-01-01", "graduate": "on"}),
    ("trainees:trainee_add", "cohort_a", {"username": "intruder"}),
    ("trainees:trainee_import", "cohort_a", {"content": HEADER + GOOD[0]}),
    ("trainees:trainee_status", "trainee_a", {"status": "withdrawn", "reason": "x"}),
    ("accounts:person_add", None, {"username": "intruder", "roles": ["programme_admin"]}),
    ("accounts:person_edit", "person_trainer", {"display_name": "Renamed"}),
    ("accounts:person_roles", "person_trainer", {"roles": ["programme_admin"]}),
    ("accounts:person_deactivate", "person_trainer", {}),
    ("accounts:person_reactivate", "person_trainer", {}),
    ("accounts:person_invite", "person_trainer", {}),
]


@pytest.mark.parametrize(
    "persona", ["trainee", "other_trainee", "trainer", "other_trainer", "medic"]
)
def test_only_programme_admins_write_people_and_cohorts(world, personas, persona):
    client = Client()
    client.force_login(personas[persona])
    cohort = world["cohort_a"]
    before = (
        Cohort.history.count(),
        User.history.count(),
        TraineeStatusChange.objects.count(),
        len(mail.outbox),
    )
    for name, obj, data in WRITES:
        url = reverse(name, kwargs={"pk": world[obj].pk} if obj else None)
        assert client.post(url, data).status_code == 403, (persona, name)
    assert (
        Cohort.history.count(),
        User.history.count(),
        TraineeStatusChange.objects.count(),
        len(mail.outbox),
    ) == before
    cohort.refresh_from_db()
    assert cohort.closed_on is None
    assert world["person_trainer"].roles == {Role.TRAINER}
