"""Moving a cohort to a newer revision of its programme (issue 6): preview, then the move."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from curriculum.selectors import revision_compare

from .models import Cohort, CohortRevisionMove
from .revision_move_forms import CohortRevisionMoveForm, RevisionChoiceForm
from .selectors import cohort_move_preview
from .services import cohort_revision_move


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
    if target is not None and target.number <= cohort.revision.number:
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
