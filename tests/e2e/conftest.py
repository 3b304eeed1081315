"""Browser tests: Playwright driving Debian's Chromium against a live server.

Playwright cannot download its own browser here, so the tests use /usr/bin/chromium and are
skipped, saying why, where it is missing (.ci/run installs it).
"""

import os
import sqlite3
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.servers.basehttp import WSGIServer
from django.db import connection
from django.test import override_settings
from django.test.testcases import LiveServerThread
from django.utils import timezone

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test body
# (fixtures, assertions) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


class OneRequestAtATimeServer(WSGIServer):
    """The live server, answering one request at a time.

    The test database is SQLite in memory, shared between threads with table locks that fail at
    once instead of waiting; pages that send requests side by side (htmx drafts while the form is
    submitted) would then meet "database table is locked", which the real server (a file in WAL
    mode with a busy timeout, or PostgreSQL) never shows. Django closes each connection after its
    response on a server without threads, so the browser's parallel requests queue, not hang.
    """

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)


LiveServerThread.server_class = OneRequestAtATimeServer

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
            # live_server needs committed data: these tests run in real transactions.
            item.add_marker(pytest.mark.django_db(transaction=True))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture
def console_errors(page):
    """Errors the page meets: a CSP violation, a failing script, a request that fails."""
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "response",
        lambda response: (
            response.status >= 400
            and errors.append(f"{response.status} {response.request.method} {response.url}")
        ),
    )
    return errors


class _DemoCopy:
    """The demo seeded once per test process and kept as a copy of the whole SQLite database.

    Seeding the demo takes seconds; copying it back with SQLite's backup API takes milliseconds.
    The demo is laid out from the day it is seeded, so a run that passes midnight seeds anew.
    """

    def __init__(self):
        self.day = None
        self.copy: sqlite3.Connection | None = None

    def restore(self) -> None:
        today = timezone.localdate()
        if self.copy is None or self.day != today:
            # The tables are empty at the start of a browser test (the last one's were flushed).
            with override_settings(PROGRESS_CACHE=False):
                call_command("seed_demo", force=True, verbosity=0)
            self.copy, self.day = sqlite3.connect(":memory:"), today
            connection.connection.backup(self.copy)
        else:
            self.copy.backup(connection.connection)
        # Content types are cached by id, and the copy's ids may differ from the last flush's.
        ContentType.objects.clear_cache()


@pytest.fixture(scope="session")
def _demo_copy():
    return _DemoCopy()


@pytest.fixture
def demo(transactional_db, live_server, _demo_copy):
    """The database holds the demo as `seed_demo` writes it today, for a browser test to change
    as it likes (the tables are emptied after it, as after every browser test)."""
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        _demo_copy.restore()
    else:
        call_command("seed_demo", force=True, verbosity=0)


# The OpenID provider of the single sign-on tests ------------------------------------------------

PROVIDER_PASSWORD = "agency-password-1"
# The provider's people: the tracker's trainer (Li Hao, by his e-mail address), and someone the
# tracker does not know.
PROVIDER_PEOPLE = [
    {"username": "li.hao", "email": "lihao@example.org", "password": PROVIDER_PASSWORD},
    {"username": "stranger", "email": "stranger@agency.test", "password": PROVIDER_PASSWORD},
]


@pytest.fixture(scope="module")
def oidc_provider(live_server, tmp_path_factory):
    """A real OpenID provider, django-oauth-toolkit in a Django process of its own
    (tests/oidc_provider/), started once per module; gives the tracker's OIDC_PROVIDERS for it."""
    import json
    import select
    import socket
    import subprocess
    import sys

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    issuer = f"http://127.0.0.1:{port}/o"
    client = {
        "id": "training-tracker",
        "secret": "tracker-secret-for-tests",
        "redirect_uri": f"{live_server.url}/accounts/sso/agency/callback/",
    }
    folder = tmp_path_factory.mktemp("oidc-provider")
    env = {
        **os.environ,
        "PROVIDER_DB": str(folder / "provider.sqlite3"),
        "PROVIDER_RSA_KEY": key.decode(),
        "PROVIDER_ISSUER": issuer,
    }
    log = (folder / "provider.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.oidc_provider.serve",
            str(port),
            json.dumps({"people": PROVIDER_PEOPLE, "client": client}),
        ],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    try:
        ready, _w, _x = select.select([process.stdout], [], [], 60)
        if not ready or process.stdout.readline().strip() != "ready":
            pytest.fail(f"The test OpenID provider did not start: see {log.name}")
        yield {
            "agency": {
                "issuer": issuer,
                "client_id": client["id"],
                "client_secret": client["secret"],
                "label": "Agency",
                "claim": "email",
            }
        }
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
