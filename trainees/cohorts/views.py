"""The programme admin's pages over cohorts and trainees: create and plan cohorts, assign their
trainers, close them; add trainees one by one or from a CSV file; change a trainee's status.

Reading a cohort is open to whoever sees it (`Cohort.objects.visible_to`); every page that
writes needs `manage_people`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.services import LinkSite
from curriculum.models import Module, modules_in_order
from curriculum.selectors import revision_compare
from trainees.access import MANAGES_PEOPLE, SEES_TRAINEES
from trainees.cohorts import forms
from trainees.cohorts.forms import CohortRevisionMoveForm, RevisionChoiceForm
from trainees.cohorts.imports import file_decode, trainee_rows_check
from trainees.cohorts.selectors import cohort_move_preview
from trainees.cohorts.services import (
    cohort_close,
    cohort_create,
    cohort_plan_set,
    cohort_revision_move,
    cohort_trainers_set,
    cohort_update,
    trainee_add,
    trainee_status_change,
    trainees_import,
)
from trainees.models import (
    Cohort,
    CohortPlanEntry,
    CohortRevisionMove,
    MedicalHold,
    Trainee,
)
from trainingtracker.helpers import permission_any_required, refusal_shown


def _cohort(request, pk):
    return get_object_or_404(
        Cohort.objects.visible_to(request.user).select_related("revision__programme"), pk=pk
    )


@permission_any_required(*SEES_TRAINEES)
def cohort_list(request):
    """The cohorts the person sees, open ones first, with their trainers and trainee counts."""
    cohorts = (
        Cohort.objects.visible_to(request.user)
        .select_related("revision__programme")
        .prefetch_related("trainers")
        .annotate(trainee_count=Count("trainees"))
        .order_by("closed_on", "-starts_on", "name")
    )
    return render(request, "trainees/cohort_list.html", {"cohorts": cohorts})


@permission_any_required(*SEES_TRAINEES)
def cohort_detail(request, pk: int):
    """A cohort: its dates, trainers, plan and trainees (a medical hold shows as dates only)."""
    user = request.user
    cohort = get_object_or_404(
        Cohort.objects.visible_to(user)
        .select_related("revision__programme")
        .prefetch_related(
            "trainers",
            Prefetch(
                "plan",
                queryset=CohortPlanEntry.objects.select_related("module").order_by(
                    "start_week", "module__order", "module__code"
                ),
            ),
        ),
        pk=pk,
    )
    trainees = (
        Trainee.objects.visible_to(user).filter(cohort=cohort).select_related("user", "cohort")
    )
    open_holds = set(
        MedicalHold.objects.status_visible_to(user)
        .filter(trainee__cohort=cohort, closed_on__isnull=True)
        .values_list("trainee_id", flat=True)
    )
    return render(
        request,
        "trainees/cohort_detail.html",
        {
            "cohort": cohort,
            "trainees": trainees,
            "open_holds": open_holds,
            "can_manage": user.has_perm(MANAGES_PEOPLE),
        },
    )


@permission_required(MANAGES_PEOPLE, raise_exception=True)
def cohort_add(request):
    form = forms.CohortCreateForm(
        request.POST if request.method == "POST" else None, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal_shown(form):
            cohort = cohort_create(
                name=data["name"],
                revision=data["revision"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                trainers=data["trainers"],
                by=request.user,
            )
            messages.success(request, _("Cohort created. Now plan its modules by week."))
            return redirect("trainees:cohort_plan", pk=cohort.pk)
    return render(request, "trainees/cohort_form.html", {"form": form, "cohort": None})


@permission_required(MANAGES_PEOPLE, raise_exception=True)
def cohort_edit(request, pk: int):
    cohort = _cohort(request, pk)
    form = forms.CohortEditForm(request.POST if request.method == "POST" else None, instance=cohort)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal_shown(form):
            cohort_update(
                cohort=cohort,
                name=data["name"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                by=request.user,
            )
            messages.success(request, _("Cohort saved."))
            return redirect("trainees:cohort_detail", pk=cohort.pk)
    # A refused edit leaves the instance changed in memory only; show the stored name.
    cohort.refresh_from_db()
    return render(request, "trainees/cohort_form.html", {"form": form, "cohort": cohort})


@permission_required(MANAGES_PEOPLE, raise_exception=True)
def cohort_plan(request, pk: int):
    """Which module in which weeks: one row per module of the cohort's revision."""
    cohort = _cohort(request, pk)
    modules = modules_in_order(Module.objects.filter(revision_id=cohort.revision_id))
    form = forms.CohortPlanForm(
        request.POST if request.method == "POST" else None, cohort=cohort, modules=modules
    )
    if request.method == "POST" and form.is_valid():
        with refusal_shown(form):
            cohort_plan_set(cohort=cohort, weeks=form.spans, by=request.user)
            messages.success(request, _("Plan saved."))
            return redirect("trainees:cohort_detail", pk=cohort.pk)
    return render(request, "trainees/cohort_plan.html", {"cohort": cohort, "form": form})


