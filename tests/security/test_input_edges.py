"""Regressions: each input that once answered a 500 (on PostgreSQL, or on both
databases) answers a message now, and writes nothing.

The defences live in trainingtracker/inputs.py (ranges, NUL, CSV reading, schema errors) and in
one schema per import format (curriculum/schemas.py, trainees/cohorts/imports.py).
"""

import datetime as dt
import json
import zoneinfo

import pytest
from axes.models import AccessAttempt
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from curriculum.models import Module, Programme, ProgrammeRevision
from curriculum.selectors import revision_export
from trainees.models import Cohort, CohortPlanEntry, SessionLogDraft, TrainingSession


def _upload(name, content):
    data = content.encode("utf-8", "surrogatepass") if isinstance(content, str) else content
    return SimpleUploadedFile(name, data, "text/plain")


# NUL bytes where PostgreSQL stores text ---------------------------------------------------------


def test_it_keeps_no_nul_in_a_session_log_draft(world, trainer, client):
    client.force_login(trainer)
    session = world["session_a"]
    url = reverse("trainees:session_log_draft", kwargs={"pk": session.pk})
    response = client.post(url, {"version": session.version, "notes": "left\x00 out"})
    assert response.status_code == 200
    draft = SessionLogDraft.objects.get(session=session)
    assert "\x00" not in json.dumps(draft.data)
    assert draft.data["notes"] == ["left out"]
    page = client.get(reverse("trainees:session_log", kwargs={"pk": session.pk}))
    assert page.status_code == 200


def test_it_keeps_no_nul_in_a_log_posted_after_the_sign_in_expired(world, trainer, client):
    session = world["session_a"]
    url = reverse("trainees:session_log", kwargs={"pk": session.pk})
    client.post(url, {"notes": "typed\x00 before", "version": session.version})
    client.force_login(trainer)
    page = client.get(url)
    assert page.status_code == 200
    # The typed log is kept on the trainer's device, not on the server: nothing of
    # the stranger's post, NUL or not, was stored to be restored.
    assert not SessionLogDraft.objects.filter(session=session).exists()


def test_a_calendar_feed_url_with_nul_is_not_found(db, client):
    assert client.get("/calendar/ab%00cd.ics").status_code == 404


# Dates and numbers past what the database or Python holds -----------------------------------------


def test_a_session_starting_in_year_1_is_refused_beside_the_field(world, trainer, client):
    client.force_login(trainer)
    cohort = world["cohort_a"]
    url = reverse("trainees:session_schedule", kwargs={"pk": cohort.pk})
    page = client.get(url)
    key = page.context["form"]["submission_key"].value()
    before = TrainingSession.objects.count()
    response = client.post(
        url,
        {
            "submission_key": key,
            "module": world["module"].pk,
            "starts_at": "0001-01-01T00:00",
            "ends_at": "0001-01-01T02:00",
            "trainer": trainer.pk,
        },
    )
    assert response.status_code == 200
    assert "between 1900 and 2200" in response.content.decode()
    assert TrainingSession.objects.count() == before


def test_a_session_in_year_9999_is_refused_so_no_viewer_east_of_utc_breaks(world, trainer, client):
    client.force_login(trainer)
    cohort = world["cohort_a"]
    url = reverse("trainees:session_schedule", kwargs={"pk": cohort.pk})
    key = client.get(url).context["form"]["submission_key"].value()
    response = client.post(
        url,
        {
            "submission_key": key,
            "module": world["module"].pk,
            "starts_at": "9999-12-31T20:00",
            "ends_at": "9999-12-31T22:00",
            "trainer": trainer.pk,
        },
    )
    assert response.status_code == 200
    assert "between 1900 and 2200" in response.content.decode()
    assert not TrainingSession.objects.filter(starts_at__year__gte=9000).exists()


@pytest.mark.parametrize("week", ["9999-12-27", "0001-01-01", "1-01-01", "2026-13-40", "\x00"])
def test_the_week_view_answers_any_week(world, trainer, client, week):
    client.force_login(trainer)
    response = client.get(reverse("trainees:session_week"), {"week": week})
    assert response.status_code == 200


