"""Progress pages (issue 5): the cohort board with its CSV export, and the trainee's transcript
as a printable page and as a PDF. The dashboard itself is the trainee's record page (views.py).
"""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.text import slugify

from curriculum.models import Module
from trainingtracker.helpers import permission_any_required

from . import progress_cache
from .models import Cohort, Trainee
from .pdf import pdf_from_html
from .selectors import (
    cohort_board,
    cohort_board_csv_text,
    trainee_progress,
    trainee_transcript,
)
from .views import SEES_TRAINEES

BOARD = ("accounts.log_training", "accounts.manage_people")


def _board(request, pk: int):
    cohort = get_object_or_404(
        Cohort.objects.visible_to(request.user).select_related("revision__programme"), pk=pk
    )
    category = _category(request)
    return cohort_board(cohort=cohort, user=request.user, category=category or None), category


def _category(request) -> str:
    category = request.GET.get("category", "")
    return category if category in Module.Category.values else ""


@permission_any_required(*BOARD)
def cohort_board_page(request, pk: int):
    """The cohort's trainees by module: status with its label, readiness, pace.

    The table is a `{% progress_fragment %}` per generation of progress, day, language, time
    zone, category and reader (trainees/progress_cache.py): a board whose records did not change
    since it was last shown costs two queries and one cache read, and no progress computed."""
    stamp = progress_cache.stamp()  # before the cohort and its trainees are read (see there)
    cohort = get_object_or_404(
        Cohort.objects.visible_to(request.user).select_related("revision__programme"), pk=pk
    )
    category = _category(request)
    return render(
        request,
        "trainees/cohort_board.html",
        {
            "cohort": cohort,
            # Computed only if the fragment is not in the cache.
            "board": SimpleLazyObject(
                lambda: cohort_board(cohort=cohort, user=request.user, category=category or None)
            ),
            "board_table": progress_cache.fragment(
                stamp, "board", cohort.pk, category, *progress_cache.reader(request.user)
            ),
            "category": category,
            "categories": Module.Category.choices,
        },
    )


@permission_any_required(*BOARD)
def cohort_board_csv(request, pk: int):
    """The board as shown (category filter included), as CSV."""
    board, category = _board(request, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = slugify(board.cohort.name) or "cohort"
    suffix = f"-{category}" if category else ""
    response["Content-Disposition"] = f'attachment; filename="{name}-board{suffix}.csv"'
    response.write(cohort_board_csv_text(board=board))
    return response


def _transcript_trainee(request, pk: int) -> Trainee:
    return get_object_or_404(
        Trainee.objects.visible_to(request.user).select_related(
            "user", "cohort__revision__programme"
        ),
        pk=pk,
    )


def _transcript_context(request, trainee: Trainee) -> dict:
    return {
        "trainee": trainee,
        "transcript": trainee_transcript(trainee=trainee, user=request.user),
        "progress": trainee_progress(trainee=trainee),
        "printed_at": timezone.now(),
    }


@permission_any_required(*SEES_TRAINEES, "accounts.view_own_progress")
def transcript(request, pk: int):
    """Every session, grade and signed result of one trainee, on one printable page."""
    trainee = _transcript_trainee(request, pk)
    return render(request, "trainees/transcript.html", _transcript_context(request, trainee))


@permission_any_required(*SEES_TRAINEES, "accounts.view_own_progress")
def transcript_pdf(request, pk: int):
    """The transcript as a PDF, rendered by WeasyPrint from the same content as the page."""
    trainee = _transcript_trainee(request, pk)
    html = render_to_string(
        "trainees/transcript_pdf.html", _transcript_context(request, trainee), request=request
    )
    pdf = pdf_from_html(html=html, stylesheet="css/transcript_pdf.css")
    response = HttpResponse(pdf, content_type="application/pdf")
    name = slugify(trainee.user.username) or f"trainee-{trainee.pk}"
    response["Content-Disposition"] = f'attachment; filename="transcript-{name}.pdf"'
    return response
