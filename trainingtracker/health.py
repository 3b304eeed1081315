"""Liveness of the services the application needs, for /healthz and for operators."""

import logging
import os

from django.db import DatabaseError, connection
from kombu import Connection

from .celery import app as celery_app

logger = logging.getLogger(__name__)

# Short: a load balancer polls this, and a hung service must not hang the probe.
PROBE_TIMEOUT_SECONDS = 2


def database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        logger.exception("Health check: the database does not answer")
        return False


def broker_transport() -> str:
    return Connection(celery_app.conf.broker_url).transport_cls


def broker_answers() -> bool:
    conf = celery_app.conf
    options = dict(conf.broker_transport_options or {})
    if broker_transport() == "filesystem":
        # The file-system transport "connects" without touching the disk: check its folders.
        folders = [options.get("data_folder_in"), options.get("data_folder_out")]
        ok = all(f and os.path.isdir(f) and os.access(f, os.W_OK) for f in folders)
        if not ok:
            logger.error("Health check: the file-system broker's folders are missing: %s", folders)
        return ok
    options.update(
        socket_connect_timeout=PROBE_TIMEOUT_SECONDS, socket_timeout=PROBE_TIMEOUT_SECONDS
    )
    try:
        with Connection(
            conf.broker_url, transport_options=options, connect_timeout=PROBE_TIMEOUT_SECONDS
        ) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=PROBE_TIMEOUT_SECONDS)
        return True
    except Exception:
        logger.exception("Health check: the broker does not answer")
        return False
