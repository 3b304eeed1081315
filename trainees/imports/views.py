"""The import of a programme's past: upload, check (every bad row named), confirm, write."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from trainees.access import MANAGES_PEOPLE
from trainees.assessments.services import signature_of
from trainees.imports.forms import PastImportConfirmForm, PastImportForm
from trainees.imports.rows import COLUMNS, file_decode, past_rows_check
from trainees.imports.services import PastImportRefused, past_import
from trainees.models import Cohort
from trainees.services import AlreadySubmitted
from trainingtracker.helpers import errors_to_form


@permission_required(MANAGES_PEOPLE, raise_exception=True)
def past_import_view(request, pk: int):
    """Import a cohort's past sessions from a CSV file: checked first, then written all
    together or not at all.

    Three steps: upload (checked, every bad row named with its line, the file's summary kept),
    confirm (the checked text comes back and is checked again inside the write, since the
    database may have changed), then written in one transaction.
    """
    cohort = get_object_or_404(
        Cohort.objects.visible_to(request.user).select_related("revision__programme"), pk=pk
    )
    upload, confirm, check, failure = PastImportForm(), None, None, []
    if request.method == "POST" and "content" in request.POST:
        confirm = PastImportConfirmForm(request.POST)
        if confirm.is_valid():
            data = confirm.cleaned_data
            try:
                signature = (
                    signature_of(user=request.user, password=data["password"])
                    if data["password"]
                    else None
                )
                batch = past_import(
                    cohort=cohort,
                    content=data["content"],
                    file_name=data["file_name"],
                    by=request.user,
                    key=data["submission_key"],
                    signature=signature,
                )
            except AlreadySubmitted as done:
                return redirect(done.target or reverse("trainees:cohort_detail", args=[cohort.pk]))
            except PastImportRefused as refused:
                check, confirm = refused.check, None
            except ValidationError as error:
                errors_to_form(confirm, error)
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(n)s session imported from %(file)s.",
                        "%(n)s sessions imported from %(file)s.",
                        batch.session_count,
                    )
                    % {"n": batch.session_count, "file": batch.file_name},
                )
                return redirect("trainees:cohort_detail", pk=cohort.pk)
            if confirm is not None:  # refused by the signature or the cohort: show it again
                check = past_rows_check(cohort=cohort, content=data["content"], now=timezone.now())
                confirm = confirm if check.ok else None
        else:  # a confirmation that does not come from the page: start again
            failure = [e for errors in confirm.errors.values() for e in errors]
            confirm = None
    elif request.method == "POST":
        upload = PastImportForm(request.POST, request.FILES)
        if upload.is_valid():
            uploaded = upload.cleaned_data["file"]
            content, problem = file_decode(uploaded.read())
            if problem:
                upload.add_error("file", problem)
            else:
                check = past_rows_check(cohort=cohort, content=content, now=timezone.now())
                if check.ok:
                    confirm = PastImportConfirmForm(
                        initial={"content": content, "file_name": uploaded.name[-255:]}
                    )
    return render(
        request,
        "trainees/past_import.html",
        {
            "cohort": cohort,
            "form": upload,
            "check": check,
            "confirm": confirm,
            "failure": failure,
            "columns": COLUMNS,
        },
    )
