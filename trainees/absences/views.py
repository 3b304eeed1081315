"""A trainee's notice that they will miss a session: given and withdrawn on the session's
absence page. The session through `TrainingSession.objects.visible_to` (404 if not theirs to
see), the trainee as the person signed in; the service says what may be done."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from trainees.absences import services
from trainees.absences.forms import AbsenceNoticeForm
from trainees.models import AbsenceNotice, Trainee, TrainingSession
from trainingtracker.helpers import refusal_shown

OWN = "accounts.view_own_progress"


def _session_and_trainee(request, pk: int) -> tuple[TrainingSession, Trainee]:
    session = get_object_or_404(
        TrainingSession.objects.visible_to(request.user).select_related(
            "module__revision", "cohort", "trainer"
        ),
        pk=pk,
    )
    trainee = get_object_or_404(
        Trainee.objects.visible_to(request.user).select_related("user"), user=request.user
    )
    return session, trainee


def _standing(request, session, trainee):
    return (
        AbsenceNotice.objects.visible_to(request.user)
        .standing()
        .filter(session=session, trainee=trainee)
        .first()
    )


@permission_required(OWN, raise_exception=True)
def absence_notice(request, pk: int):
    """Tell ahead that you will miss the session, with the reason (the trainee's own page)."""
    session, trainee = _session_and_trainee(request, pk)
    notice = _standing(request, session, trainee)
    refusal = services.notice_refusal(session=session, trainee=trainee, by=request.user)
    form = AbsenceNoticeForm(request.POST or None)
    if request.method == "POST" and notice is None and form.is_valid():
        with refusal_shown(form):
            services.absence_notice_give(
                session=session,
                trainee=trainee,
                category=form.cleaned_data["category"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
            messages.success(request, _("Your trainer is told that you will miss the session."))
            return redirect(session)
    return render(
        request,
        "trainees/absences/absence_notice.html",
        {"session": session, "notice": notice, "refusal": refusal, "form": form},
    )


@require_POST
@permission_required(OWN, raise_exception=True)
def absence_notice_withdraw(request, pk: int):
    """You will come after all: your notice is withdrawn and your trainer told."""
    session, trainee = _session_and_trainee(request, pk)
    notice = _standing(request, session, trainee)
    if notice is None:
        messages.info(request, _("You have no notice of absence standing for this session."))
        return redirect(session)
    try:
        services.absence_notice_withdraw(notice=notice, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Your notice is withdrawn: your trainer expects you."))
    return redirect(session)