@permission_required(MANAGES_PEOPLE, raise_exception=True)
def cohort_trainers(request, pk: int):
    cohort = _cohort(request, pk)
    form = forms.CohortTrainersForm(
        request.POST if request.method == "POST" else None,
        initial={"trainers": list(cohort.trainers.all())},
    )
    if request.method == "POST" and form.is_valid():
        with refusal_shown(form):
            cohort_trainers_set(
                cohort=cohort, trainers=form.cleaned_data["trainers"], by=request.user
            )
            messages.success(request, _("Trainers saved."))
            return redirect("trainees:cohort_detail", pk=cohort.pk)
    return render(
        request,
        "trainees/cohort_action.html",
        {"cohort": cohort, "form": form, "heading": _("Trainers")},
    )


@permission_required(MANAGES_PEOPLE, raise_exception=True)
def cohort_close_view(request, pk: int):
    cohort = _cohort(request, pk)
    form = forms.CohortCloseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal_shown(form):
            graduated = cohort_close(
                cohort=cohort,
                closed_on=data["closed_on"],
                graduate=data["graduate"],
                reason=data["reason"],
                by=request.user,
            )
            messages.success(
                request,
                ngettext(
                    "Cohort closed; %(n)s trainee graduated.",
                    "Cohort closed; %(n)s trainees graduated.",
                    len(graduated),
                )
                % {"n": len(graduated)},
            )
            return redirect("trainees:cohort_detail", pk=cohort.pk)
    return render(
        request,
        "trainees/cohort_action.html",
        {"cohort": cohort, "form": form, "heading": _("Close the cohort")},
    )


@permission_required(MANAGES_PEOPLE, raise_exception=True)
def trainee_add_view(request, pk: int):
    """Add one trainee to the cohort `pk`; they get an e-mail with a link to set a password."""
    cohort = _cohort(request, pk)
    form = forms.TraineeAddForm(request.POST if request.method == "POST" else None, cohort=cohort)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal_shown(form):
            trainee = trainee_add(
                cohort=cohort,
                person=form.person_data(),
                agency=data["agency"],
                nationality=data["nationality"],
                crew_role=data["crew_role"],
                on=data["enrolled_on"],
                by=request.user,
                invite_via=LinkSite.from_request(request),
            )
            messages.success(
                request,
                _("%(name)s added; an e-mail with a link to set a password is on its way.")
                % {"name": trainee.user.display_name},
            )
            return redirect("trainees:cohort_detail", pk=cohort.pk)
    return render(request, "trainees/trainee_add.html", {"cohort": cohort, "form": form})


