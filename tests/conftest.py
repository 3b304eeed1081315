"""Personas and the harness every test shares.

The personas mirror the demo people: a payload specialist trainee, a trainee of another cohort,
the trainer, a trainer of another cohort, the medical officer, the programme admin and an operator.
"""

import logging

import pytest

from accounts.models import Role
from tests.factories import UserFactory


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "expect_error_log: the test provokes an error that is logged on purpose"
    )


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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


@pytest.fixture
def trainee(db):
    return UserFactory(
        username="ayesha",
        display_name="Ayesha Khan",
        native_name="عائشہ خان",
        preferred_language="ur",
        roles=[Role.TRAINEE],
    )


@pytest.fixture
def other_trainee(db):
    return UserFactory(username="zhaolei", display_name="Zhao Lei", roles=[Role.TRAINEE])


@pytest.fixture
def trainer(db):
    return UserFactory(username="lihao", display_name="Li Hao", roles=[Role.TRAINER])


@pytest.fixture
def other_trainer(db):
    return UserFactory(username="zhoumin", display_name="Zhou Min", roles=[Role.TRAINER])


@pytest.fixture
def medic(db):
    return UserFactory(username="sunli", display_name="Sun Li", roles=[Role.MEDICAL_OFFICER])


@pytest.fixture
def programme_admin(db):
    return UserFactory(username="chenjing", display_name="Chen Jing", roles=[Role.PROGRAMME_ADMIN])


@pytest.fixture
def operator(db):
    return UserFactory(
        username="ops", display_name="Site Operator", is_staff=True, is_superuser=True
    )


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
