"""Importing a programme's past from CSV (issue 29): every row checked first, nothing written if
any is wrong, each bad row named; clashes named; imported records marked and results signed."""

import datetime as dt
import uuid
import zoneinfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import PASSWORD, TraineeFactory, TrainingSessionFactory
from trainees.imports.rows import COLUMNS
from trainees.models import (
    AssessmentResult,
    CompetencyGrade,
    PastImport,
    QualificationGrant,
    SessionAttendance,
    SignatureMeaning,
    TrainingSession,
)

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
HEADER = ",".join(COLUMNS)
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")  # the settings' zone, the admin's


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def crew(course, ayesha, trainer):
    """Ayesha and nine more trainees of her cohort (which started 1 March 2026)."""
    cohort = ayesha.cohort
    cohort.starts_on = dt.date(2026, 3, 1)
    cohort.save()
    return [ayesha] + [
        TraineeFactory(cohort=cohort, user__username=f"crew{n}") for n in range(1, 10)
    ]


def row(ref, start, trainee, *, module="EVA-2", hours_long=2, trainer="lihao", **values):
    ends = start + dt.timedelta(hours=hours_long)
    cells = {
        "session_ref": ref,
        "module": module,
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": ends.strftime("%Y-%m-%dT%H:%M"),
        "trainer": trainer,
        "trainee": trainee,
        "attendance": "present",
        **values,
    }
    return ",".join(cells.get(name, "") for name in COLUMNS)


def term(crew, *, sessions, first=dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI), result_every=5):
    """`sessions` sessions of the whole crew, one a day; every `result_every`th with an attempt
    at the practical check."""
    lines = [HEADER]
    for n in range(sessions):
        start = first + dt.timedelta(days=n)
        for trainee in crew:
            extra = {"grades": "SUIT=4;TETHER=na"}
            if n % result_every == 0:
                extra |= {"assessment": "EVA-2-P", "score": "80"}
            lines.append(row(f"S{n}", start, trainee.user.username, **extra))
    return "\n".join(lines) + "\n"


def upload(client, cohort, content, name="past.csv"):
    data = content if isinstance(content, bytes) else content.encode()
    return client.post(
        reverse("trainees:past_import", args=[cohort.pk]),
        {"file": SimpleUploadedFile(name, data, "text/csv")},
    )


def confirm(client, cohort, response, *, password=PASSWORD, key=None):
    form = response.context["confirm"]
    assert form is not None, response.context["check"].errors
    return client.post(
        reverse("trainees:past_import", args=[cohort.pk]),
        {
            "content": form.initial["content"],
            "file_name": form.initial["file_name"],
            "submission_key": key or form["submission_key"].value(),
            "password": password,
        },
    )


def errors_of(response) -> list[str]:
    return [f"{e.line}: {e.message}" for e in response.context["check"].errors]


def test_it_imports_a_term_marking_and_signing_what_it_made(client, programme_admin, crew, course):
    client.force_login(programme_admin)
    cohort = crew[0].cohort
    checked = upload(client, cohort, term(crew[:3], sessions=2))
    assert checked.context["check"].ok
    assert "The file is right: 2 sessions to import." in checked.content.decode()
    response = confirm(client, cohort, checked)
    assert response.status_code == 302
    batch = PastImport.objects.get()
    assert (batch.row_count, batch.session_count, batch.result_count) == (6, 2, 3)
    assert batch.imported_by == programme_admin and batch.file_name == "past.csv"
    sessions = TrainingSession.objects.filter(import_batch=batch)
    assert sessions.count() == 2
    assert {s.status for s in sessions} == {"completed"}
    assert sessions.first().history.first().history_change_reason == "Imported from past.csv"
    assert SessionAttendance.objects.filter(session__in=sessions).count() == 6
    assert CompetencyGrade.objects.filter(attendance__session__in=sessions, grade=4).count() == 6
    result = AssessmentResult.objects.get(trainee=crew[0])
    assert result.signature_meaning == SignatureMeaning.IMPORTED
    assert result.signed_by == programme_admin and result.signature_method == "import:password"
    assert result.passed and result.attempt == 1 and result.import_batch == batch
    assert "confirmed by password typed again" in result.signature_method_label
    assert QualificationGrant.objects.filter(result=result, qualification=course.qualification)
    page = client.get(reverse("trainees:session_detail", args=[sessions.first().pk]))
    assert "Imported by Chen Jing on" in page.content.decode()
    assert "from file past.csv" in page.content.decode()


