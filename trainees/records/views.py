"""A record's history page, for programme admins.

One view for the records people change most: a trainee, an assessment result, a module, a cohort,
a person and a resource. Gated like every page: programme admins only (403 for other roles), and
the record is fetched through its model's `visible_to(user)` (404 for one they may not see).
"""

from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from curriculum.models import Module
from trainees.access import MANAGES_PEOPLE
from trainees.models import AssessmentResult, Cohort, Resource, Trainee, TrainingSession
from trainees.records.export import trainee_records_export
from trainees.records.history import record_history

# kind -> (model, the record's own page, a heading, what its name is read from)
KINDS = {
    "trainee": (Trainee, "trainees:trainee_detail", _("Trainee"), ["user"]),
    "result": (
        AssessmentResult,
        "trainees:result_detail",
        _("Assessment result"),
        ["trainee__user", "definition"],
    ),
    "module": (Module, "curriculum:module_detail", _("Module"), []),
    "cohort": (Cohort, "trainees:cohort_detail", _("Cohort"), []),
    # A session's times, roster and resources, and an admin's reason to schedule it despite
    # the warnings (trainees/sessions/bookings.py).
    "session": (TrainingSession, "trainees:session_detail", _("Training session"), ["module"]),
    "person": (User, "accounts:person_detail", _("Person"), []),
    "resource": (Resource, "trainees:resource_detail", _("Resource"), []),
}


@permission_required(MANAGES_PEOPLE, raise_exception=True)
def record_history_page(request, pk: int, kind: str):
    model, detail, label, related = KINDS[kind]
    records = model.objects.visible_to(request.user).select_related(*related)
    record = get_object_or_404(records, pk=pk)
    return render(
        request,
        "trainees/record_history.html",
        {
            "record": record,
            "label": label,
            "back": reverse(detail, args=[record.pk]),
            "entries": record_history(record=record),
        },
    )


@permission_required("accounts.view_own_progress", raise_exception=True)
def my_records_download(request):
    """The trainee's own records, whole, as a JSON file (trainees/records/export.py). Only ever
    their own: the record is the signed-in person's, so there is no id to try another's with."""
    trainee = get_object_or_404(Trainee.objects.visible_to(request.user), user=request.user)
    response = HttpResponse(
        trainee_records_export(trainee=trainee), content_type="application/json; charset=utf-8"
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="my-training-records-{stamp}.json"'
    return response