def test_the_week_view_far_away_shows_the_nearest_week_it_can(world, trainer, client):
    client.force_login(trainer)
    response = client.get(reverse("trainees:session_week"), {"week": "9999-12-27"})
    assert response.context["monday"].year == 2200


def test_a_cohort_from_year_1_to_9999_is_refused(world, programme_admin, client):
    client.force_login(programme_admin)
    before = Cohort.objects.count()
    response = client.post(
        reverse("trainees:cohort_add"),
        {
            "name": "Forever",
            "revision": world["revision"].pk,
            "starts_on": "0001-01-01",
            "ends_on": "9999-12-31",
            "trainers": [world["cohort_a"].trainers.first().pk],
        },
    )
    assert response.status_code == 200
    assert "between 1900 and 2200" in response.content.decode()
    assert Cohort.objects.count() == before


def test_a_plan_week_past_a_smallint_is_refused(world, programme_admin, client):
    """Even a cohort as long as the range allows has fewer weeks than a smallint holds."""
    client.force_login(programme_admin)
    cohort = world["cohort_a"]
    Cohort.objects.filter(pk=cohort.pk).update(
        starts_on=dt.date(1900, 1, 1), ends_on=dt.date(2200, 12, 31)
    )
    module = world["module"]
    response = client.post(
        reverse("trainees:cohort_plan", kwargs={"pk": cohort.pk}),
        {f"m{module.pk}_start": "1", f"m{module.pk}_end": "40000"},
    )
    assert response.status_code == 200
    assert not CohortPlanEntry.objects.filter(cohort=cohort, end_week=40000).exists()


def test_a_session_near_the_range_end_shows_east_of_utc(world, trainer, client):
    """The last moment the range allows still converts to every time zone."""
    session = world["session_a"]
    TrainingSession.objects.filter(pk=session.pk).update(
        starts_at=dt.datetime(2200, 12, 31, 20, tzinfo=dt.UTC),
        ends_at=dt.datetime(2200, 12, 31, 22, tzinfo=dt.UTC),
    )
    trainer.time_zone = zoneinfo.ZoneInfo("Pacific/Kiritimati")
    trainer.save()
    client.force_login(trainer)
    assert client.get(session.get_absolute_url()).status_code == 200


# Import files of other shapes ---------------------------------------------------------------------


def _revision_data(world):
    data = revision_export(revision=world["revision"])
    data["programme"]["code"] = "NEW-PROG"
    return data


def _import_revision(client, data):
    text = data if isinstance(data, str) else json.dumps(data)
    return client.post(
        reverse("curriculum:revision_import"), {"file": _upload("revision.json", text)}
    )


def test_a_revision_import_with_archived_at_in_year_1_is_refused(world, programme_admin, client):
    client.force_login(programme_admin)
    data = _revision_data(world)
    data["modules"][0]["archived_at"] = "0001-01-01T00:00:00+00:00"
    response = _import_revision(client, data)
    assert response.status_code == 200
    assert "archived_at" in response.content.decode()
    assert not Programme.objects.filter(code="NEW-PROG").exists()


@pytest.mark.parametrize(
    "spoil",
    [
        lambda d: d.update(modules=7),  # a list that is a number
        lambda d: d.update(programme=["a", "b"]),  # an object that is a list
        lambda d: d["modules"][0].update(competencies={"code": "x"}),
        lambda d: d["modules"][0].update(assessments=[[1]]),
        lambda d: d["modules"][0]["assessments"][0].update(minimum_grades=[1, 2]),
        lambda d: d["modules"][0].update(prerequisites="M-1"),
        lambda d: d["qualifications"].append({"code": "Q", "conferred_by_assessment": {"a": 1}}),
        lambda d: d.update(revision=[]),
        lambda d: d["modules"][0].update(order=10**30),
        lambda d: d["modules"][0].update(order=40000),
        lambda d: d["modules"][0].update(required_hours="1e309"),
    ],
    ids=[
        "modules-number",
        "programme-list",
        "competencies-object",
        "assessment-list",
        "grades-list",
        "prerequisites-string",
        "reference-object",
        "revision-list",
        "order-huge",
        "order-past-smallint",
        "hours-overflow",
    ],
)
def test_a_revision_of_another_shape_is_refused(world, programme_admin, client, spoil):
    client.force_login(programme_admin)
    data = _revision_data(world)
    spoil(data)
    response = _import_revision(client, data)
    assert response.status_code == 200
    assert "alert-danger" in response.content.decode() or "is-invalid" in (
        response.content.decode()
    )
    assert not Programme.objects.filter(code="NEW-PROG").exists()