def _imported(client, cohort, content):
    checked = upload(client, cohort, content, name=f"{uuid.uuid4()}.csv")
    return confirm(client, cohort, checked)


def test_it_imports_500_rows_in_the_same_queries_as_50(client, programme_admin, crew):
    """The check and the write are bulk: the same number of queries for 50 rows as for 500
    (10 trainees by 5 and by 50 sessions). Its speed is not timed here (a loaded machine would
    make it flaky): the bounded queries are what keeps it fast."""
    client.force_login(programme_admin)
    cohort = crew[0].cohort
    small = term(crew, sessions=5, first=dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))
    large = term(crew, sessions=50, first=dt.datetime(2026, 3, 9, 9, 0, tzinfo=SHANGHAI))
    with CaptureQueriesContext(connection) as fifty:
        assert _imported(client, cohort, small).status_code == 302
    with CaptureQueriesContext(connection) as five_hundred:
        assert _imported(client, cohort, large).status_code == 302
    assert SessionAttendance.objects.count() == 550
    assert AssessmentResult.objects.filter(attempt=2).count() == 10  # after the first file's
    inserts = [
        [q["sql"] for q in queries if q["sql"].startswith("INSERT")]
        for queries in (fifty, five_hundred)
    ]
    assert len(fifty) - len(inserts[0]) == len(five_hundred) - len(inserts[1]), (
        "An import's reads and updates must not grow with its rows: look for a query per row "
        "or session."
    )
    # One INSERT per table on PostgreSQL; SQLite's bulk inserts go in batches of at most 999
    # values (Django's limit for it), a few more for ten times the rows.
    if connection.vendor == "postgresql":
        assert len(inserts[0]) == len(inserts[1])
    else:
        assert len(inserts[1]) <= len(inserts[0]) + 40


def test_one_bad_row_of_500_refuses_them_all_and_is_named(client, programme_admin, crew):
    client.force_login(programme_admin)
    lines = term(crew, sessions=50).splitlines()
    lines[320] = lines[320].replace(",crew", ",nobody")  # line 321 of the file
    response = upload(client, crew[0].cohort, "\n".join(lines))
    assert response.context["confirm"] is None
    assert errors_of(response) == ["321: trainee: nobody9 is not a trainee of this cohort."]
    page = response.content.decode()
    assert "Line 321: trainee: nobody9 is not a trainee of this cohort." in page
    assert "Rows read" in page and ">500<" in page
    assert not TrainingSession.objects.exists()


def test_a_row_made_bad_between_check_and_confirm_writes_nothing(client, programme_admin, crew):
    client.force_login(programme_admin)
    cohort = crew[0].cohort
    checked = upload(client, cohort, term(crew, sessions=3))
    TrainingSessionFactory(
        cohort=cohort,
        module=crew[0].cohort.revision.modules.get(code="EVA-1"),
        trainer=crew[0].cohort.trainers.get(),
        starts_at=dt.datetime(2026, 3, 3, 0, 30, tzinfo=dt.UTC),  # 8:30 in Shanghai, S1's day
        ends_at=dt.datetime(2026, 3, 3, 2, 0, tzinfo=dt.UTC),
    )
    response = confirm(client, cohort, checked)
    assert response.status_code == 200
    assert any(e.startswith("12: Li Hao leads EVA-1") for e in errors_of(response)), errors_of(
        response
    )
    assert not PastImport.objects.exists()
    assert TrainingSession.objects.count() == 1


