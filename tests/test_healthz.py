import pytest
from django.db import OperationalError

from trainingtracker import health
from trainingtracker.celery import app as celery_app


def test_it_names_both_services_and_answers_200(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["services"]["database"]["ok"] is True
    assert body["services"]["broker"]["ok"] is True
    assert body["services"]["database"]["backend"] in {"sqlite", "postgresql"}
    assert body["services"]["broker"]["transport"] in {"filesystem", "redis"}
    assert "no-store" in response["Cache-Control"]


@pytest.mark.expect_error_log
def test_it_answers_503_when_the_broker_is_unreachable(client, db, monkeypatch):
    # Nothing listens on port 1: the connection is refused at once.
    monkeypatch.setitem(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    monkeypatch.setitem(celery_app.conf, "broker_transport_options", {})
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["services"]["broker"] == {"ok": False, "transport": "redis"}
    assert body["services"]["database"]["ok"] is True


@pytest.mark.expect_error_log
def test_it_answers_503_when_the_file_system_broker_has_no_folder(
    client, db, monkeypatch, tmp_path
):
    missing = str(tmp_path / "gone")
    monkeypatch.setitem(celery_app.conf, "broker_url", "filesystem://")
    monkeypatch.setitem(
        celery_app.conf,
        "broker_transport_options",
        {"data_folder_in": missing, "data_folder_out": missing},
    )
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["services"]["broker"] == {"ok": False, "transport": "filesystem"}


@pytest.mark.expect_error_log
def test_it_answers_503_when_the_database_fails(client, db, monkeypatch):
    class LostConnection:
        def cursor(self):
            raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(health, "connection", LostConnection())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["services"]["database"]["ok"] is False


def test_load_balancers_may_probe_it_with_head(client, db):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


def test_the_liveness_probe_touches_neither_database_nor_broker(
    client, db, monkeypatch, django_assert_num_queries
):
    # bench/run measures every page's throughput against it: it must stay the floor.
    monkeypatch.setattr(health, "broker_answers", lambda: pytest.fail("the broker was probed"))
    with django_assert_num_queries(0):
        response = client.get("/healthz/live")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert client.post("/healthz/live").status_code == 405
