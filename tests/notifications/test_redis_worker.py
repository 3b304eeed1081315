"""Never lost, never sent twice, on real Redis with a real Celery worker.

A batch of reminders is swept; the worker is killed with SIGKILL while it holds a claimed,
unsent e-mail; Redis is restarted with nothing saved (the queue is lost); a new worker starts;
the database sweep re-enqueues what is pending and the lapsed claim. Each reminder's e-mail and
in-app notice then exists exactly once. CI's second pass runs it (DATABASE_URL and REDIS_URL).
"""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from notifications import services
from notifications.models import Channel, Delivery, DeliveryStatus, Notification
from tests import factories as f
from trainingtracker.celery import app as celery_app

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL"),
        reason="REDIS_URL is unset: this test needs a real Redis and a real Celery worker "
        "(CI's second pass sets it)",
    ),
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL"),
        reason="DATABASE_URL is unset: the worker process must share the test's database, "
        "which an in-memory SQLite database cannot",
    ),
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(120),
    # It stops the Redis server the rest of the suite uses: `make test` runs it alone, last.
    pytest.mark.restarts_redis,
]

# Short enough to keep the test fast, in the order the settings demand.
LIMITS = {
    "CELERY_TASK_SOFT_TIME_LIMIT": "4",
    "CELERY_TASK_TIME_LIMIT": "5",
    "NOTIFICATION_CLAIM_LEASE": "6",
    "CELERY_VISIBILITY_TIMEOUT": "8",
}
BATCH = 4  # trainees, besides the trainer: five reminders, ten deliveries
REDIS_HOST, REDIS_PORT = "127.0.0.1", "6379"


def _wait(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"Timed out after {timeout} s waiting for {what()}")


def _redis_restart():
    """Stop Redis without saving (its queue is lost), start it again, wait for PING."""
    subprocess.run(
        ["redis-cli", "-h", REDIS_HOST, "-p", REDIS_PORT, "shutdown", "nosave"],
        capture_output=True,
        check=False,
    )
    _wait(lambda: not _redis_up(), 10, lambda: "Redis to stop")
    _redis_start()


def _redis_start():
    if _redis_up():
        return
    subprocess.run(
        [
            "redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1",
            "--port", REDIS_PORT, "--save", "", "--appendonly", "no",
            "--dir", "/var/lib/redis", "--logfile", "/var/log/redis/ci.log",
        ],
        check=True,
    )  # fmt: skip
    _wait(_redis_up, 10, lambda: "Redis to answer PING")


def _redis_up() -> bool:
    ping = subprocess.run(
        ["redis-cli", "-h", REDIS_HOST, "-p", REDIS_PORT, "ping"], capture_output=True, text=True
    )
    return ping.stdout.strip() == "PONG"


class Worker:
    def __init__(self, env, log: Path, name: str):
        self.log = log
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "trainingtracker", "worker",
                "--concurrency", "1", "--pool", "prefork", "--loglevel", "INFO",
                "--without-gossip", "--without-mingle", "--without-heartbeat",
                "--hostname", f"{name}@%h",
            ],
            cwd=django_settings.BASE_DIR,
            env=env,
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: SIGKILL reaches the pool too
        )  # fmt: skip

    def kill(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def _worker_env(tmp_path: Path, hold: Path, mail_dir: Path) -> dict:
    # The test database, which pytest-django made beside the one DATABASE_URL names.
    url = urlsplit(os.environ["DATABASE_URL"])
    database_url = urlunsplit(url._replace(path="/" + connection.settings_dict["NAME"]))
    return {
        **os.environ,
        **LIMITS,
        "DATABASE_URL": database_url,
        "DJANGO_CONN_MAX_AGE": "0",
        "PYTHONUNBUFFERED": "1",
        # Explicit, whatever the defaults: with DATABASE_URL and no EMAIL_URL, settings would
        # choose the console. Four slashes: an absolute path.
        "EMAIL_URL": f"filemail:///{mail_dir}",
        "DJANGO_EMAIL_BACKEND": "tests.notifications.held_mail.HeldFileBackend",
        "MAIL_HOLD_FILE": str(hold),
        "DJANGO_VAR_DIR": str(tmp_path / "var"),
    }


def _emails_by_key(mail_dir: Path) -> Counter:
    """Messages written, by their X-Notification-Key header (one file may hold several)."""
    header = services.NOTIFICATION_KEY_HEADER + ": "
    keys = Counter()
    for path in mail_dir.iterdir():
        for line in path.read_text().splitlines():
            if line.startswith(header):
                keys[line[len(header) :].strip()] += 1
    return keys


def test_each_reminder_is_delivered_exactly_once_through_a_killed_worker_and_a_lost_queue(
    tmp_path, trainer, settings
):
    # This process runs the sweep, as beat's worker would: with the workers' lease.
    settings.NOTIFICATION_CLAIM_LEASE = int(LIMITS["NOTIFICATION_CLAIM_LEASE"])
    cohort = f.CohortFactory(trainers=[trainer])
    trainees = f.TraineeFactory.create_batch(BATCH, cohort=cohort)
    session = f.TrainingSessionFactory(
        cohort=cohort,
        trainer=trainer,
        starts_at=timezone.now() + timezone.timedelta(hours=3),
        status="scheduled",
    )
    session.trainees.set(trainees)
    mail_dir, hold = tmp_path / "mail", tmp_path / "hold"
    mail_dir.mkdir()
    hold.touch()
    env = _worker_env(tmp_path, hold, mail_dir)
    log = tmp_path / "worker.log"
    workers = []
    try:
        celery_app.control.purge()  # nothing left over from an earlier run
        workers.append(Worker(env, log, "first"))
        # The sweep records the batch and enqueues its deliveries on real Redis.
        assert services.reminders_sweep()["recorded"] == BATCH + 1
        emails = Delivery.objects.filter(channel=Channel.EMAIL)
        _wait(
            lambda: emails.filter(status=DeliveryStatus.SENDING).exists(),
            30,
            lambda: f"the worker to claim an e-mail; its log:\n{log.read_text()}",
        )
        claimed = emails.get(status=DeliveryStatus.SENDING)
        workers[0].kill()  # between the claim and the send
        assert _emails_by_key(mail_dir) == Counter()

        _redis_restart()  # nothing saved: every queued message is gone
        hold.unlink()
        workers.append(Worker(env, log, "second"))
        # The periodic sweep, run here: what is pending at once, the claim once its lease lapses.
        pending = Delivery.objects.exclude(status=DeliveryStatus.SENT)

        def swept_and_done():
            services.reminders_sweep()
            return not pending.exists()

        _wait(
            lambda: swept_and_done() or time.sleep(0.5),
            40,
            lambda: (
                f"every delivery to be sent: {list(pending.values_list('status', 'attempts'))}"
                f"; the workers' log:\n{log.read_text()}"
            ),
        )
    finally:
        for worker in workers:
            worker.kill()
        hold.unlink(missing_ok=True)
        _redis_start()

    keys = set(Notification.objects.values_list("key", flat=True))
    assert len(keys) == BATCH + 1
    assert _emails_by_key(mail_dir) == Counter(dict.fromkeys(keys, 1))
    assert Notification.objects.filter(shown_at__isnull=False).count() == BATCH + 1
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 2 * (BATCH + 1)
    claimed.refresh_from_db()
    assert claimed.attempts == 2 and claimed.status == DeliveryStatus.SENT
