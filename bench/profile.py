"""Profile one page with pyinstrument: `python -m bench.profile USERNAME PATH [REPEAT]`.

Runs against the database in DATABASE_URL (the one bench/run seeded), through Django's test
client, after one warm-up request; prints pyinstrument's text report of the repeated requests.
"""

import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trainingtracker.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from pyinstrument import Profiler  # noqa: E402

from accounts.models import User  # noqa: E402


def main(username: str, path: str, repeat: int = 5) -> None:
    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    client = Client()
    client.force_login(User.objects.get(username=username))
    status = client.get(path, secure=True).status_code
    if status != 200:
        raise SystemExit(f"{path} answered {status} to {username}")
    profiler = Profiler()
    with profiler:
        for _ in range(repeat):
            client.get(path, secure=True)
    print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], *(int(a) for a in sys.argv[3:4]))
