"""The main pages of each role, at desktop and phone width, in English, Chinese and Urdu, as PNGs
in docs/screenshots/pages/. `make screenshots` runs it.

Run from the project's root:  .venv/bin/python docs/screenshots/make_screenshots.py
It needs Chromium at /usr/bin/chromium (or CHROMIUM_PATH). Like make_transcript_pngs.py, it works
on a throw-away SQLite database with the demo data, served by runserver on a free port; each
picture is the first screen a person sees (the viewport, not the whole scrolled page), which keeps
the 48 files small.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent / "pages"
LANGUAGES = ("en", "zh-hans", "ur")
WIDTHS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
# (file name, who opens it, the page, the object its URL names): None is someone not signed in.
PAGES = [
    ("sign-in", None, "accounts:login", None),
    ("trainee-progress", "trainee", "trainees:trainee_home", None),
    ("training-floor", "trainer", "trainees:trainer_home", None),
    ("session-log", "trainer", "trainees:session_log", "session"),
    ("cohort-board", "trainer", "trainees:cohort_board", "cohort"),
    ("medical", "medic", "trainees:medical_home", None),
    ("programme", "admin", "curriculum:home", None),
    ("notifications", "trainee", "notifications:list", None),
]


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from make_transcript_pngs import _free_port, _wait_for, demo_site

    var = demo_site()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse
    from playwright.sync_api import sync_playwright

    from accounts.models import User
    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS
    from trainees.models import TrainingSession

    call_command("reminders_sweep", inline=True, verbosity=0)
    session = TrainingSession.objects.get(
        cohort__trainers__username="trainer", status="scheduled", notes__startswith="Extra"
    )
    objects = {"session": session, "cohort": session.cohort}
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=dict(os.environ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir()
    try:
        _wait_for(port)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            for language in LANGUAGES:
                User.objects.update(preferred_language=language)
                for name, username, url_name, key in PAGES:
                    url = base + reverse(url_name, args=[objects[key].pk] if key else None)
                    if username:
                        client = Client()
                        client.force_login(User.objects.get(username=username))
                        cookie = settings.SESSION_COOKIE_NAME
                        value = client.cookies[cookie].value
                    else:
                        cookie, value = settings.LANGUAGE_COOKIE_NAME, language
                    for width, viewport in WIDTHS.items():
                        context = browser.new_context(viewport=viewport)
                        context.add_cookies([{"name": cookie, "value": value, "url": base}])
                        page = context.new_page()
                        page.goto(url)
                        page.wait_for_load_state("networkidle")
                        page.evaluate("document.fonts.ready")
                        path = OUT / f"{name}-{language}-{width}.png"
                        page.screenshot(path=str(path))
                        context.close()
                        print(path.relative_to(ROOT))
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    main()
