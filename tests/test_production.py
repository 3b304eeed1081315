"""The production configuration, served for real: gunicorn, hashed static files, a TLS proxy.

One gunicorn process for the module, on SQLite in a temporary folder, reached on loopback the
way the load balancer would reach it (`X-Forwarded-Proto: https`).
"""

import http.client
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.environment import PRODUCTION_HOST as HOST
from tests.environment import ROOT, clean_environment, production_env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("production")
    env = clean_environment(
        **production_env(folder),
        DJANGO_STATIC_ROOT=str(folder / "static"),
    )
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        done = subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert done.returncode == 0, done.stderr
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "trainingtracker.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert process.poll() is None, process.stderr.read().decode()
            time.sleep(0.2)
    yield port
    process.terminate()
    process.wait(timeout=10)


def get(port, path, *, https=True, host=HOST, **headers):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers["Host"] = host
    if https:
        headers["X-Forwarded-Proto"] = "https"
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read().decode(errors="replace")
    connection.close()
    return response, body


def test_plain_http_is_sent_to_https_but_the_health_probe_is_not(server):
    response, _ = get(server, "/accounts/login/", https=False)
    assert response.status == 301
    assert response.getheader("Location") == f"https://{HOST}/accounts/login/"
    response, body = get(server, "/healthz", https=False)
    assert response.status == 200
    assert '"status": "ok"' in body


def test_pages_carry_hsts_and_host_only_secure_cookies(server):
    response, _ = get(server, "/accounts/login/")
    assert response.status == 200
    assert response.getheader("Strict-Transport-Security") == (
        "max-age=31536000; includeSubDomains; preload"
    )
    assert "unsafe-inline" not in response.getheader("Content-Security-Policy")
    cookie = response.getheader("Set-Cookie")
    assert cookie.startswith("__Host-csrftoken=")
    for flag in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert flag in cookie
    assert "Domain=" not in cookie


def test_static_files_are_hashed_compressed_and_cached_for_ever(server):
    _, page = get(server, "/accounts/login/")
    stylesheet = re.search(
        r'href="(/static/vendor/bootstrap-5\.3\.9/css/bootstrap\.min\.[0-9a-f]{12}\.css)"', page
    )
    assert stylesheet, "the page links the hashed stylesheet"
    response, _ = get(server, stylesheet.group(1), **{"Accept-Encoding": "gzip"})
    assert response.status == 200
    assert "immutable" in response.getheader("Cache-Control")
    assert response.getheader("Content-Encoding") == "gzip"
    assert get(server, "/static/vendor/bootstrap-5.3.9/css/nothing.css")[0].status == 404


def test_an_unknown_host_is_refused(server):
    response, _ = get(server, "/accounts/login/", host="attacker.example.com")
    assert response.status == 400
