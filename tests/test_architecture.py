"""The import contracts in pyproject.toml (docs/architecture.md): kept by the tree as it is, and
broken by each import they forbid, so a contract that could never fail would show here."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# The code's shape, not the database's: .ci/run's PostgreSQL pass leaves these out.
pytestmark = pytest.mark.same_on_any_database

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
PACKAGES = (
    "trainingtracker",
    "accounts",
    "curriculum",
    "trainees",
    "notifications",
    "reports",
    "api",
    "demo",
)


def _lint(where: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(where / "pyproject.toml")],
        cwd=where,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def tree_copy(tmp_path_factory):
    """The Python of the project's packages, copied where a test may add a forbidden import."""
    where = tmp_path_factory.mktemp("tree")
    shutil.copy(ROOT / "pyproject.toml", where)
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, where / package, ignore=shutil.ignore_patterns("*.pyc", "__pycache__")
        )
    return where


def test_it_keeps_every_contract():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout
    assert " 0 broken" in result.stdout


# (module the import is added to in the copy, the import, the contract that must break)
FORBIDDEN = [
    ("curriculum/forbidden.py", "import trainees.models", "curriculum never imports trainees"),
    ("trainees/forbidden.py", "import notifications.models", "never import the apps that stand"),
    ("accounts/forbidden.py", "import reports.models", "never import the apps that stand"),
    ("reports/forbidden.py", "import demo.seed", "nothing stands on it"),
    ("trainees/progress/forbidden.py", "import trainees.sessions.views", "areas in layers"),
    ("trainees/sessions/forbidden.py", "import trainees.assessments.services", "areas in layers"),
    ("trainees/resources/forbidden.py", "import trainees.sessions.bookings", "areas in layers"),
    ("trainees/sessions/forbidden.py", "import trainees.imports.services", "areas in layers"),
    ("trainees/timetables/forbidden.py", "import trainees.sessions.views", "areas in layers"),
    ("trainees/absences/forbidden.py", "import trainees.sessions.services", "areas in layers"),
    ("trainees/timetables/forbidden.py", "import trainees.absences.services", "areas in layers"),
    ("trainees/models/forbidden.py", "import trainees.cohorts.forms", "Models import no services"),
    ("curriculum/models.py", "import curriculum.services", "Models import no services"),
    ("trainees/forbidden.py", "import api.views", "never import the apps that stand"),
    ("reports/forbidden.py", "import api.serializers", "Only the API imports the API"),
    ("api/models.py", "import api.services", "Models import no services"),
]


@pytest.mark.parametrize(("module", "statement", "contract"), FORBIDDEN)
def test_it_fails_a_forbidden_import(tree_copy, module, statement, contract):
    path = tree_copy / module
    before = path.read_text() if path.exists() else None
    path.write_text(f"{before or ''}\n{statement}  # noqa: F401\n")
    try:
        result = _lint(tree_copy)
    finally:
        if before is None:
            path.unlink()
        else:
            path.write_text(before)
    assert result.returncode != 0
    broken = result.stdout.split("Broken contracts", 1)[1]
    assert contract in " ".join(broken.split())
    assert module.removesuffix(".py").replace("/", ".") in broken