@pytest.mark.parametrize(
    ("where", "value"),
    [
        ("programme-code", "P" * 300),
        ("programme-name", "N" * 1000),
        ("title-nul", "Fire\x00drill"),
        ("title-surrogate", "Fire\ud800drill"),
    ],
)
def test_a_revision_with_text_the_database_refuses_is_refused(
    world, programme_admin, client, where, value
):
    client.force_login(programme_admin)
    data = _revision_data(world)
    if where == "programme-code":
        data["programme"]["code"] = value
    elif where == "programme-name":
        data["programme"]["name"] = value
    else:
        data["modules"][0]["title"] = value
    text = json.dumps(data)  # \u0000 and \ud800 as JSON escapes
    before = ProgrammeRevision.objects.count()
    response = _import_revision(client, text)
    assert response.status_code == 200
    assert "alert-danger" in response.content.decode()
    assert ProgrammeRevision.objects.count() == before


def _module_csv(rows, newline="\n"):
    header = "code,title,category,required_hours"
    return newline.join([header, *rows]) + newline


def _import_modules(client, world, content):
    url = reverse("curriculum:modules_import", kwargs={"pk": world["draft_revision"].pk})
    return client.post(url, {"file": _upload("modules.csv", content)})


@pytest.mark.parametrize("newline", ["\r", "\r\n", "\n"], ids=["cr", "crlf", "lf"])
def test_a_module_csv_reads_every_line_ending(world, programme_admin, client, newline):
    client.force_login(programme_admin)
    content = _module_csv(["CR-1,One,spacecraft,2", "CR-2,Two,spacecraft,3"], newline=newline)
    response = _import_modules(client, world, content)
    assert response.status_code == 302, (
        response.context["problems"],
        response.context["form"].errors,
    )
    assert set(
        Module.objects.filter(revision=world["draft_revision"], code__startswith="CR-").values_list(
            "code", flat=True
        )
    ) == {"CR-1", "CR-2"}


def test_a_module_csv_with_a_lone_cr_inside_a_row_is_read(world, programme_admin, client):
    client.force_login(programme_admin)
    content = "code,title,category,required_hours\nCR-3,Thr\ree,spacecraft,2\n"
    response = _import_modules(client, world, content)
    assert response.status_code in (200, 302)


def test_a_module_csv_with_an_over_long_field_names_its_line(world, programme_admin, client):
    client.force_login(programme_admin)
    content = _module_csv(["OK-1,One,spacecraft,2", "OK-2," + "x" * 140_000 + ",spacecraft,2"])
    response = _import_modules(client, world, content)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Line 3" in body
    assert not Module.objects.filter(code="OK-1").exists()


def test_a_module_csv_code_longer_than_its_column_is_refused(world, programme_admin, client):
    client.force_login(programme_admin)
    response = _import_modules(client, world, _module_csv(["C" * 300 + ",T,spacecraft,2"]))
    assert response.status_code == 200
    assert "alert-danger" in response.content.decode()


def test_a_module_csv_title_with_nul_is_refused(world, programme_admin, client):
    client.force_login(programme_admin)
    response = _import_modules(client, world, _module_csv(["NUL-1,Fire\x00drill,spacecraft,2"]))
    assert response.status_code == 200
    assert not Module.objects.filter(code="NUL-1").exists()


