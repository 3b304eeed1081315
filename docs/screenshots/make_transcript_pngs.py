"""The demo trainee's transcript, as its PDF rendered to PNG by pdftoppm and as the page rendered
by Chromium, in Urdu and in Chinese, side by side in docs/screenshots/.

Run from the project's root:  .venv/bin/python docs/screenshots/make_transcript_pngs.py
It needs poppler-utils (pdftoppm) and Chromium at /usr/bin/chromium (or CHROMIUM_PATH). It
works on a throw-away SQLite database with the demo data, served by runserver on a free port.
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
LANGUAGES = ("ur", "zh-hans")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"runserver did not answer on port {port}")


def demo_site() -> str:
    """Set Django up on a throw-away SQLite database under a temporary folder (never the
    developer's own, nor PostgreSQL or Redis), migrated and holding the demo; returns the
    folder, which the caller removes."""
    var = tempfile.mkdtemp(prefix="tt-screenshots-")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env |= {
        "DJANGO_VAR_DIR": var,
        "DJANGO_DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "trainingtracker.settings",
    }
    os.environ.clear()
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("seed_demo", force=True, verbosity=0)
    return var


def main() -> None:
    if not shutil.which("pdftoppm"):
        raise SystemExit("pdftoppm is missing: apt-get install -y poppler-utils")
    var = demo_site()
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS
    from trainees.models import Trainee

    trainee = Trainee.objects.select_related("user").get(user__username="trainee")
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=dict(os.environ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(port)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            for language in LANGUAGES:
                trainee.user.preferred_language = language
                trainee.user.save(update_fields=["preferred_language"])
                client = Client()
                client.force_login(trainee.user)
                pdf = client.get(reverse("trainees:transcript_pdf", args=[trainee.pk]))
                if pdf.status_code != 200:
                    raise SystemExit(f"the transcript PDF answered {pdf.status_code}")
                pdf_path = Path(var) / f"transcript-{language}.pdf"
                pdf_path.write_bytes(pdf.content)
                subprocess.run(  # noqa: S603
                    [  # noqa: S607 (pdftoppm from PATH, checked above)
                        "pdftoppm",
                        "-png",
                        "-r",
                        "110",
                        "-f",
                        "1",
                        "-l",
                        "1",
                        "-singlefile",
                        str(pdf_path),
                        str(OUT / f"transcript-{language}-pdf"),
                    ],
                    check=True,
                )
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                context.add_cookies(
                    [
                        {
                            "name": settings.SESSION_COOKIE_NAME,
                            "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                            "url": f"http://127.0.0.1:{port}",
                        }
                    ]
                )
                page = context.new_page()
                url = f"http://127.0.0.1:{port}" + reverse("trainees:transcript", args=[trainee.pk])
                page.goto(url)
                page.wait_for_load_state("networkidle")
                page.screenshot(
                    path=str(OUT / f"transcript-{language}-chromium.png"), full_page=True
                )
                context.close()
                print(
                    f"{language}: transcript-{language}-pdf.png, transcript-{language}-chromium.png"
                )
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    main()
