"""Series of sessions: scheduled together, seen together, moved or cancelled from a date on.
Every record is fetched through its model's gate; the occurrences are ordinary sessions."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from trainees.access import MANAGES_PEOPLE
from trainees.models import Cohort, SessionSeries, TrainingSession
from trainees.services import AlreadySubmitted
from trainees.sessions import series as services
from trainees.sessions.forms import SeriesCancelForm, SeriesForm, SeriesMoveForm
from trainees.sessions.views import (
    _cohort_roster,
    _roster_field,
    _scheduling_refused,
    _trainer_choices,
)
from trainingtracker.helpers import IdChoiceField, errors_to_form


def _series(request, pk: int, *, loggable: bool = False) -> SessionSeries:
    """A series the person may see: one whose cohort's sessions they may see (or, to change
    it, log)."""
    sessions = TrainingSession.objects.visible_to(request.user)
    if loggable:
        sessions = sessions.loggable_by(request.user)
    cohorts = sessions.values("cohort")
    return get_object_or_404(
        SessionSeries.objects.filter(cohort__in=cohorts).select_related(
            "cohort", "module__revision", "trainer"
        ),
        pk=pk,
    )


@permission_required("accounts.log_training", raise_exception=True)
def series_schedule(request, pk: int):
    """Schedule a repeating session for one of the person's cohorts."""
    cohort = get_object_or_404(Cohort.objects.trained_by(request.user), pk=pk)
    form = SeriesForm(
        request.POST or None,
        cohort=cohort,
        trainees=_cohort_roster(request, cohort),
        submit_label=_("Schedule the series"),
        overrides=request.user.has_perm(MANAGES_PEOPLE),
    )
    form.fields["trainer"] = IdChoiceField(
        queryset=_trainer_choices(request, cohort), label=_("Trainer"), initial=request.user
    )
    layout = form.helper.layout.fields
    layout.insert(layout.index("weeks") + 1, "trainer")
    _roster_field(form)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            series = services.series_schedule(
                cohort=cohort,
                module=data["module"],
                trainer=data["trainer"],
                first_day=data["first_day"],
                weeks=data["weeks"],
                weekdays=form.weekday_bits,
                starts=data["starts"],
                ends=data["ends"],
                zone=timezone.get_current_timezone_name(),
                resources=data["resources"],
                trainees=data["trainees"],
                notes=data["notes"],
                override_reason=data.get("override_reason", ""),
                by=request.user,
                key=data["submission_key"],
            )
        except AlreadySubmitted as done:
            messages.info(request, _("This was already saved."))
            return redirect(done.target or "trainees:session_list")
        except ValidationError as error:
            _scheduling_refused(form, error)
        else:
            count = series.occurrences.count()
            messages.success(
                request,
                ngettext(
                    "The series is scheduled: %(count)s session.",
                    "The series is scheduled: %(count)s sessions.",
                    count,
                )
                % {"count": count},
            )
            return redirect(series)
    return render(request, "trainees/series_form.html", {"form": form, "cohort": cohort})


def series_detail(request, pk: int):
    """A series: its pattern and every occurrence with its state."""
    series = _series(request, pk)
    occurrences = (
        TrainingSession.objects.visible_to(request.user)
        .filter(series=series)
        .select_related("module", "cohort", "trainer")
        .prefetch_related("resources")
        .order_by("starts_at")
    )
    can_change = Cohort.objects.trained_by(request.user).filter(pk=series.cohort_id).exists()
    return render(
        request,
        "trainees/series_detail.html",
        {"series": series, "occurrences": occurrences, "can_change": can_change},
    )


@permission_required("accounts.log_training", raise_exception=True)
def series_cancel(request, pk: int):
    """Cancel a series' occurrences from a date on, with the reason."""
    series = _series(request, pk, loggable=True)
    form = SeriesCancelForm(request.POST or None, initial={"from_day": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            cancelled = services.series_cancel_from(
                series=series,
                from_day=form.cleaned_data["from_day"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)s occurrence cancelled.",
                    "%(count)s occurrences cancelled.",
                    len(cancelled),
                )
                % {"count": len(cancelled)},
            )
            return redirect(series)
    return render(
        request,
        "trainees/series_change.html",
        {"series": series, "form": form, "title": _("Cancel the series from a date on")},
    )


@permission_required("accounts.log_training", raise_exception=True)
def series_move(request, pk: int):
    """Move a series' occurrences from a date on to another time of day or day."""
    series = _series(request, pk, loggable=True)
    form = SeriesMoveForm(
        request.POST or None,
        overrides=request.user.has_perm(MANAGES_PEOPLE),
        initial={
            "from_day": timezone.localdate(),
            "starts": series.starts_at_time,
            "ends": series.ends_at_time,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            moved = services.series_move_from(
                series=series,
                from_day=data["from_day"],
                days=data["days"],
                starts=data["starts"],
                ends=data["ends"],
                override_reason=data.get("override_reason", ""),
                by=request.user,
            )
        except ValidationError as error:
            _scheduling_refused(form, error)
        else:
            messages.success(
                request,
                ngettext("%(count)s occurrence moved.", "%(count)s occurrences moved.", len(moved))
                % {"count": len(moved)},
            )
            return redirect(series)
    return render(
        request,
        "trainees/series_change.html",
        {"series": series, "form": form, "title": _("Move the series from a date on")},
    )