def test_a_clash_with_a_recorded_session_is_named_as_scheduling_names_it(
    client, programme_admin, crew, course
):
    client.force_login(programme_admin)
    cohort = crew[0].cohort
    other = TrainingSessionFactory(
        cohort=cohort,
        module=course.basic,
        trainer=cohort.trainers.get(),
        starts_at=dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC),  # 10:00 in Shanghai
        ends_at=dt.datetime(2026, 3, 2, 3, 0, tzinfo=dt.UTC),
    )
    other.trainees.add(crew[1])
    response = upload(client, cohort, term(crew[:2], sessions=1))
    errors = errors_of(response)
    assert errors[0].startswith("2: Li Hao leads EVA-1 EVA basics for ")
    assert errors[1].startswith("3: ") and "is expected at EVA-1 EVA basics" in errors[1]
    assert len(errors) == 2


def test_a_clash_within_the_file_names_the_other_session(client, programme_admin, crew):
    client.force_login(programme_admin)
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
    content = "\n".join(
        [
            HEADER,
            row("A", start, "ayesha"),
            row("B", start + dt.timedelta(hours=1), "ayesha", trainer="zhoumin_none"),
        ]
    )
    response = upload(client, crew[0].cohort, content)
    assert errors_of(response) == ["3: trainer: zhoumin_none is nobody with the trainer role."]
    content = "\n".join(
        [HEADER, row("A", start, "ayesha"), row("B", start + dt.timedelta(hours=1), "crew1")]
    )
    response = upload(client, crew[0].cohort, content)
    assert errors_of(response) == [
        "2: Li Hao leads session B of this file (line 3).",
        "3: Li Hao leads session A of this file (line 2).",
    ]


def test_rows_of_one_session_must_agree_and_name_a_trainee_once(client, programme_admin, crew):
    client.force_login(programme_admin)
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
    content = "\n".join(
        [
            HEADER,
            row("A", start, "ayesha"),
            row("A", start, "crew1", hours_long=3),
            row("A", start, "ayesha", attendance="late"),
        ]
    )
    errors = errors_of(upload(client, crew[0].cohort, content))
    assert errors == [
        "3: Session A is described differently on line 2 (ends_at): each of its rows must "
        "give the same.",
        "4: ayesha is in session A already, on line 2.",
    ]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"hours": "2.5"}, "hours: No more than the session lasted (2.00 hours) can be credited."),
        ({"attendance": "absent", "hours": "1"}, "hours: an absent or excused trainee"),
        ({"attendance": "maybe"}, "attendance: this value is not one this tracker knows."),
        ({"grades": "SUIT=6"}, "grades: SUIT: a grade is from 1 to 5, or na for not observed."),
        ({"grades": "FLY=3"}, "grades: FLY is not a competency of EVA-2."),
        ({"module": "NOPE"}, "module: NOPE is not a module of this cohort's programme revision."),
        ({"assessment": "EVA-2-P"}, "score: this assessment is judged by its score; give it."),
        ({"assessment": "EVA-2-P", "score": "1000"}, "score: between 0 and"),
        ({"score": "50"}, "score: give the assessment it is the score of."),
        ({"remarks": "r" * 2001}, "remarks: at most 2000 characters."),
        ({"session_ref": "r" * 41}, "session_ref: at most 40 characters."),
    ],
)
def test_each_bad_value_is_named_beside_its_column(client, programme_admin, crew, values, message):
    client.force_login(programme_admin)
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
    content = "\n".join([HEADER, row("A", start, "ayesha", **values)])
    errors = errors_of(upload(client, crew[0].cohort, content))
    assert any(e.startswith(f"2: {message}") for e in errors), errors
    assert not TrainingSession.objects.exists()


