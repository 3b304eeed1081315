"""PDFs rendered by WeasyPrint with the vendored fonts: the transcript, and the reports' board."""

import atexit
import os
import threading

from django.contrib.staticfiles import finders

FONTS_STYLESHEET = "css/pdf_fonts.css"
# Per thread: WeasyPrint's font configuration (a Pango font map) is not made for threads.
_styles = threading.local()


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
        made = _styles.made = {}
    if stylesheet not in made or made[stylesheet][0] != key:
        fonts = FontConfiguration()
        made[stylesheet] = key, fonts, [CSS(filename=path, font_config=fonts) for path in paths]
    return made[stylesheet][1:]


@atexit.register
def _forget() -> None:
    # While modules still exist: FontConfiguration.__del__ removes its folder of font files
    # with shutil, which interpreter shutdown would have torn down first.
    _styles.__dict__.clear()


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
