"""CPU per request of pages, with the progress cache off (cold) and on (warm), beside the trivial
view: `python -m bench.cpu USERNAME PATH [USERNAME PATH ...]` against the database in
DATABASE_URL (and the cache in REDIS_URL, as production), e.g. the one bench/run seeded.

Each request goes straight through Django's WSGI handler, with production settings
(DJANGO_DEBUG=0, as bench/run sets them) and no test client, whose template instrumentation
costs more than some pages do. It counts Django's process time only: the database's and Redis's
own time is not in it, which makes it comparable on a busy machine, where wrk's numbers are not.
"""

import datetime as dt
import io
import os
import secrets
import sys
import time
import warnings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trainingtracker.settings")
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
os.environ.setdefault("DJANGO_API_TOKEN_RATE_PER_MINUTE", "10000000")

import django

# Whitenoise looks for STATIC_ROOT, which only bench/run fills; the pages do not need it.
warnings.filterwarnings("ignore", message="No directory at")

django.setup()

from django.conf import settings  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from api.services import access_token_create  # noqa: E402

COLD, WARM = 5, 50
# Hashed names need collectstatic; the pages' cost does not depend on them.
settings.STORAGES = settings.STORAGES | {
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
}


class Requester:
    """GET requests as `username`, over https behind the proxy, as bench/run sends them."""

    handler = WSGIHandler()

    def __init__(self, username: str):
        """`-` for nobody signed in (the sign-in page)."""
        client = Client()
        user = User.objects.get(username=username) if username != "-" else None
        if user is not None:
            client.force_login(user)
        self.cookie = "; ".join(f"{k}={v.value}" for k, v in client.cookies.items())
        # The API's paths: a read token of the same person (the cookie opens no endpoint).
        self.token = ""
        if user is not None:
            _token, self.token = access_token_create(
                user=user,
                name="bench.cpu",
                scope="read",
                expires_on=timezone.localdate() + dt.timedelta(days=2),
            )

    def get(self, path: str) -> tuple[str, int]:
        path, _, query = path.partition("?")
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "443",
            "HTTP_HOST": "testserver",
            "HTTP_COOKIE": self.cookie,
            "HTTP_X_FORWARDED_PROTO": "https",
            "wsgi.url_scheme": "https",
            "wsgi.input": io.BytesIO(),
            "wsgi.errors": sys.stderr,
        }
        if path.startswith("/api/"):
            environ["HTTP_AUTHORIZATION"] = f"Bearer {self.token}"
        statuses = []
        response = self.handler(environ, lambda status, headers: statuses.append(status))
        size = sum(len(chunk) for chunk in response)
        response.close()
        return statuses[0], size

    def cpu_ms(self, path: str, repeat: int) -> float:
        started = time.process_time()
        for _ in range(repeat):
            self.get(path)
        return 1000 * (time.process_time() - started) / repeat


def main(pairs: list[str]) -> None:
    for username, path in [(pairs[0], "/healthz/live"), *zip(pairs[::2], pairs[1::2], strict=True)]:
        requester = Requester(username)
        status, size = requester.get(path)
        if not status.startswith("200"):
            raise SystemExit(f"{path} answered {status} to {username}")
        settings.PROGRESS_CACHE = False
        cold = requester.cpu_ms(path, COLD)
        settings.PROGRESS_CACHE = True
        requester.get(path)  # fills the cache
        warm = requester.cpu_ms(path, WARM)
        print(
            f"{path:24} {size / 1000:7.1f} kB  CPU per request: "
            f"cache off (cold) {cold:6.1f} ms, on (warm) {warm:5.1f} ms",
            flush=True,
        )


if __name__ == "__main__":
    main(sys.argv[1:])