@pytest.mark.parametrize(
    ("start", "message"),
    [
        ("2026-13-31T09:00", "starts_at: 2026-13-31T09:00 is not a date and time."),
        ("2199-03-02T09:00", "ends_at: only sessions already held can be imported."),
        ("1899-03-02T09:00", "starts_at: a date and time between 1900 and 2200 is needed."),
        ("2025-03-02T09:00", "starts_at: the cohort started on"),
        ("2026-06-01T19:00", "ends_at: only sessions already held can be imported."),
        ("2026-03-02", "starts_at: a date and time between 1900 and 2200 is needed."),
    ],
)
def test_dates_out_of_the_past_are_refused(client, programme_admin, crew, start, message):
    client.force_login(programme_admin)
    cells = row("A", dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI), "ayesha").split(",")
    cells[2] = start
    if start.startswith("2199"):
        cells[3] = "2199-03-02T11:00"
    if start.startswith("2026-06-01"):
        cells[3] = "2026-06-01T21:00"  # 13:00 UTC, an hour after now
    errors = errors_of(upload(client, crew[0].cohort, "\n".join([HEADER, ",".join(cells)])))
    assert any(e.startswith(f"2: {message}") for e in errors), errors


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00binary", "NUL bytes"),
        (b"\xff\xfe\xfa not utf-8", "not UTF-8"),
        (HEADER.encode() + b"\nS,EVA-2\x00,x", "NUL bytes"),
        (b"a" * (2 * 1024 * 1024 + 1), "larger than 2 MB"),
    ],
)
def test_files_that_are_not_csv_text_are_refused_beside_the_field(
    client, programme_admin, crew, content, message
):
    client.force_login(programme_admin)
    response = upload(client, crew[0].cohort, content)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["file"])


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("session_ref,module", "1: Columns missing: starts_at"),
        (HEADER + ",colour", "1: Unknown columns: colour."),
        (HEADER + ",module", "1: Columns named twice: module."),
        (",".join(f"c{n}" for n in range(10_000)), "1: Columns missing: session_ref"),
        ("", "1: The file is empty."),
    ],
)
def test_a_wrong_header_is_named_on_line_1(client, programme_admin, crew, header, message):
    client.force_login(programme_admin)
    response = upload(client, crew[0].cohort, header + "\nx\n")
    assert response.status_code == 200
    assert errors_of(response)[0].startswith(message), errors_of(response)


def test_more_than_5000_rows_are_refused(client, programme_admin, crew):
    client.force_login(programme_admin)
    line = row("A", dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI), "ayesha")
    response = upload(client, crew[0].cohort, "\n".join([HEADER] + [line] * 5001))
    assert "5002: More than 5000 rows; split the file." in errors_of(response)


def test_the_same_file_twice_is_refused_naming_the_first_import(client, programme_admin, crew):
    client.force_login(programme_admin)
    cohort = crew[0].cohort
    content = term(crew[:2], sessions=2)
    assert confirm(client, cohort, upload(client, cohort, content)).status_code == 302
    again = upload(client, cohort, "\ufeff" + content, name="renamed.csv")
    assert errors_of(again)[0].startswith(
        "1: This file was imported already, as past.csv by Chen Jing on"
    )
    assert PastImport.objects.count() == 1


def test_a_double_submission_imports_once(client, programme_admin, crew):
    client.force_login(programme_admin)
    cohort = crew[0].cohort
    checked = upload(client, cohort, term(crew[:2], sessions=2))
    key = uuid.uuid4()
    first = confirm(client, cohort, checked, key=key)
    second = confirm(client, cohort, checked, key=key)
    assert first.status_code == second.status_code == 302
    assert second["Location"] == reverse("trainees:cohort_detail", args=[cohort.pk])
    assert TrainingSession.objects.count() == 2


def test_results_are_signed_only_with_the_admins_password(client, programme_admin, crew):
    client.force_login(programme_admin)
    cohort = crew[0].cohort
    checked = upload(client, cohort, term(crew[:2], sessions=1))
    response = confirm(client, cohort, checked, password="")
    assert "sign them with your password" in response.content.decode()
    response = confirm(client, cohort, checked, password="wrong")
    assert "This is not your password" in response.content.decode()
    assert response.context["confirm"] is not None  # the preview stays, to try again
    assert not PastImport.objects.exists()


@pytest.mark.parametrize("persona", ["trainer", "trainee", "medic"])
def test_only_a_programme_admin_imports(client, crew, persona, request):
    client.force_login(request.getfixturevalue(persona))
    response = upload(client, crew[0].cohort, term(crew[:1], sessions=1))
    assert response.status_code == 403
    assert not TrainingSession.objects.exists()
