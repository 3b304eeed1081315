"""CPU per request of pages, with the progress cache off (cold) and on (warm):
`python -m bench.cpu USERNAME PATH [USERNAME PATH ...]` against the database in DATABASE_URL.

Django's process time over 5 requests through the test client after one warm-up request; the
database's own time is not in it, which makes it comparable on a busy machine.
"""

import os
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trainingtracker.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from accounts.models import User  # noqa: E402

REPEAT = 5


def main(pairs: list[str]) -> None:
    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    for username, path in zip(pairs[::2], pairs[1::2], strict=True):
        client = Client()
        client.force_login(User.objects.get(username=username))
        for cache in (False, True):
            settings.PROGRESS_CACHE = cache
            if client.get(path, secure=True).status_code != 200:
                raise SystemExit(f"{path} did not answer 200 to {username}")
            cpu, wall = time.process_time(), time.perf_counter()
            for _ in range(REPEAT):
                client.get(path, secure=True)
            cpu = 1000 * (time.process_time() - cpu) / REPEAT
            wall = 1000 * (time.perf_counter() - wall) / REPEAT
            state = "on (warm)" if cache else "off (cold)"
            print(f"{path:28} cache {state:10}  CPU {cpu:6.1f} ms  wall {wall:7.1f} ms")


if __name__ == "__main__":
    main(sys.argv[1:])
