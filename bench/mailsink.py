"""An e-mail backend for benchmarks: builds each message's MIME bytes (the cost an SMTP backend
pays) and keeps only counts, so memory does not grow with the number of messages."""

from django.core.mail.backends.base import BaseEmailBackend

SENT = {"messages": 0, "bytes": 0, "attachments": 0}


class EmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        for message in email_messages:
            SENT["messages"] += 1
            SENT["bytes"] += len(message.message().as_bytes())
            SENT["attachments"] += len(message.attachments)
        return len(email_messages)
