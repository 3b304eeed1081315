"""The test database, migrated once and copied by every test process after the first.

Each test process (three per pass, three passes in .ci/run, one per `make test-fast`) would run
all the project's migrations again, seconds of CPU each time, while the others wait. The first
process to get here migrates as usual and keeps a copy: a file in the user's cache (SQLite, copied
in and out with its backup API; `copies()` says where) or a template database (PostgreSQL,
`CREATE DATABASE ... TEMPLATE`), so that a fresh clone on the same machine (CI's) starts from the
copy its last run left, as it does from the PostgreSQL server's template. The copy is
named by a digest of everything that shapes the migrated database (the migrations, the pinned
requirements, the installed apps, the settings the migrations read), so a changed migration or
package makes a new one.
"""

import contextlib
import fcntl
import hashlib
import os
import sqlite3
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def digest() -> str:
    sha = hashlib.sha256()
    for path in sorted(ROOT.glob("*/migrations/*.py")):
        sha.update(path.relative_to(ROOT).as_posix().encode())
        sha.update(path.read_bytes())
    for name in ("requirements.txt", "requirements-dev.txt"):
        sha.update((ROOT / name).read_bytes())
    # The settings the migrations read (a data migration writes the reminders' lead times).
    sha.update(repr([settings.INSTALLED_APPS, settings.QUALIFICATION_WARNING_DAYS]).encode())
    sha.update(f"{sys.version_info[:2]} {sqlite3.sqlite_version}".encode())
    return sha.hexdigest()[:16]


def copies() -> Path:
    """The folder of the SQLite copies: TRACKER_TEST_DATABASES, or the user's cache (outside the
    checkout, kept across clones; each copy is named by its digest, so clones of other versions
    keep theirs beside it)."""
    if chosen := os.environ.get("TRACKER_TEST_DATABASES"):
        return Path(chosen)
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "astronaut-training-tracker" / "test-databases"


@contextlib.contextmanager
def _one_process_at_a_time(folder: Path):
    """While one process migrates and keeps the copy, the others wait for it."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@contextlib.contextmanager
def migrated_once(connection):
    """Around Django's setup_databases: the test database is created from the copy if there is
    one (its tables are made from the models, then replaced by the copy); otherwise it is
    migrated and the copy is made."""
    folder = copies()
    name = digest()
    test = connection.settings_dict["TEST"]
    with _one_process_at_a_time(folder):
        if connection.vendor == "postgresql":
            template = f"test_template_{name}"
            exists = _postgresql_database_exists(connection, template)
            if exists:
                test["TEMPLATE"], test["MIGRATE"] = template, False
            yield
            if not exists:
                _postgresql_template_make(connection, template)
        elif connection.vendor == "sqlite":
            copy = folder / f"{name}.sqlite3"
            if copy.exists():
                test["MIGRATE"] = False
            yield
            if test["MIGRATE"] is False:
                from django.contrib.contenttypes.models import ContentType

                with contextlib.closing(sqlite3.connect(copy)) as source:
                    connection.ensure_connection()
                    source.backup(connection.connection)
                # The tables made from the models had content types of their own, now replaced.
                ContentType.objects.clear_cache()
            else:
                part = copy.with_suffix(".part")
                with contextlib.closing(sqlite3.connect(part)) as target:
                    connection.ensure_connection()
                    connection.connection.backup(target)
                part.replace(copy)
        else:
            yield


def _postgresql_server(connection):
    """A connection to the server's own `postgres` database, outside any test database."""
    import psycopg

    params = connection.settings_dict
    return psycopg.connect(
        dbname="postgres",
        user=params["USER"] or None,
        password=params["PASSWORD"] or None,
        host=params["HOST"] or None,
        port=params["PORT"] or None,
        autocommit=True,
    )


def _postgresql_database_exists(connection, name: str) -> bool:
    with _postgresql_server(connection) as server:
        found = server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return found.fetchone() is not None


def _postgresql_template_make(connection, template: str) -> None:
    """Copy the freshly migrated test database to the template (nobody may be connected to it
    meanwhile: this process closes its connection, and the others wait for the lock)."""
    from psycopg import sql

    connection.close()
    with _postgresql_server(connection) as server:
        server.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(template), sql.Identifier(connection.settings_dict["NAME"])
            )
        )
