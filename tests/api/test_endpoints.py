"""The API's endpoints: what each answers, to whom, filtered and paginated; the writes through
the pages' services (all or nothing, the version check, the one-time key); every refusal a
problem document naming the field."""

import datetime as dt
import uuid

import yaml
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from tests.api.conftest import bearer
from trainees.models import AssessmentResult, SessionAttendance, TrainingSession


def _url(name, obj=None):
    return reverse(f"api:{name}", args=[obj.pk] if obj is not None else None)


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def _fields(response) -> dict[str, str]:
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    return {error["field"]: error["detail"] for error in response.json()["errors"]}


class TestReads:
    def test_the_schema_has_every_operation_and_the_docs_page_reads_it(self, client, db):
        schema = yaml.safe_load(client.get(_url("schema")).content)
        operations = [op for path in schema["paths"].values() for op in path]
        assert len(operations) == 25  # tests/api/test_schemathesis.py's OPERATIONS
        page = client.get(_url("docs")).content.decode()
        assert _url("schema") in page and "swagger-ui-bundle.js" in page

    def test_times_are_utc_and_a_trainer_sees_their_cohort_only(self, world, personas):
        api = bearer(personas["trainer"], "read")
        session = world["session_a"]
        rows = api.get(_url("session_list")).json()["results"]
        assert [r["id"] for r in rows] == [session.pk]
        utc = session.starts_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
        assert rows[0]["starts_at"].startswith(utc) and rows[0]["starts_at"].endswith("Z")
        assert api.get(_url("session_detail", world["session_b"])).status_code == 404
        assert api.get(_url("trainee_detail", world["trainee_b"])).status_code == 404
        assert _ids(api.get(_url("result_list"))) == [world["result_a"].pk]
        assert _ids(api.get(_url("attendance_list"))) == [world["attendance_a"].pk]

    def test_the_roles_of_the_pages_hold(self, world, personas):
        trainee = bearer(personas["trainee"], "read")
        assert trainee.get(_url("trainee_list")).status_code == 403  # as the list page
        assert trainee.get(_url("trainee_detail", world["trainee_a"])).status_code == 200
        assert trainee.get(_url("trainee_detail", world["trainee_b"])).status_code == 404
        assert trainee.get(_url("cohort_progress", world["cohort_a"])).status_code == 403
        medic = bearer(personas["medic"], "read")
        assert medic.get(_url("cohort_progress", world["cohort_a"])).status_code == 403

    def test_medical_holds_are_dates_except_for_the_medical_officer(self, world, personas):
        trainer = bearer(personas["trainer"], "read").get(_url("hold_list")).json()["results"]
        assert trainer == [
            {
                "id": world["hold_a"].pk,
                "trainee": world["trainee_a"].pk,
                "opened_on": world["hold_a"].opened_on.isoformat(),
                "closed_on": None,
                "reason": None,
                "closing_note": None,
                "opened_by": None,
                "closed_by": None,
            }
        ]
        medic = bearer(personas["medic"], "read").get(_url("hold_list")).json()["results"]
        assert {h["reason"] for h in medic} == {world["hold_a"].reason, "Sprained ankle."}
        assert medic[0]["opened_by"]["name"] == personas["medic"].display_name

    def test_progress_and_readiness_are_those_of_the_record(self, world, personas):
        api = bearer(personas["trainer"], "read")
        progress = api.get(_url("trainee_progress", world["trainee_a"])).json()
        assert progress["trainee"] == world["trainee_a"].pk
        assert progress["readiness"]["medical_hold"] is True
        assert progress["readiness"]["ready"] is False
        assert {m["module"]["code"] for m in progress["modules"]} == set(
            world["revision"].modules.values_list("code", flat=True)
        )
        board = api.get(_url("cohort_progress", world["cohort_a"])).json()
        assert [p["trainee"] for p in board["results"]] == [world["trainee_a"].pk]
        other = api.get(_url("cohort_progress", world["cohort_b"]))
        assert other.status_code == 404

    def test_listings_filter_by_cohort_and_day_and_paginate(self, world, personas):
        api = bearer(personas["programme_admin"], "read")
        a, b = world["session_a"], world["session_b"]
        assert set(_ids(api.get(_url("session_list")))) == {a.pk, b.pk}
        assert _ids(api.get(_url("session_list"), {"cohort": world["cohort_b"].pk})) == [b.pk]
        day = a.starts_at.astimezone(dt.UTC).date()
        assert set(_ids(api.get(_url("session_list"), {"from": day, "to": day}))) == {a.pk, b.pk}
        after = (day + dt.timedelta(days=1)).isoformat()
        assert _ids(api.get(_url("session_list"), {"from": after})) == []
        edges = {"from": "1900-01-01", "to": "2200-12-31"}  # the first and last days there are
        assert set(_ids(api.get(_url("session_list"), edges))) == {a.pk, b.pk}
        page = api.get(_url("session_list"), {"page_size": 1}).json()
        assert page["count"] == 2 and len(page["results"]) == 1 and page["next"]
        grants = api.get(_url("grant_list"), {"cohort": world["cohort_a"].pk})
        assert grants.status_code == 200

    def test_bad_parameters_are_problems_naming_the_parameter(self, world, personas):
        api = bearer(personas["programme_admin"], "read")
        cases = {
            "from": {"from": "2026-02-30"},
            "to": {"from": "2026-03-09", "to": "2026-03-01"},
            "cohort": {"cohort": "99999999999999999999999"},
            "page": {"page": "0"},
            "page_size": {"page_size": "100000"},
            "status": {"status": "<script>"},
        }
        for field, params in cases.items():
            assert field in _fields(api.get(_url("session_list"), params)), field
        assert "from" in _fields(api.get(_url("result_list"), {"from": "0001-01-01"}))
        assert "on" in _fields(api.get(_url("trainee_progress", world["trainee_a"]), {"on": ""}))


