"""Pages of the reports: "send report now" with its progress, and the weekly schedule."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

# Who may send a cohort's report now: those who may see its board.
from trainees.access import SEES_BOARD
from trainees.models import Cohort
from trainingtracker.helpers import permission_any_required, refusal_shown

from . import services
from .forms import ReportNowForm, ReportScheduleForm
from .models import ReportJob, ReportSchedule


def _job_page(request, job: ReportJob):
    """The job's status: the polling fragment for htmx, a whole page otherwise."""
    template = "reports/_job_status.html" if request.htmx else "reports/job_detail.html"
    return render(request, template, {"job": job})


@permission_any_required(*SEES_BOARD)
@require_http_methods(["GET", "POST"])
def report_now(request, pk: int):
    """Send the cohort's digest to its trainers (and the asker) now, from the board."""
    cohort = get_object_or_404(Cohort.objects.visible_to(request.user), pk=pk)
    form = ReportNowForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        job = services.report_job_start(
            cohort=cohort, by=request.user, key=form.cleaned_data["submission_key"]
        )
        if request.htmx:
            # The button again with a fresh key (the next click is a new report), and the job.
            context = {"cohort": cohort, "form": ReportNowForm(), "job": job}
            return render(request, "reports/_report_now.html", context)
        return redirect("reports:job_detail", pk=job.pk)
    latest = (
        ReportJob.objects.visible_to(request.user)
        .filter(cohort=cohort)
        .order_by("-created_at")
        .first()
    )
    template = "reports/_report_now.html" if request.htmx else "reports/report_now.html"
    return render(request, template, {"cohort": cohort, "form": form, "job": latest})


@permission_any_required(*SEES_BOARD)
def job_detail(request, pk: int):
    """Where a "send report now" stands: queued, rendering n of m, sent, or failed."""
    job = get_object_or_404(
        ReportJob.objects.visible_to(request.user).select_related("cohort", "requested_by"),
        pk=pk,
    )
    return _job_page(request, job)


@permission_any_required("accounts.manage_people")
@require_http_methods(["GET", "POST"])
def schedule_edit(request):
    """The day and local time at which the weekly reports go out."""
    schedule = ReportSchedule.load()
    form = ReportScheduleForm(
        request.POST or None,
        initial={
            "enabled": schedule.enabled,
            "weekday": schedule.weekday,
            "local_time": schedule.local_time,
        },
    )
    if request.method == "POST" and form.is_valid():
        with refusal_shown(form):
            services.report_schedule_update(schedule=schedule, **form.cleaned_data)
            messages.success(request, _("The weekly report schedule is saved."))
            return redirect("reports:schedule")
    return render(request, "reports/schedule.html", {"form": form, "schedule": schedule})
