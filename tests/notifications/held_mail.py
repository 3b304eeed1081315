"""A test-only e-mail backend for the Redis integration test (tests/notifications/
test_redis_worker.py), chosen by DJANGO_EMAIL_BACKEND in the worker's environment: it writes
files like Django's file backend, but first waits while the file named by MAIL_HOLD_FILE
exists, so that the test can kill the worker between the claim and the send."""

import os
import time
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend


class HeldFileBackend(EmailBackend):
    def send_messages(self, email_messages):
        hold = Path(os.environ.get("MAIL_HOLD_FILE", "/nonexistent"))
        deadline = time.monotonic() + 60
        while hold.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        return super().send_messages(email_messages)