def _schedule(world, **changes):
    starts = timezone.now() + dt.timedelta(days=2)
    return {
        "module": world["module"].pk,
        "starts_at": starts.isoformat(),
        "ends_at": (starts + dt.timedelta(hours=2)).isoformat(),
        "notes": "Neutral buoyancy pool",
        "trainees": [world["trainee_a"].pk],
        "key": str(uuid.uuid4()),
        **changes,
    }


class TestWrites:
    def test_scheduling_makes_one_session_however_often_it_is_sent(self, world, personas):
        api = bearer(personas["trainer"])
        url = _url("session_schedule", world["cohort_a"])
        fit = f.TraineeFactory(cohort=world["cohort_a"])  # trainee_a is on a medical hold
        pool = f.ResourceFactory(name="Pool", kind="pool")
        body = _schedule(world, trainees=[fit.pk], resources=[pool.pk])
        made = api.post(url, body, content_type="application/json")
        assert made.status_code == 201, made.content
        again = api.post(url, body, content_type="application/json")
        assert again.status_code == 200 and again.json()["id"] == made.json()["id"]
        assert TrainingSession.objects.filter(notes="Neutral buoyancy pool").count() == 1
        assert made.json()["expected_trainees"] == [fit.pk]
        assert made.json()["resources"] == [pool.pk]

    def test_scheduling_is_refused_field_by_field(self, world, personas):
        api = bearer(personas["trainer"])
        url = _url("session_schedule", world["cohort_a"])
        cases = {
            "trainees": {"trainees": [world["trainee_b"].pk]},  # another cohort's
            "module": {"module": world["draft_module"].pk},
            "trainer": {"trainer": personas["other_trainer"].pk},
            "ends_at": {"ends_at": timezone.now().isoformat()},
            "resources": {"resources": [10**12]},
            "override_reason": {"override_reason": "x" * 1001},
            "key": {"key": "not a key"},
            "starts_at": {"starts_at": "2026-03-09T08:30"},  # no offset
        }
        for field, change in cases.items():
            response = api.post(url, _schedule(world, **change), content_type="application/json")
            assert field in _fields(response), (field, response.json())
        assert (
            api.post(
                _url("session_schedule", world["cohort_b"]),
                _schedule(world),
                content_type="application/json",
            ).status_code
            == 404
        )
        assert not TrainingSession.objects.filter(notes="Neutral buoyancy pool").exists()

    def _log(self, world, session, **changes):
        return {
            "version": session.version,
            "key": str(uuid.uuid4()),
            "starts_at": session.starts_at.isoformat(),
            "ends_at": session.ends_at.isoformat(),
            "entries": [
                {
                    "trainee": world["trainee_a"].pk,
                    "attendance": "present",
                    "hours_credited": 2,
                    "remarks": "Steady on the arm.",
                    "grades": [
                        {"competency": c.pk, "grade": 4} for c in session.module.competencies.all()
                    ],
                }
            ],
            **changes,
        }

    def test_logging_saves_all_or_nothing_with_the_version_and_the_key(self, world, personas):
        api = bearer(personas["trainer"])
        session = f.TrainingSessionFactory(
            cohort=world["cohort_a"], trainer=personas["trainer"], status="scheduled"
        )
        url = _url("session_log", session)
        # One line wrong: nothing is saved, and the problem names the line's field.
        bad = self._log(world, session)
        bad["entries"][0]["hours_credited"] = 9
        assert "entries.0.hours_credited" in _fields(
            api.post(url, bad, content_type="application/json")
        )
        assert not SessionAttendance.objects.filter(session=session).exists()
        body = self._log(world, session)
        logged = api.post(url, body, content_type="application/json")
        assert logged.status_code == 200, logged.content
        assert logged.json()["status"] == "completed" and logged.json()["version"] == 2
        assert SessionAttendance.objects.get(session=session).hours_credited == 2
        # The same request again: saved once. An old version: 409, nothing changed.
        assert api.post(url, body, content_type="application/json").status_code == 200
        stale = api.post(url, self._log(world, session, version=1), content_type="application/json")
        assert stale.status_code == 409
        assert stale["Content-Type"] == "application/problem+json"
        session.refresh_from_db()
        assert session.version == 2

    def test_another_cohorts_session_or_trainee_is_not_logged(self, world, personas):
        api = bearer(personas["trainer"])
        session = world["session_b"]
        assert (
            api.post(_url("session_log", session), {}, content_type="application/json").status_code
            == 404
        )
        own = f.TrainingSessionFactory(
            cohort=world["cohort_a"], trainer=personas["trainer"], status="scheduled"
        )
        body = self._log(world, own)
        body["entries"][0]["trainee"] = world["trainee_b"].pk
        assert "entries.0.trainee" in _fields(
            api.post(_url("session_log", own), body, content_type="application/json")
        )

    def test_an_attempt_is_recorded_once_through_the_service(self, world, personas):
        api = bearer(personas["trainer"])
        definition = world["module"].assessments.last()
        url = _url("attempt_record", world["trainee_a"])
        body = {
            "assessment": definition.pk,
            "taken_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
            "score": 40,
            "grades": [
                {"competency": c.pk, "grade": None} for c in definition.module.competencies.all()
            ],
            "remarks": "",
            "key": str(uuid.uuid4()),
        }
        before = AssessmentResult.objects.count()
        missing = api.post(url, {**body, "grades": []}, content_type="application/json")
        if definition.module.competencies.exists():
            assert "grades" in _fields(missing)
        future = {**body, "taken_at": (timezone.now() + dt.timedelta(days=1)).isoformat()}
        assert "taken_at" in _fields(api.post(url, future, content_type="application/json"))
        made = api.post(url, body, content_type="application/json")
        assert made.status_code == 201, made.content
        assert made.json()["signed_by"] is None  # unsigned: a signature needs the password
        again = api.post(url, body, content_type="application/json")
        assert again.status_code == 200 and again.json()["id"] == made.json()["id"]
        assert AssessmentResult.objects.count() == before + 1
        other = api.post(
            _url("attempt_record", world["trainee_b"]), body, content_type="application/json"
        )
        assert other.status_code == 404

    def test_a_body_that_is_not_json_is_a_problem(self, world, personas):
        api = bearer(personas["trainer"])
        url = _url("session_schedule", world["cohort_a"])
        broken = api.post(url, "{not json", content_type="application/json")
        assert broken.status_code == 400 and broken["Content-Type"] == "application/problem+json"
        form = api.post(url, {"module": "1"})  # a form post
        assert form.status_code == 415

    def test_an_unknown_address_under_the_api_is_a_problem(self, db):
        response = Client().get("/api/v1/nothing/here")
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"