def test_a_module_csv_order_past_a_smallint_is_refused(world, programme_admin, client):
    client.force_login(programme_admin)
    content = "code,title,category,required_hours,order\nBIG-1,Big,spacecraft,2,99999999999\n"
    response = _import_modules(client, world, content)
    assert response.status_code == 200
    assert not Module.objects.filter(code="BIG-1").exists()


TRAINEE_HEADER = "username,display_name,email,agency,nationality,crew_role"


def _import_trainees(client, world, content):
    url = reverse("trainees:trainee_import", kwargs={"pk": world["cohort_a"].pk})
    return client.post(url, {"file": _upload("trainees.csv", content)})


def test_a_trainee_csv_with_an_over_long_field_names_its_line(world, programme_admin, client):
    client.force_login(programme_admin)
    content = "\n".join(
        [TRAINEE_HEADER, "nadia,Nadia," + "n" * 140_000 + "@x.org,cmsa,PK,payload_specialist"]
    )
    response = _import_trainees(client, world, content)
    assert response.status_code == 200
    assert "Line 2" in response.content.decode()


def test_a_trainee_csv_reads_old_mac_line_endings(world, programme_admin, client):
    client.force_login(programme_admin)
    content = "\r".join(
        [TRAINEE_HEADER, "nadia,Nadia Ali,nadia@example.org,cmsa,PK,payload_specialist", ""]
    )
    response = _import_trainees(client, world, content)
    assert response.status_code == 200
    assert response.context["check"].rows, response.context["check"].errors


# Sign-in and unique clashes -----------------------------------------------------------------------


def test_a_sign_in_name_over_255_characters_is_an_error_beside_the_field(db, client):
    response = client.post(reverse("accounts:login"), {"username": "u" * 300, "password": "x"})
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    assert not AccessAttempt.objects.filter(username__startswith="uuu").exists()


def test_two_simultaneous_creations_of_a_programme_answer_a_message(
    programme_admin, client, monkeypatch
):
    """The second request passed every check before the first one's row was written: the
    database's unique constraint answers, and the form shows it beside the code."""
    from curriculum import forms as curriculum_forms

    client.force_login(programme_admin)
    Programme.objects.create(code="TWIN", name="Twin")
    monkeypatch.setattr(curriculum_forms, "_code_free", lambda queryset, code, instance: code)
    monkeypatch.setattr(Programme, "validate_unique", lambda self, exclude=None: None)
    monkeypatch.setattr(Programme, "validate_constraints", lambda self, exclude=None: None)
    response = client.post(reverse("curriculum:programme_create"), {"code": "TWIN", "name": "B"})
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    assert Programme.objects.filter(code="TWIN").count() == 1


# Digits Python's int() refuses ----------------------------------------------------------------


@pytest.mark.parametrize("days", ["²", "1" * 5000, "30, ³"])
def test_reminder_days_int_refuses_are_an_error_beside_the_field(programme_admin, client, days):
    """'²' is a digit to str.isdigit() but not to int(); 5,000 digits are past int()'s limit."""
    client.force_login(programme_admin)
    response = client.post(
        reverse("notifications:reminder_settings"),
        {
            "session_hours": "24",
            "qualification_days": days,
            "assessment_due_days": "7",
            "pending_days": "3",
        },
    )
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()


def test_a_module_csv_order_in_superscript_is_refused(world, programme_admin, client):
    client.force_login(programme_admin)
    content = "code,title,category,required_hours,order\nSUP-1,Sup,spacecraft,2,²\n"
    response = _import_modules(client, world, content)
    assert response.status_code == 200
    assert not Module.objects.filter(code="SUP-1").exists()


# One place: every form's dates are the bounded fields ------------------------------------------


