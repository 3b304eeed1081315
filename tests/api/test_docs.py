"""docs/api.md's curl examples, run with curl against a served site: each answers what the line
above it says, in JSON."""

import datetime as dt
import json
import os
import re
import shlex
import shutil
import subprocess

import pytest
from django.utils import timezone

from tests import factories as f
from tests.api.conftest import token_for
from tests.environment import ROOT

GUIDE = ROOT / "docs" / "api.md"
BLOCK = re.compile(r"```sh\n# (\d{3})\n(curl .*?)\n```", re.DOTALL)


def examples() -> list[tuple[int, str]]:
    return [(int(status), command) for status, command in BLOCK.findall(GUIDE.read_text())]


def test_the_guide_has_examples_of_reads_writes_and_a_refusal():
    statuses = [status for status, _command in examples()]
    assert len(statuses) >= 6 and {200, 201, 400} <= set(statuses)


def _command(command: str, env: dict) -> list[str]:
    """The example as curl's arguments: the shell's line continuations, quotes and $NAMEs, as
    sh would read them, without a shell."""
    command = command.replace("\\\n", " ")
    for name, value in sorted(env.items(), key=lambda item: -len(item[0])):
        command = command.replace(f"${name}", value)
    return shlex.split(command)


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_every_curl_example_of_the_guide_answers_as_it_says(live_server, personas):
    world_cohort = f.CohortFactory(
        revision=f.revision_ready(modules=1), trainers=[personas["trainer"]]
    )
    trainee = f.TraineeFactory(user=personas["trainee"], cohort=world_cohort)
    starts = timezone.now() - dt.timedelta(hours=5)
    session = f.TrainingSessionFactory(
        cohort=world_cohort,
        trainer=personas["trainer"],
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        status="scheduled",
    )
    env = {
        "TRACKER": live_server.url,
        "TOKEN": token_for(personas["trainer"]),
        "COHORT": str(world_cohort.pk),
        "TRAINEE": str(trainee.pk),
        "MODULE": str(world_cohort.revision.modules.first().pk),
        "SESSION": str(session.pk),
        "POOL": str(f.ResourceFactory(name="Neutral buoyancy pool", kind="pool").pk),
        "STARTS_AT": session.starts_at.isoformat(),
        "ENDS_AT": session.ends_at.isoformat(),
    }
    for status, command in examples():
        arguments = _command(command, env)
        done = subprocess.run(
            [*arguments, "--silent", "--show-error", "--write-out", "\n%{http_code}"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
            env={**os.environ, "NO_PROXY": "*"},
        )
        assert done.returncode == 0, (command, done.stderr)
        body, _, code = done.stdout.rpartition("\n")
        assert int(code) == status, (command, body)
        json.loads(body)
    session.refresh_from_db()
    assert session.status == "completed"
