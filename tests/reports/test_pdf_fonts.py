"""The transcript PDF carries the same Urdu and Chinese text as the page.

The PDF's text is read back with pdftotext: a glyph mapped from the wrong font, or a script
with no font, comes back missing or garbled, which is how WeasyPrint fails with split faces.
"""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests.factories import SessionAttendanceFactory, TrainingSessionFactory
from tests.pdf import pdf_text

pytestmark = pytest.mark.django_db

URDU = re.compile(r"[\u0600-\u06ff]")
HAN = re.compile(r"[\u4e00-\u9fff]")


class _Texts(HTMLParser):
    """The text of each heading, table header and cell of the transcript's main content."""

    WANTED = {"h1", "h2", "th", "td"}

    def __init__(self):
        super().__init__()
        self.texts: list[str] = []
        self._depth = 0
        self._buffer: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.WANTED:
            self._depth += 1
            self._buffer = []

    def handle_endtag(self, tag):
        if tag in self.WANTED and self._depth:
            self._depth -= 1
            text = " ".join("".join(self._buffer).split())
            if text:
                self.texts.append(text)

    def handle_data(self, data):
        if self._depth:
            self._buffer.append(data)


def _page_texts(html: str) -> list[str]:
    main = html.split("<main", 1)[-1]
    parser = _Texts()
    parser.feed(main)
    return parser.texts


def _squash(text: str) -> str:
    # pdftotext breaks lines and wraps right-to-left runs in embedding marks.
    return re.sub(r"[\s\u202a-\u202e\u200e\u200f]+", "", text)


def _words(text: str) -> list[str]:
    """The words of `text` without the punctuation around them. Words, not whole lines: in a
    line mixing directions, pdftotext may put the runs in another order than the page."""
    return [w.strip(".,:;!?()،۔：，。") for w in text.split() if w.strip(".,:;!?()،۔：，。")]


@pytest.mark.parametrize(("language", "script"), [("ur", URDU), ("zh-hans", HAN)])
def test_the_pdf_holds_the_urdu_and_chinese_text_of_the_page(
    client, world, trainee, trainer, language, script
):
    trainee.preferred_language = language
    trainee.native_name = "عائشہ خان"
    trainee.save()
    session = TrainingSessionFactory(cohort=world["cohort_a"], trainer=trainer)
    SessionAttendanceFactory(
        session=session, trainee=world["trainee_a"], remarks="很好，下次再练习。 بہت اچھا"
    )
    client.force_login(trainee)
    pk = world["trainee_a"].pk
    page = client.get(reverse("trainees:transcript", args=[pk])).content.decode()
    pdf = client.get(reverse("trainees:transcript_pdf", args=[pk])).content
    text = _squash(pdf_text(pdf))
    shown = [t for t in _page_texts(page) if URDU.search(t) or HAN.search(t)]
    # The page's own language is in its headings, and both scripts are in the record.
    assert any(script.search(t) for t in shown)
    assert any(URDU.search(t) for t in shown) and any(HAN.search(t) for t in shown)
    missing = [w for t in shown for w in _words(t) if _squash(w) not in text]
    assert not missing, f"in the page but not in the PDF: {missing}"
