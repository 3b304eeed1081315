"""An e-mail backend for benchmarks: builds each message's MIME bytes (the cost an SMTP backend
pays) and keeps only counts, so memory does not grow with the number of messages."""

import os

from django.core.mail.backends.base import BaseEmailBackend

SENT = {"messages": 0, "bytes": 0, "attachments": 0}
# Where Celery workers, which keep their own SENT, also append a line per message (bench.reports
# --workers sums them): one short write with O_APPEND, whole however many processes write.
TALLY = os.environ.get("BENCH_MAILSINK_TALLY", "")


class EmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        for message in email_messages:
            SENT["messages"] += 1
            size = len(message.message().as_bytes())
            SENT["bytes"] += size
            SENT["attachments"] += len(message.attachments)
            if TALLY:
                with open(TALLY, "a") as tally:
                    tally.write(f"{size} {len(message.attachments)}\n")
        return len(email_messages)