def _form_classes():
    import importlib
    import inspect

    from django import forms

    found = []
    for name in (
        "accounts.forms",
        "curriculum.forms",
        "notifications.forms",
        "reports.forms",
        "trainees.sessions.forms",
        "trainees.assessments.forms",
        "trainees.cohorts.forms",
        "trainees.medical.forms",
    ):
        module = importlib.import_module(name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == name:
                found.append(cls)
    return found


def test_every_forms_dates_and_numbers_are_held_to_their_range():
    from django import forms

    from trainingtracker import inputs

    failures = []
    for cls in _form_classes():
        for name, field in cls.base_fields.items():
            where = f"{cls.__module__}.{cls.__name__}.{name}"
            if isinstance(field, forms.DateTimeField):
                bounded = isinstance(field, inputs.DateTimeField)
            elif isinstance(field, forms.DateField):
                bounded = isinstance(field, inputs.DateField)
            elif isinstance(field, forms.DecimalField):
                bounded = field.max_digits is not None
            elif isinstance(field, forms.IntegerField):
                bounded = field.max_value is not None
            else:
                continue
            if not bounded:
                failures.append(where)
    assert failures == [], "\n".join(failures)


# What the schemas let through: the tracker's own exports ------------------------------------------


def test_the_trackers_own_revision_export_passes_its_schema(world, programme_admin, client):
    client.force_login(programme_admin)
    data = _revision_data(world)
    archived = dt.datetime(2026, 5, 1, 8, 30, 15, 123456, tzinfo=dt.UTC)
    data["modules"][0]["archived_at"] = archived.isoformat()  # as the export writes one
    assert data["qualifications"] and data["modules"][0]["competencies"]
    response = _import_revision(client, data)
    assert response.status_code == 302, response.context["problems"]
    assert Programme.objects.filter(code="NEW-PROG").exists()


def test_the_trackers_own_modules_csv_passes_its_schema(world, programme_admin, client):
    import csv
    import io

    from curriculum.selectors import modules_csv_rows

    client.force_login(programme_admin)
    out = io.StringIO()
    csv.writer(out).writerows(modules_csv_rows(revision=world["draft_revision"]))
    response = _import_modules(client, world, out.getvalue())
    assert response.status_code == 302, response.context["problems"]


PAST_HEADER = (
    "session_ref,module,starts_at,ends_at,trainer,resources,trainee,attendance,hours,grades,"
    "assessment,score,remarks"
)


def _import_past(client, world, content):
    url = reverse("trainees:past_import", kwargs={"pk": world["cohort_a"].pk})
    return client.post(url, {"file": _upload("past.csv", content)})


def test_a_past_sessions_csv_with_an_over_long_field_names_its_line(world, programme_admin, client):
    client.force_login(programme_admin)
    row = "S1,M,2020-03-02T09:00,2020-03-02T11:00,lihao,,ayesha,present,,,,," + "r" * 140_000
    response = _import_past(client, world, "\n".join([PAST_HEADER, row]))
    assert response.status_code == 200
    assert "Line 2" in response.content.decode()


def test_a_past_sessions_csv_reads_old_mac_line_endings(world, programme_admin, client):
    client.force_login(programme_admin)
    module = world["session_a"].module.code
    row = f"S1,{module},2020-03-02T09:00,2020-03-02T11:00,lihao,,ayesha,absent,,,,,"
    response = _import_past(client, world, "\r".join([PAST_HEADER, row, row.replace("S1", "S2")]))
    assert response.status_code == 200
    assert response.context["check"].rows_read == 2


@pytest.mark.parametrize("pk", ["9223372036854775808", "2147483648", "0"])
def test_a_resource_feed_past_any_id_is_not_found(world, trainer, client, pk):
    from notifications.models import CalendarToken

    token = CalendarToken.objects.create(user=trainer).token
    assert client.get(f"/calendar/{token}/resources/{pk}.ics").status_code == 404


@pytest.mark.parametrize("on", ["9999-12-27", "0001-01-01", "1-01-01", "2026-13-40", "\x00"])
def test_a_timetable_answers_any_day(world, trainer, client, on):
    client.force_login(trainer)
    for view in ("day", "week", "\x00"):
        response = client.get(
            reverse("trainees:cohort_timetable", args=[world["cohort_a"].pk]),
            {"on": on, "view": view},
        )
        assert response.status_code == 200
