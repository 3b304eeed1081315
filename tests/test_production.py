"""The production configuration, served for real: gunicorn, hashed static files, a TLS proxy.

One gunicorn process for the module, on SQLite in a temporary folder, reached on loopback the
way the load balancer would reach it (`X-Forwarded-Proto: https`).
"""

import http.client
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.database import copies, digest
from tests.environment import PRODUCTION_HOST as HOST
from tests.environment import ROOT, clean_environment, production_env
from tests.factories import PASSWORD

# gunicorn on SQLite in a temporary folder, whatever database the suite runs on (.ci/run's
# PostgreSQL pass leaves it out).
pytestmark = pytest.mark.same_on_any_database


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory, django_db_setup):
    folder = tmp_path_factory.mktemp("production")
    env = clean_environment(
        **production_env(folder),
        DJANGO_STATIC_ROOT=str(folder / "static"),
    )
    # The suite's migrated copy (tests/database.py), when it runs on SQLite: `migrate` below
    # then finds nothing to apply, instead of a minute of migrations on a busy machine.
    copy = copies() / f"{digest()}.sqlite3"
    if copy.exists():
        shutil.copyfile(copy, folder / "db.sqlite3")
    person = (
        "from tests.factories import UserFactory; from accounts.models import Role; "
        f"UserFactory(username='lihao', roles=[Role.TRAINER], password='{PASSWORD}')"
    )
    for command in (
        ["migrate", "--noinput"],
        ["collectstatic", "--noinput"],
        ["shell", "-c", person],  # someone to sign in, for the session cookie
    ):
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


def test_pages_carry_every_security_header(server):
    # The headers of a production answer, one by one.
    response, _ = get(server, "/accounts/login/")
    csp = response.getheader("Content-Security-Policy")
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "default-src 'self'" in csp or "default-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp or response.getheader("X-Frame-Options") == "DENY"
    hsts = response.getheader("Strict-Transport-Security")
    assert int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 365 * 24 * 60 * 60
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    assert response.getheader("X-Frame-Options") == "DENY"
    assert response.getheader("Referrer-Policy") == "same-origin"
    assert response.getheader("Cross-Origin-Opener-Policy") == "same-origin"
    policy = response.getheader("Permissions-Policy")
    for feature in ("camera=()", "microphone=()", "geolocation=()"):
        assert feature in policy


def test_the_session_cookie_is_secure_host_only_and_out_of_reach_of_scripts(server):
    response, body = get(server, "/accounts/login/")
    csrf_cookie = response.getheader("Set-Cookie").split(";")[0]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    connection = http.client.HTTPConnection("127.0.0.1", server, timeout=10)
    connection.request(
        "POST",
        "/accounts/login/",
        body=f"csrfmiddlewaretoken={token}&username=lihao&password={PASSWORD}",
        headers={
            "Host": HOST,
            "X-Forwarded-Proto": "https",
            "Cookie": csrf_cookie,
            "Referer": f"https://{HOST}/accounts/login/",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    signed_in = connection.getresponse()
    signed_in.read()
    connection.close()
    assert signed_in.status == 302
    cookies = signed_in.msg.get_all("Set-Cookie")
    session = next(c for c in cookies if c.startswith("__Host-sessionid="))
    for flag in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert flag in session
    assert "Domain=" not in session
