"""Hostile input to every endpoint of the API: JSON bodies and query parameters.

For each write endpoint, hypothesis posts bodies built from a valid one with fields replaced
by hostile values (the forms' HOSTILE strings, any JSON value, nested junk, huge numbers, NUL,
lone surrogates), left out or added; for each listing, hostile values of its parameters.
Asserted for every example: no 5xx (the test client re-raises a view's exception), no error
logged, every refusal a problem document, and nothing written by a refused request. Schemathesis
(tests/api/test_schemathesis.py) draws from the schema on the served site; these run in process
on every database. Counts are printed at the end of the run.
"""

import datetime as dt
import json
import uuid

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.conftest import token_for
from tests.security.test_hostile_input import HOSTILE
from tests.test_security import ALL_PATTERNS, api_endpoint
from trainees.models import (
    AbsenceNotice,
    AssessmentResult,
    Resource,
    ResourceUnavailability,
    SessionAttendance,
    TrainingSession,
)

from . import examples, record

JSON_VALUE = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(allow_nan=False, allow_infinity=False),
        st.sampled_from(HOSTILE),
        st.text(max_size=40),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
RAW = st.sampled_from(
    [b"", b"{", b"[]", b"null", b'"x"', b"1e999", b'{"a": NaN}', b"\xff\xfe", b"[" * 3000]
)


def bodies(valid: dict):
    """A valid body with some fields replaced by hostile values, some left out, one added."""
    keys = sorted(valid)
    return st.fixed_dictionaries(
        {key: st.one_of(st.just(valid[key]), JSON_VALUE, st.just(...)) for key in keys}
    ).flatmap(
        lambda body: st.dictionaries(
            st.sampled_from(["x", "id", "<b>"]), JSON_VALUE, max_size=1
        ).map(lambda extra: {**extra, **{k: v for k, v in body.items() if v is not ...}})
    )


def _session_body(world, session=None):
    starts = session.starts_at if session else timezone.now() + dt.timedelta(days=1)
    return {
        "module": world["module"].pk,
        "starts_at": starts.isoformat(),
        "ends_at": (starts + dt.timedelta(hours=1)).isoformat(),
        "notes": "Centrifuge",
        "trainees": [world["trainee_a"].pk],
        "key": str(uuid.uuid4()),
    }


def _log_body(world, session):
    return {
        "version": session.version,
        "key": str(uuid.uuid4()),
        "starts_at": session.starts_at.isoformat(),
        "ends_at": session.ends_at.isoformat(),
        "entries": [
            {
                "trainee": world["trainee_a"].pk,
                "attendance": "present",
                "hours_credited": 1,
                "grades": [{"competency": world["competency"].pk, "grade": 3}],
                "measurements": [{"metric": "vo2max", "value": 50}],
            }
        ],
    }


def _attempt_body(world):
    return {
        "assessment": world["assessment"].pk,
        "taken_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
        "score": 70,
        "grades": [{"competency": c.pk, "grade": 3} for c in world["module"].competencies.all()],
        "key": str(uuid.uuid4()),
    }


def _resource_body(world):
    return {
        "name": "Hostile hall",
        "kind": "classroom",
        "capacity": 3,
        "required_qualification": "",
        "notes": "Second floor.",
        "key": str(uuid.uuid4()),
    }


def _unavailable_body(world):
    starts = timezone.now() + dt.timedelta(days=200)
    return {
        "starts_at": starts.isoformat(),
        "ends_at": (starts + dt.timedelta(hours=2)).isoformat(),
        "reason": "Inspection.",
    }


def _absence_body(world):
    return {"category": "illness", "reason": "Flu."}


