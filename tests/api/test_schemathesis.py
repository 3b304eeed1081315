"""Schemathesis against the served schema: gunicorn with production settings on PostgreSQL.

A database of its own is made from the migrated test template (tests/database.py), seeded with
the personas and the world, and served by one gunicorn worker the way the load balancer reaches
it. Schemathesis reads the schema from the server and runs every operation with a trainer's read
token and with their read-write token (and with the medical officer's, whose medical holds read
in full): no 5xx, every response as the schema says (status, content type, body), every
operation exercised. The counts are printed at the end of the run (tests/conftest.py).

PostgreSQL only (the SQLite pass skips it, so it runs once in .ci/run), with a bounded number of
examples per operation so that it costs well under a minute.
"""

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from tests.environment import PRODUCTION_HOST, ROOT, clean_environment, production_env
from tests.test_production import free_port

# Per operation and token, so that the module costs well under a minute on 2 cores. The phases:
# the schema's examples and drawn ones; SCHEMATHESIS_PHASES=examples,coverage,fuzzing adds the
# coverage phase (every parameter's edges and wrong types: about 1,400 cases, a minute more),
# as `make fuzz` does.
EXAMPLES = {"write": 3, "read": 2, "medic": 2}
PHASES = os.environ.get("SCHEMATHESIS_PHASES", "examples,fuzzing")

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="schemathesis runs on PostgreSQL (.ci/run's pass 2)"
)


def _database_url(name: str) -> str:
    params = connection.settings_dict
    auth = params["USER"] + (f":{params['PASSWORD']}" if params["PASSWORD"] else "")
    return f"postgres://{auth}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}/{name}"


@pytest.fixture(scope="module")
def served(tmp_path_factory, django_db_setup, django_db_blocker):
    from psycopg import sql

    from tests.database import _postgresql_server, digest

    folder = tmp_path_factory.mktemp("schemathesis")
    name = f"{connection.settings_dict['NAME']}_api"[:63]
    with django_db_blocker.unblock(), _postgresql_server(connection) as server:
        server.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        server.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(f"test_template_{digest()}")
            )
        )
    env = clean_environment(
        **production_env(folder)
        | {
            "DATABASE_URL": _database_url(name),
            "DJANGO_ALLOWED_HOSTS": f"{PRODUCTION_HOST},127.0.0.1",
            # The fuzzing sends hundreds of requests a minute with one token.
            "DJANGO_API_TOKEN_RATE_PER_MINUTE": "100000",
        }
    )
    seeded = subprocess.run(
        [sys.executable, "-m", "tests.api.served"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert seeded.returncode == 0, seeded.stderr
    world = json.loads(seeded.stdout.strip().splitlines()[-1])
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "trainingtracker.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(folder / "gunicorn.log").open("w"),
    )
    yield port, world, folder / "gunicorn.log"
    process.send_signal(signal.SIGQUIT)  # gunicorn's quick shutdown
    process.wait(timeout=10)
    with django_db_blocker.unblock(), _postgresql_server(connection) as server:
        server.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


OPERATIONS = 25  # every operation of the schema (tests/api/test_endpoints.py counts them)


def schemathesis(port: int, token: str, examples: int, folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            str(Path(sys.executable).with_name("st")),
            "run",
            f"http://127.0.0.1:{port}/api/v1/schema/",
            "--wait-for-schema=30",
            "--checks=all",
            # The world's ids are few: most made-up ids answer 404, as documented; these two
            # checks want every such id to lead somewhere, or a 404 after a POST made something.
            # positive_data_acceptance: a request the schema allows may still break a rule
            # (a grade for every competency of the module, a trainee of the cohort): 400.
            "--exclude-checks=ensure_resource_availability,use_after_free,positive_data_acceptance",
            f"--max-examples={examples}",
            "--seed=26",
            "--workers=1",
            "--no-shrink",
            f"--phases={PHASES}",
            "--header=X-Forwarded-Proto: https",
            f"--header=Authorization: Bearer {token}",
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_every_operation_answers_as_its_schema_says(served, tmp_path, request):
    """With each token in turn, on one server (one test, so that xdist starts one)."""
    port, world, log = served
    failures = []
    for token, examples in EXAMPLES.items():
        started = time.monotonic()
        folder = tmp_path / token
        folder.mkdir()
        done = schemathesis(port, world["tokens"][token], examples, folder)
        output = done.stdout + done.stderr
        operations = re.search(r"(\d+) selected", output)
        cases = re.search(r"(\d+) generated", output)
        request.node.user_properties.append(
            (
                "coverage",
                f"schemathesis, {token} token ({PHASES}): "
                f"{operations.group(1) if operations else '?'} operations, "
                f"{cases.group(1) if cases else '?'} cases, {time.monotonic() - started:.0f} s",
            )
        )
        if done.returncode != 0:
            failures.append(f"{token} token:\n{output[-5000:]}")
        elif not operations or operations.group(1) != str(OPERATIONS):
            failures.append(f"{token} token: not every operation ran:\n{output[-3000:]}")
    assert not failures, "\n".join(failures) + "\n" + log.read_text()[-4000:]