@permission_required(MANAGES_PEOPLE, raise_exception=True)
def trainee_import_view(request, pk: int):
    """Add a cohort's trainees from a CSV file: checked first, then added all together or none.

    Three steps: upload (checked, every bad line named), confirm (the checked text comes back
    and is checked again, since the database may have changed), then added in one transaction.
    """
    cohort = _cohort(request, pk)
    upload = forms.TraineeImportForm()
    check, failure = None, None
    if request.method == "POST" and "content" in request.POST:
        confirm = forms.TraineeImportConfirmForm(request.POST)
        if confirm.is_valid():
            check = trainee_rows_check(confirm.cleaned_data["content"])
            if check.ok:
                try:
                    added = trainees_import(
                        cohort=cohort,
                        rows=check.rows,
                        by=request.user,
                        invite_via=LinkSite.from_request(request),
                    )
                except ValidationError as error:
                    failure = " ".join(error.messages)
                else:
                    messages.success(
                        request,
                        ngettext(
                            "%(n)s trainee added; each gets an e-mail to set a password.",
                            "%(n)s trainees added; each gets an e-mail to set a password.",
                            len(added),
                        )
                        % {"n": len(added)},
                    )
                    return redirect("trainees:cohort_detail", pk=cohort.pk)
    elif request.method == "POST":
        upload = forms.TraineeImportForm(request.POST, request.FILES)
        if upload.is_valid():
            content, problem = file_decode(upload.cleaned_data["file"].read())
            if problem:
                upload.add_error("file", problem)
            else:
                check = trainee_rows_check(content)
    return render(
        request,
        "trainees/trainee_import.html",
        {
            "cohort": cohort,
            "form": upload,
            "check": check,
            "failure": failure,
            "confirm": forms.TraineeImportConfirmForm(initial={"content": check.content})
            if check and check.ok and not failure
            else None,
        },
    )


@permission_required(MANAGES_PEOPLE, raise_exception=True)
def trainee_status(request, pk: int):
    """Withdraw, graduate or assign a trainee to a flight, with a date and a reason."""
    trainee = get_object_or_404(
        Trainee.objects.visible_to(request.user).select_related("user", "cohort"), pk=pk
    )
    form = forms.TraineeStatusForm(
        request.POST if request.method == "POST" else None, trainee=trainee
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal_shown(form):
            trainee_status_change(
                trainee=trainee,
                status=data["status"],
                effective_on=data["effective_on"],
                reason=data["reason"],
                by=request.user,
            )
            messages.success(request, _("Status changed."))
            return redirect("trainees:trainee_detail", pk=trainee.pk)
    changes = trainee.status_changes.select_related("recorded_by")
    return render(
        request,
        "trainees/trainee_status.html",
        {"trainee": trainee, "form": form, "changes": changes},
    )


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


@permission_required("accounts.manage_curriculum", raise_exception=True)
def cohort_revision(request, pk: int):
    """What moving the cohort to a newer revision changes for each trainee; then the move."""
    cohort = get_object_or_404(
        Cohort.objects.visible_to(request.user).select_related("revision__programme"), pk=pk
    )
    if request.method == "POST":
        form = CohortRevisionMoveForm(request.POST, cohort=cohort)
        if form.is_valid():
            try:
                cohort_revision_move(
                    cohort=cohort,
                    from_revision=form.cleaned_data["from_revision"],
                    to_revision=form.cleaned_data["revision"],
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                )
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                messages.success(
                    request,
                    _("%(cohort)s now trains on revision %(number)s.")
                    % {"cohort": cohort, "number": form.cleaned_data["revision"].number},
                )
                return redirect("trainees:cohort_revision", pk=cohort.pk)
        target = form.cleaned_data.get("revision")
    else:
        form, target = None, None
    choice = RevisionChoiceForm(request.GET if "revision" in request.GET else None, cohort=cohort)
    if target is None and choice.is_bound and choice.is_valid():
        target = choice.cleaned_data["revision"]
    if target is not None and not target.supersedes(cohort.revision):
        target = None  # the cohort is there already (a double submission): nothing to preview
    if target is not None and form is None:
        form = CohortRevisionMoveForm(
            cohort=cohort, initial={"revision": target.pk, "from_revision": cohort.revision_id}
        )
    context = {
        "cohort": cohort,
        "choice": choice,
        "has_newer": choice.fields["revision"].queryset.exists(),
        "target": target,
        "form": form,
        "moves": CohortRevisionMove.objects.visible_to(request.user)
        .filter(cohort=cohort)
        .select_related("from_revision", "to_revision", "moved_by"),
    }
    if target is not None:
        context["comparison"] = revision_compare(old=cohort.revision, new=target)
        context["effects"] = cohort_move_preview(cohort=cohort, revision=target)
    return render(request, "trainees/cohort_revision.html", context)