WRITES = {
    "session_schedule": ("cohort_a", lambda world: _session_body(world)),
    "session_log": ("session_a", lambda world: _log_body(world, world["session_a"])),
    "attempt_record": ("trainee_a", _attempt_body),
    "resource_list": (None, _resource_body),
    "resource_detail": ("resource", _resource_body),
    "resource_unavailable": ("resource", _unavailable_body),
    # The world's session is held: the service refuses whatever the body parsed to.
    "session_absence": ("session_a", _absence_body),
}
# The writes of the programme admins' (the trainer's are the rest), and those patched.
ADMIN_WRITES = {"resource_list", "resource_detail", "resource_unavailable"}
PATCHED = {"resource_detail"}
# The trainee's own writes.
TRAINEE_WRITES = {"session_absence"}
# Listings and the records read with parameters: (world object of the id or None, parameters).
LISTINGS = {
    "session_list": ["cohort", "from", "to", "status", "trainee", "page", "page_size"],
    "attendance_list": ["cohort", "trainee", "from", "to"],
    "result_list": ["cohort", "trainee", "from", "to"],
    "grant_list": ["cohort", "trainee", "from", "to", "on"],
    "hold_list": ["cohort", "trainee", "from", "to"],
    "trainee_list": ["cohort", "status"],
    "cohort_list": ["from", "to"],
    "module_list": ["revision", "category"],
    "resource_list": ["kind", "page", "page_size"],
    "trainee_progress": ["on"],
    "cohort_progress": ["on", "page", "page_size"],
}
WITH_OBJECT = {"trainee_progress": "trainee_a", "cohort_progress": "cohort_a"}
# Read by id alone: the id is the URL's, which the URL resolver bounds (<int:pk>); the access
# matrix reads each on an object seen and one not.
BY_ID_ALONE = {
    "trainee_detail",
    "cohort_detail",
    "session_detail",
    "result_detail",
    "module_detail",
    "not_found",
}


def test_every_endpoint_is_sent_hostile_input():
    endpoints = {name.removeprefix("api:") for _r, name in ALL_PATTERNS if api_endpoint(name)}
    assert endpoints == set(WRITES) | set(LISTINGS) | BY_ID_ALONE


SETTINGS = settings(
    max_examples=examples(25),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _counts():
    return (
        TrainingSession.objects.count(),
        SessionAttendance.objects.count(),
        AssessmentResult.objects.count(),
        Resource.objects.count(),
        ResourceUnavailability.objects.count(),
        Resource.history.count(),
        AbsenceNotice.objects.count(),
    )


def _check(response, where):
    assert response.status_code < 500, f"{where}: {response.status_code}"
    if response.status_code >= 400:
        assert response["Content-Type"] == "application/problem+json", where
        problem = response.json()
        assert problem["status"] == response.status_code
        for error in problem.get("errors", []):
            assert isinstance(error["field"], str) and error["detail"], where


class TestEveryEndpoint:
    @pytest.mark.parametrize("name", list(WRITES))
    def test_hostile_bodies_never_break_a_write(self, request, class_world, db, name):
        personas, world = class_world
        obj, valid = WRITES[name]
        writer = personas[
            "programme_admin"
            if name in ADMIN_WRITES
            else "trainee"
            if name in TRAINEE_WRITES
            else "trainer"
        ]
        api = Client(headers={"Authorization": f"Bearer {token_for(writer)}"})
        url = reverse(f"api:{name}", args=[world[obj].pk] if obj else None)
        method = "PATCH" if name in PATCHED else "POST"
        sent = 0

        @SETTINGS
        @given(st.one_of(bodies(valid(world)).map(json.dumps).map(str.encode), RAW))
        def post(body):
            nonlocal sent
            sent += 1
            with transaction.atomic():
                before = _counts()
                response = api.generic(method, url, body, content_type="application/json")
                _check(response, url)
                if response.status_code >= 400:
                    assert _counts() == before, f"{url}: a refused request wrote"
                transaction.set_rollback(True)

        post()
        record(request, "api", pages=[name], parameters=valid(world), examples=sent)

    @pytest.mark.parametrize("name", list(LISTINGS))
    def test_hostile_parameters_never_break_a_listing(self, request, class_world, db, name):
        personas, world = class_world
        reader = personas["programme_admin" if name == "cohort_progress" else "medic"]
        api = Client(headers={"Authorization": f"Bearer {token_for(reader, 'read')}"})
        obj = WITH_OBJECT.get(name)
        url = reverse(f"api:{name}", args=[world[obj].pk] if obj else None)
        parameters = LISTINGS[name]
        sent = 0
        value = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=30), st.integers().map(str))

        @SETTINGS
        @given(st.dictionaries(st.sampled_from(parameters), value, min_size=1))
        def get(params):
            nonlocal sent
            sent += 1
            params = {k: v.replace("\x00", "\\0") if "\x00" in v else v for k, v in params.items()}
            _check(api.get(url, params), url)

        get()
        record(request, "api", pages=[name], parameters=parameters, examples=sent)
