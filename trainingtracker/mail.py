"""What every automated e-mail carries, whoever builds it (notifications, reports, accounts).

RFC 3834's `Auto-Submitted: auto-generated`, so that out-of-office replies and other robots
leave it alone; `Content-Language`, the reader's language, which is the language the message
is written in; and a Message-ID on the site's own domain (DJANGO_SITE_URL) rather than the
worker's host name (`localhost` in a container), which spam filters hold against a message.
"""

from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import to_locale


def site_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def content_language(language: str) -> str:
    """A Django language code as a BCP 47 tag: zh-hans is zh-Hans."""
    return to_locale(language).replace("_", "-")


def automated_headers(*, language: str) -> dict[str, str]:
    """Headers for a message the site sends on its own, written in `language`."""
    return {
        "Auto-Submitted": "auto-generated",
        "Content-Language": content_language(language),
        "Message-ID": make_msgid(domain=site_domain()),
    }
