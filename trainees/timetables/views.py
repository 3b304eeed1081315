"""Timetables: a cohort's, a trainee's, a trainer's and a resource's sessions by day or by week,
on one template (printable, a day list on a phone), and "my timetable" for whoever has sessions.

Each subject is fetched through its gate: `Cohort` and `Trainee` `.visible_to`, a trainer
through `selectors.trainers_visible_to`, a resource as the resources area does (staff only).
A subject the viewer may not see is a 404.
"""

from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from trainees import progress_cache
from trainees.access import SEES_RESOURCES, SEES_TRAINEES
from trainees.models import Cohort, Resource, Trainee
from trainees.timetables import selectors
from trainingtracker.helpers import permission_any_required

# Who opens their own timetable: trainers (the sessions they lead) and trainees (theirs).
HAS_SESSIONS = ("accounts.log_training", "accounts.view_own_progress")


def _timetable(request, *, kind: str, subject, back: str | None = None):
    """The page of one subject's timetable. Its days are a `{% cached_fragment %}` under the
    versions of the cohorts and revisions of the subject's sessions in the period (one query,
    read first), the reader, the day, language and time zone: a week whose sessions did not
    change since it was last shown costs that query and one cache read, and reads no session.
    A trainee's own timetable is kept until its next session starts, when notice may no longer
    be given for it."""
    raw = request.GET.get("on", "")
    today = timezone.localdate()
    period = selectors.timetable_period(view=request.GET.get("view"), on=raw, today=today)
    # A trainee's own timetable: each session still to come offers a notice of absence.
    own = kind == "trainee" and subject.user_id == request.user.pk
    stamp = selectors.timetable_stamp(subject=subject, period=period)  # before the sessions
    days = SimpleLazyObject(
        lambda: selectors.timetable_days(viewer=request.user, subject=subject, period=period)
    )
    grid = progress_cache.fragment(
        stamp,
        "timetable",
        kind,
        subject.pk,
        period.view,
        period.first.isoformat(),
        own,
        *progress_cache.reader(request.user),
        until=(lambda: selectors.notice_flips(days)) if own else None,
    )
    return render(
        request,
        "trainees/timetables/timetable.html",
        {
            "kind": kind,
            "subject": subject,
            "back": back,
            "period": period,
            "days": days,  # read only if the grid is not in the cache
            "grid": grid,
            "today": today,
            "own": own,
            # What was typed stays in the field beside its message (cut short: it is only shown).
            "typed": raw[:40] if period.problems else period.day.isoformat(),
        },
    )


def cohort_timetable(request, pk: int):
    """A cohort's sessions: its trainees, its trainers, programme admins, the medical officer."""
    cohort = get_object_or_404(
        # With its programme: the source language of its name, which a reader in it reads.
        Cohort.objects.visible_to(request.user).select_related("revision__programme"),
        pk=pk,
    )
    back = None
    if any(request.user.has_perm(perm) for perm in SEES_TRAINEES):
        back = reverse("trainees:cohort_detail", args=[cohort.pk])
    return _timetable(request, kind="cohort", subject=cohort, back=back)


def trainee_timetable(request, pk: int):
    """The sessions a trainee is expected at: the trainee, their trainers, the staff who see
    every trainee."""
    trainee = get_object_or_404(
        Trainee.objects.visible_to(request.user).select_related("user"), pk=pk
    )
    back = reverse("trainees:trainee_detail", args=[trainee.pk])
    return _timetable(request, kind="trainee", subject=trainee, back=back)


def trainer_timetable(request, pk: int):
    """The sessions a person leads: their own, or anyone's for those who see every session."""
    trainer = get_object_or_404(selectors.trainers_visible_to(request.user), pk=pk)
    return _timetable(request, kind="trainer", subject=trainer)


@permission_any_required(*SEES_RESOURCES)
def resource_timetable(request, pk: int):
    """Every session booking a resource: staff read it, as the resource's page."""
    resource = get_object_or_404(Resource.objects.visible_to(request.user), pk=pk)
    back = reverse("trainees:resource_detail", args=[resource.pk])
    return _timetable(request, kind="resource", subject=resource, back=back)


@permission_any_required(*HAS_SESSIONS)
def my_timetable(request):
    """The navigation's "My timetable": a trainer's as trainer, a trainee's as trainee, with
    the day and week asked for. A trainee not enrolled in any cohort has none (404)."""
    query = request.GET.urlencode()
    if request.user.has_perm("accounts.log_training"):
        target = reverse("trainees:trainer_timetable", args=[request.user.pk])
    else:
        trainee = get_object_or_404(Trainee.objects.visible_to(request.user), user=request.user)
        target = reverse("trainees:trainee_timetable", args=[trainee.pk])
    return redirect(f"{target}?{query}" if query else target)
