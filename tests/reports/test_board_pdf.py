"""The board's PDF in the trainers' digest: a row's modules listed by status, one PDF
laid out per board, language and time zone and shared by its readers, never served after a
write.

These tests commit for real (`transaction=True`), as production does,
with a fresh local-memory cache. Li Hao (`trainer`) and Zhou Min (`other_trainer`) both train
cohort A here; Zhou Min reads Chinese.
"""

import pytest
from django.utils import timezone, translation
from django.utils.text import slugify

from accounts.models import Role
from reports import builders
from reports.models import ReportKind
from tests.factories import UserFactory
from tests.pdf import pdf_fonts
from trainees.models import Cohort
from trainees.progress.selectors import ModuleStatus, cohort_board

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("progress_cache_on")]


@pytest.fixture
def laid_out(monkeypatch):
    """The HTML of each board PDF that WeasyPrint lays out, in order."""
    calls = []
    real = builders.pdf_from_html

    def spy(*, html, stylesheet):
        calls.append(html)
        return real(html=html, stylesheet=stylesheet)

    monkeypatch.setattr(builders, "pdf_from_html", spy)
    return calls


@pytest.fixture
def readers(world, trainer, other_trainer):
    """Cohort A's two trainers, Li Hao in English and Zhou Min in Chinese, and a third trainer
    in English."""
    third = UserFactory(username="wuyan", display_name="Wu Yan", roles=[Role.TRAINER])
    for user, language in ((trainer, "en"), (other_trainer, "zh-hans"), (third, "en")):
        user.preferred_language = language
        user.save()
    world["cohort_a"].trainers.add(other_trainer, third)
    return trainer, other_trainer, third


def _pdf(reader) -> bytes:
    """The PDF of cohort A's board in `reader`'s weekly digest (Zhou Min's has cohort B's too)."""
    with translation.override(reader.preferred_language), timezone.override(reader.time_zone):
        report = builders.BUILDERS[ReportKind.TRAINER_DIGEST](reader, {})
    cohort = Cohort.objects.get(trainees__user__username="ayesha")
    name = f"{slugify(cohort.name)}-board.pdf"
    (pdf,) = [content for filename, content, _ in report.attachments if filename == name]
    return pdf


def test_it_lists_each_rows_modules_by_status(world, trainer, laid_out):
    board = cohort_board(cohort=world["cohort_a"], user=trainer)
    _pdf(trainer)
    (html,) = laid_out
    (row,) = board.rows
    statuses = row.by_status()
    # Every module is counted once, under its status, in the statuses' order.
    assert sum(len(codes) for _, _, codes in statuses) == len(board.modules)
    order = [value for value, _ in ModuleStatus.choices]
    assert [value for value, _, _ in statuses] == sorted(
        (value for value, _, _ in statuses), key=order.index
    )
    for value, label, codes in statuses:
        assert f"{label} ({len(codes)})" in html
        if value != ModuleStatus.COMPLETE:
            assert ", ".join(codes) in html
    assert "<td>" + board.modules[0].code not in html  # no longer a cell per module


def test_readers_of_one_board_language_and_zone_share_one_pdf(readers, laid_out):
    li_hao, zhou_min, wu_yan = readers
    english = _pdf(li_hao)
    assert _pdf(wu_yan) == english
    assert len(laid_out) == 1
    # Zhou Min reads Chinese: a PDF of his own, in Chinese, not the English one.
    chinese = _pdf(zhou_min)
    assert len(laid_out) == 3  # cohorts A and B
    assert chinese != english
    chinese_a = next(html for html in laid_out[1:] if "Ayesha Khan" in html)
    assert 'lang="zh-hans"' in chinese_a
    assert "学员" in chinese_a  # the "Trainee" column
    assert 'lang="en"' in laid_out[0]


def test_a_reader_in_another_time_zone_gets_their_own_pdf(readers, laid_out):
    li_hao, _, wu_yan = readers
    wu_yan.time_zone = "Asia/Karachi"
    wu_yan.save()
    _pdf(li_hao)
    _pdf(wu_yan)
    assert len(laid_out) == 2  # "Printed at" is in each reader's time zone


def test_the_shared_pdf_is_laid_out_afresh_after_a_write(readers, world, laid_out):
    li_hao, _, wu_yan = readers
    before = _pdf(li_hao)
    ayesha = world["trainee_a"].user
    ayesha.display_name = "Ayesha Siddiqui"
    ayesha.save()
    after = _pdf(wu_yan)
    assert len(laid_out) == 2
    assert after != before
    assert "Ayesha Siddiqui" in laid_out[1]
    assert "Ayesha Siddiqui" not in laid_out[0]


def test_each_language_embeds_its_scripts_fonts_after_another_languages_pdf(readers, world):
    """The fonts are loaded once per thread and reused (trainingtracker/pdf.py): a PDF after one in
    another language still finds the fonts of its own script."""
    li_hao, zhou_min, _ = readers
    world["trainee_a"].user.native_name = "عائشہ خان"
    world["trainee_a"].user.save()
    assert {"TT-Latin", "TT-Urdu"} <= pdf_fonts(_pdf(li_hao))  # her name in Urdu script
    assert {"TT-Chinese", "TT-Urdu"} <= pdf_fonts(_pdf(zhou_min))
