"""A process that made PDFs leaves no folder of font files behind when it ends.

WeasyPrint copies the fonts of each font configuration into a `weasyprint-*` folder under the
temporary directory (8 MB with ours), removed when the configuration is dropped.
trainingtracker/pdf.py keeps one per thread; a Celery pool process ends with os._exit after sending
worker_process_shutdown, which skips atexit, so the folder stayed behind for each process.
Each case runs a real process with a temporary directory of its own.
"""

import os
import subprocess
import sys
import textwrap

import pytest

from tests.environment import ROOT

SCRIPT = textwrap.dedent(
    """
    import os, sys, threading
    import django

    django.setup()
    from trainingtracker.pdf import pdf_from_html

    def render():
        html = "<p>Ayesha Khan 你好 سلام</p>"
        pdf = pdf_from_html(html=html, stylesheet="css/transcript_pdf.css")
        assert pdf.startswith(b"%PDF")

    render()
    # A second thread (gunicorn's threads, Celery's threads pool) keeps a configuration of its own.
    thread = threading.Thread(target=render)
    thread.start()
    thread.join()
    print(len(list(__import__("pathlib").Path(os.environ["TMPDIR"]).glob("weasyprint-*"))))
    sys.stdout.flush()
    how = sys.argv[1]
    if how == "pool":
        # What a Celery prefork pool process does as it ends (billiard's Worker._do_exit).
        from celery.concurrency.prefork import process_destructor

        process_destructor(os.getpid(), 0)
        os._exit(0)
    sys.exit(0)
    """
)


@pytest.mark.parametrize("how", ["pool", "exit"])
def test_a_process_that_made_pdfs_leaves_no_temporary_folder(tmp_path, how):
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = {
        **os.environ,
        "TMPDIR": str(temporary),
        "DJANGO_SETTINGS_MODULE": "trainingtracker.settings",
        "DJANGO_VAR_DIR": str(tmp_path / "var"),
    }
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, how],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-1] == "2"  # two folders while it ran: the test tests something
    assert list(temporary.glob("weasyprint-*")) == []
