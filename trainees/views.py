"""Pages over the training records. Every record is fetched through its model's `visible_to`."""

import datetime as dt

from django.contrib.auth.decorators import permission_required
from django.db.models import OuterRef, Prefetch, Subquery
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from accounts.decorators import permission_any_required

from .medical_selectors import certificates_due
from .models import (
    AssessmentResult,
    Cohort,
    CompetencyGrade,
    Measurement,
    MedicalHold,
    SessionAttendance,
    Trainee,
    TraineeStatusChange,
    TrainingSession,
)
from .selectors import trainee_progress

RECENT_SESSIONS = 10
SEES_TRAINEES = ("accounts.manage_people", "accounts.manage_medical", "accounts.log_training")


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
    user = request.user
    latest_per_metric = Subquery(
        Measurement.objects.filter(trainee=OuterRef("trainee"), metric=OuterRef("metric"))
        .order_by("-taken_at", "-pk")
        .values("pk")[:1]
    )
    context = {
        "trainee": trainee,
        "own": own,
        "progress": trainee_progress(trainee=trainee),
        "holds": list(
            MedicalHold.objects.status_visible_to(user)
            .filter(trainee=trainee)
            .order_by("-opened_on")
        ),
        "sees_hold_reasons": user.has_perm("accounts.manage_medical"),
        "manages_people": user.has_perm("accounts.manage_people"),
        "status_changes": TraineeStatusChange.objects.visible_to(user)
        .filter(trainee=trainee)
        .select_related("recorded_by"),
        "attendances": SessionAttendance.objects.visible_to(user)
        .filter(trainee=trainee)
        .select_related("session__module")
        .order_by("-session__starts_at")[:RECENT_SESSIONS],
        "results": AssessmentResult.objects.visible_to(user)
        .filter(trainee=trainee)
        .select_related("definition__module", "assessor", "signed_by")
        .order_by("-taken_at"),
        "measurements": Measurement.objects.visible_to(user)
        .filter(trainee=trainee, pk=latest_per_metric)
        .order_by("metric"),
    }
    return render(request, "trainees/trainee_detail.html", context)


@permission_any_required(*SEES_TRAINEES)
def trainee_list(request):
    """The trainees the person may see, by cohort."""
    trainees = (
        Trainee.objects.visible_to(request.user)
        .select_related("user", "cohort")
        .order_by("cohort__name", "user__display_name")
    )
    open_holds = set(
        MedicalHold.objects.status_visible_to(request.user)
        .filter(closed_on__isnull=True)
        .values_list("trainee_id", flat=True)
    )
    return render(
        request, "trainees/trainee_list.html", {"trainees": trainees, "open_holds": open_holds}
    )


@permission_required("accounts.log_training", raise_exception=True)
def trainer_home(request):
    """The training floor: the person's cohorts, their upcoming and recent sessions."""
    user = request.user
    now = timezone.now()
    cohorts = (
        Cohort.objects.visible_to(user)
        .filter(closed_on__isnull=True)
        .select_related("revision__programme")
        .prefetch_related(
            Prefetch(
                "trainees",
                queryset=Trainee.objects.visible_to(user).select_related("user"),
            ),
            "trainers",
        )
    )
    if not user.has_perm("accounts.manage_people"):
        cohorts = cohorts.filter(trainers=user)
    sessions = TrainingSession.objects.visible_to(user).select_related(
        "module", "cohort", "trainer"
    )
    return render(
        request,
        "trainees/trainer_home.html",
        {
            "cohorts": cohorts,
            "upcoming": sessions.filter(
                starts_at__gte=now, starts_at__lt=now + dt.timedelta(days=14)
            ).order_by("starts_at")[:RECENT_SESSIONS],
            "recent": sessions.filter(
                starts_at__lt=now, starts_at__gte=now - dt.timedelta(days=14)
            ).order_by("-starts_at")[:RECENT_SESSIONS],
        },
    )


@permission_any_required(*SEES_TRAINEES, "accounts.view_own_progress")
def session_detail(request, pk: int):
    """A session with the attendance, hours, grades and remarks the person may see."""
    user = request.user
    session = get_object_or_404(
        TrainingSession.objects.visible_to(user).select_related("module", "cohort", "trainer"),
        pk=pk,
    )
    attendances = (
        SessionAttendance.objects.visible_to(user)
        .filter(session=session)
        .select_related("trainee__user")
        .prefetch_related(
            Prefetch(
                "grades",
                queryset=CompetencyGrade.objects.select_related("competency").order_by(
                    "competency__order"
                ),
            )
        )
    )
    return render(
        request, "trainees/session_detail.html", {"session": session, "attendances": attendances}
    )


@permission_required("accounts.manage_medical", raise_exception=True)
def medical_home(request):
    """The medical officer's holds, open ones first."""
    holds = (
        MedicalHold.objects.visible_to(request.user)
        .select_related("trainee__user", "trainee__cohort", "opened_by", "closed_by")
        .order_by("closed_on", "-opened_on")
    )
    # Certificates and each trainee's medical record (issue 9).
    today = timezone.localdate()
    context = {
        "holds": holds,
        "today": today,
        "certificates_due": certificates_due(user=request.user, on=today),
        "trainees": Trainee.objects.physiology_visible_to(request.user)
        .select_related("user")
        .order_by("user__display_name"),
    }
    return render(request, "trainees/medical_home.html", context)


@permission_required("accounts.manage_medical", raise_exception=True)
def hold_detail(request, pk: int):
    """A medical hold in full, reason included, with its history."""
    hold = get_object_or_404(
        MedicalHold.objects.visible_to(request.user).select_related(
            "trainee__user", "opened_by", "closed_by"
        ),
        pk=pk,
    )
    history = hold.history.select_related("history_user").order_by("-history_date")
    return render(request, "trainees/hold_detail.html", {"hold": hold, "history": history})
