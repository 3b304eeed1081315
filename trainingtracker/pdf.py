"""PDFs rendered by WeasyPrint with the vendored fonts: the transcript, and the reports' board."""

import atexit
import gc
import os
import threading
import weakref

from celery.signals import worker_process_shutdown
from django.contrib.staticfiles import finders

FONTS_STYLESHEET = "css/pdf_fonts.css"
# Per thread: WeasyPrint's font configuration (a Pango font map) is not made for threads.
_styles = threading.local()


class _Made:
    """A thread's font configurations and stylesheets, by stylesheet."""

    def __init__(self):
        self.by_stylesheet: dict = {}


# Every live thread's cache as well, so that a process leaving forgets all of them (below).
_every_thread: weakref.WeakSet[_Made] = weakref.WeakSet()
_every_thread_lock = threading.Lock()


def _stylesheets(stylesheet: str):
    """The font configuration and the parsed stylesheets (the fonts', then `stylesheet`), made
    once per thread and stylesheet and reused by every PDF after it: making them loads the six
    vendored fonts and parses both files again, ~40 ms of a 20-trainee board's 220. Made afresh
    when a file changes (its modification time is in the key)."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    paths = [finders.find(name) for name in (FONTS_STYLESHEET, stylesheet)]
    key = tuple(os.stat(path).st_mtime_ns for path in paths)
    made = getattr(_styles, "made", None)
    if made is None:
        made = _styles.made = _Made()
        with _every_thread_lock:
            _every_thread.add(made)
    made = made.by_stylesheet
    if stylesheet not in made or made[stylesheet][0] != key:
        fonts = FontConfiguration()
        made[stylesheet] = key, fonts, [CSS(filename=path, font_config=fonts) for path in paths]
    return made[stylesheet][1:]


def fonts_forget(**kwargs) -> None:
    """Drop every thread's font configurations, so that each removes its folder of font files
    (`weasyprint-*` under the temporary directory, 8 MB) while the process can still do so.

    Run at exit (atexit) and when a Celery pool process ends (worker_process_shutdown): billiard
    ends its pool processes with os._exit, which runs no atexit handler, so before this every
    pool process that had made a PDF left its folder behind.
    """
    with _every_thread_lock:
        for made in list(_every_thread):
            made.by_stylesheet.clear()
    # FontConfiguration.__del__ removes the folder; a cycle would keep it until a collection.
    gc.collect()


# While modules still exist: FontConfiguration.__del__ removes its folder with shutil, which
# interpreter shutdown would have torn down first.
atexit.register(fonts_forget)
worker_process_shutdown.connect(fonts_forget, weak=False)


def pdf_from_html(*, html: str, stylesheet: str) -> bytes:
    """`html` as a PDF, styled by the static file `stylesheet` after css/pdf_fonts.css.

    The fonts are the whole files under static/fonts/, loaded by @font-face from file URLs
    relative to the stylesheet, so no machine needs them installed. No base URL for the HTML:
    the PDF embeds nothing else, and WeasyPrint fetches nothing from the network.
    """
    # Imported here: WeasyPrint loads Pango and fonts, which no page needs.
    from weasyprint import HTML

    fonts, stylesheets = _stylesheets(stylesheet)
    return HTML(string=html).write_pdf(stylesheets=stylesheets, font_config=fonts)
