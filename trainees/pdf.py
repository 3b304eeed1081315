"""PDFs rendered by WeasyPrint with the vendored fonts: the transcript, and the reports' board."""

from django.contrib.staticfiles import finders


def pdf_from_html(*, html: str, stylesheet: str) -> bytes:
    """`html` as a PDF, styled by the static file `stylesheet` after css/pdf_fonts.css.

    The fonts are the whole files under static/fonts/, loaded by @font-face from file URLs
    relative to the stylesheet, so no machine needs them installed. No base URL for the HTML:
    the PDF embeds nothing else, and WeasyPrint fetches nothing from the network.
    """
    # Imported here: WeasyPrint loads Pango and fonts, which no page needs.
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    stylesheets = [
        CSS(filename=finders.find(name), font_config=fonts)
        for name in ("css/pdf_fonts.css", stylesheet)
    ]
    return HTML(string=html).write_pdf(stylesheets=stylesheets, font_config=fonts)
