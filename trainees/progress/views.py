"""Progress pages: the trainee's record (their dashboard, `trainee_home`, and the staff's view of
it, `trainee_detail`), the cohort board with its CSV export, and the trainee's transcript as a
printable page and as a PDF.
"""

from functools import partial

from django.contrib.auth.decorators import permission_required
from django.db.models import Exists, OuterRef, Subquery
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.text import slugify

from accounts.models import User
from curriculum.models import Module
from trainees import progress_cache
from trainees.access import SEES_BOARD, SEES_TRAINEES
from trainees.models import (
    AbsenceNotice,
    AssessmentResult,
    Cohort,
    Measurement,
    MedicalHold,
    SessionAttendance,
    Trainee,
    TraineeStatusChange,
    TrainingSession,
)
from trainees.progress.selectors import (
    cohort_board,
    cohort_board_csv_text,
    competency_profile,
    hours_chart,
    measurement_charts,
    trainee_progress,
    trainee_transcript,
)
from trainingtracker.helpers import permission_any_required
from trainingtracker.pdf import pdf_from_html


def _board(request, pk: int):
    cohort = get_object_or_404(
        Cohort.objects.visible_to(request.user).select_related("revision__programme"), pk=pk
    )
    category = _category(request)
    return cohort_board(cohort=cohort, user=request.user, category=category or None), category


def _category(request) -> str:
    category = request.GET.get("category", "")
    return category if category in Module.Category.values else ""


@permission_any_required(*SEES_BOARD)
def cohort_board_page(request, pk: int):
    """The cohort's trainees by module: status with its label, readiness, pace.

    The table is a `{% cached_fragment %}` per versions of the cohort, its revision and its
    trainees, day, language, time zone, category and reader (trainees/progress_cache.py): a
    board whose records did not change since it was last shown costs two queries and one cache
    read, and no progress computed."""
    cohort = get_object_or_404(
        Cohort.objects.visible_to(request.user).select_related("revision__programme"), pk=pk
    )
    stamp = progress_cache.cohort_stamp(cohort)  # before the board's records are read
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


@permission_any_required(*SEES_BOARD)
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


RECENT_SESSIONS = 10


RECENT_REMARKS = 5


@permission_required("accounts.view_own_progress", raise_exception=True)
def trainee_home(request):
    """The trainee's landing page: their own record."""
    trainee = (
        Trainee.objects.visible_to(request.user)
        .select_related("user", "cohort__revision__programme")
        .filter(user=request.user)
        .first()
    )
    if trainee is None:
        return render(request, "trainees/not_enrolled.html")
    return _trainee_record(request, trainee, own=True)


@permission_any_required(*SEES_TRAINEES, "accounts.view_own_progress")
def trainee_detail(request, pk: int):
    """One trainee's record, as the person looking may see it."""
    trainee = get_object_or_404(
        Trainee.objects.visible_to(request.user).select_related(
            "user", "cohort__revision__programme"
        ),
        pk=pk,
    )
    return _trainee_record(request, trainee, own=trainee.user_id == request.user.pk)


def _trainee_record(request, trainee: Trainee, *, own: bool):
    """The record page: two `{% cached_fragment %}`s, cached per trainee, reader and their
    permissions, language and time zone, and used while their stamp (the versions of the
    trainee, their cohort and revision, loaded with the trainee before any record, and the day)
    is current, the first also only until the first upcoming session it lists starts. A record
    unchanged since it was last shown costs one cache read and no query for its contents, so
    what the fragments show is lazy: read (and its queryset built) only when rendered."""
    user = request.user
    stamp = progress_cache.trainee_stamp(trainee)
    reader = progress_cache.reader(user)
    upcoming = SimpleLazyObject(
        lambda: list(
            TrainingSession.objects.visible_to(user)
            .filter(
                trainees=trainee,
                status=TrainingSession.Status.SCHEDULED,
                starts_at__gte=timezone.now(),
            )
            # Whether the trainee told ahead they will miss it (their notice, standing).
            .annotate(
                noticed=Exists(
                    AbsenceNotice.objects.visible_to(user)
                    .standing()
                    .filter(session=OuterRef("pk"), trainee=trainee)
                )
            )
            .select_related("module", "trainer")
            .prefetch_related("resources")
            .order_by("starts_at")[:RECENT_SESSIONS]
        )
    )
    fragments = {
        "record_top": progress_cache.fragment(
            stamp,
            "record_top",
            trainee.pk,
            own,
            *reader,
            until=lambda: upcoming[0].starts_at if upcoming else None,
        ),
        "record_rest": progress_cache.fragment(stamp, "record_rest", trainee.pk, own, *reader),
    }
    progress_cache.prefetch(*fragments.values())
    context = {
        "trainee": trainee,
        "own": own,
        **fragments,
        "sees_hold_reasons": user.has_perm("accounts.manage_medical"),
        "manages_people": user.has_perm("accounts.manage_people"),
        "upcoming": upcoming,
        # Callables: a template calls one when it resolves it (once, in the include's `with`).
        "competencies": lambda: competency_profile(trainee=trainee, user=user),
        "charts": lambda: {
            "hours": hours_chart(trainee=trainee, user=user),
            "metrics": measurement_charts(trainee=trainee, user=user),
        },
    }
    # Lists read only when a fragment is rendered (a list, as a template may loop twice).
    context |= {
        name: SimpleLazyObject(partial(lambda rows: list(rows()), rows))
        for name, rows in _record_lists(trainee=trainee, user=user).items()
    }
    context["progress"] = SimpleLazyObject(lambda: trainee_progress(trainee=trainee))
    return render(request, "trainees/trainee_detail.html", context)


def _record_lists(*, trainee: Trainee, user: User) -> dict:
    """The record page's lists, each as a function that builds its queryset."""
    latest_per_metric = Subquery(
        Measurement.objects.filter(trainee=OuterRef("trainee"), metric=OuterRef("metric"))
        .order_by("-taken_at", "-pk")
        .values("pk")[:1]
    )
    return {
        "holds": lambda: (
            MedicalHold.objects.status_visible_to(user)
            .filter(trainee=trainee)
            .order_by("-opened_on")
        ),
        "status_changes": lambda: (
            TraineeStatusChange.objects.visible_to(user)
            .filter(trainee=trainee)
            .select_related("recorded_by")
        ),
        "attendances": lambda: (
            SessionAttendance.objects.visible_to(user)
            .filter(trainee=trainee)
            .select_related("session__module")
            .order_by("-session__starts_at")[:RECENT_SESSIONS]
        ),
        "results": lambda: (
            AssessmentResult.objects.visible_to(user)
            .filter(trainee=trainee)
            .select_related("definition__module", "assessor", "signed_by")
            .order_by("-taken_at")
        ),
        "measurements": lambda: (
            Measurement.objects.visible_to(user)
            .filter(trainee=trainee, pk=latest_per_metric)
            .order_by("metric")
        ),
        "remarks": lambda: (
            SessionAttendance.objects.visible_to(user)
            .filter(trainee=trainee, session__status=TrainingSession.Status.COMPLETED)
            .exclude(remarks="")
            .select_related("session__module", "session__trainer")
            .order_by("-session__starts_at")[:RECENT_REMARKS]
        ),
    }
