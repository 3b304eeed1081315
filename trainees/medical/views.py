"""The medical officer's pages: a trainee's medical record, holds and certificates.

All need `manage_medical`; every record is fetched through its model's `visible_to`, which gives
the full medical record (reasons, examiners, restrictions) to medical officers only.
"""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from trainees.access import MANAGES_MEDICAL
from trainees.medical.forms import CertificateForm, HoldCloseForm, HoldOpenForm
from trainees.medical.selectors import certificates_due
from trainees.medical.services import (
    medical_certificate_record,
    medical_hold_close,
    medical_hold_open,
)
from trainees.models import Measurement, MedicalCertificate, MedicalHold, Trainee
from trainingtracker.helpers import refusal_shown

MEASUREMENTS_SHOWN = 100


def _trainee(request, pk):
    return get_object_or_404(
        Trainee.objects.physiology_visible_to(request.user).select_related("user", "cohort"),
        pk=pk,
    )


@permission_required(MANAGES_MEDICAL, raise_exception=True)
def medical_record(request, pk: int):
    """A trainee's medical record: holds with their reasons, certificates, measurements."""
    user = request.user
    trainee = _trainee(request, pk)
    context = {
        "trainee": trainee,
        "holds": MedicalHold.objects.visible_to(user)
        .filter(trainee=trainee)
        .select_related("opened_by", "closed_by")
        .order_by("-opened_on"),
        "certificates": MedicalCertificate.objects.visible_to(user)
        .filter(trainee=trainee)
        .select_related("recorded_by")
        .order_by("kind", "-issued_on"),
        "measurements": Measurement.objects.visible_to(user)
        .filter(trainee=trainee)
        .select_related("recorded_by")
        .order_by("metric", "-taken_at")[:MEASUREMENTS_SHOWN],
        "lacking": MedicalCertificate.objects.lacking(trainee=trainee, on=timezone.localdate()),
    }
    context["open_hold"] = next((h for h in context["holds"] if h.is_open), None)
    return render(request, "trainees/medical_record.html", context)


@permission_required(MANAGES_MEDICAL, raise_exception=True)
def hold_open(request, pk: int):
    """Put the trainee `pk` on medical hold."""
    trainee = _trainee(request, pk)
    form = HoldOpenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with refusal_shown(form):
            medical_hold_open(
                trainee=trainee,
                opened_on=form.cleaned_data["opened_on"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
            messages.success(request, _("Medical hold opened."))
            return redirect("trainees:medical_record", pk=trainee.pk)
    return render(
        request,
        "trainees/medical_form.html",
        {"trainee": trainee, "form": form, "heading": _("Open a medical hold")},
    )


@permission_required(MANAGES_MEDICAL, raise_exception=True)
def hold_close(request, pk: int):
    """Close the open hold `pk`."""
    hold = get_object_or_404(
        MedicalHold.objects.visible_to(request.user).select_related("trainee__user"), pk=pk
    )
    form = HoldCloseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with refusal_shown(form):
            medical_hold_close(
                hold=hold,
                closed_on=form.cleaned_data["closed_on"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
            messages.success(request, _("Medical hold closed."))
            return redirect("trainees:medical_record", pk=hold.trainee_id)
    return render(
        request,
        "trainees/medical_form.html",
        {
            "trainee": hold.trainee,
            "form": form,
            "heading": _("Close the medical hold"),
            "hold": hold,
        },
    )


@permission_required(MANAGES_MEDICAL, raise_exception=True)
def certificate_add(request, pk: int):
    """Record a medical or fitness certificate of the trainee `pk`."""
    trainee = _trainee(request, pk)
    form = CertificateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal_shown(form):
            medical_certificate_record(
                trainee=trainee,
                kind=data["kind"],
                issued_on=data["issued_on"],
                expires_on=data["expires_on"],
                examiner=data["examiner"],
                restrictions=data["restrictions"],
                by=request.user,
            )
            messages.success(request, _("Certificate recorded."))
            return redirect("trainees:medical_record", pk=trainee.pk)
    return render(
        request,
        "trainees/medical_form.html",
        {"trainee": trainee, "form": form, "heading": _("Record a certificate")},
    )


@permission_required(MANAGES_MEDICAL, raise_exception=True)
def medical_home(request):
    """The medical officer's holds, open ones first."""
    holds = (
        MedicalHold.objects.visible_to(request.user)
        .select_related("trainee__user", "trainee__cohort", "opened_by", "closed_by")
        .order_by("closed_on", "-opened_on")
    )
    # Certificates and each trainee's medical record.
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


@permission_required(MANAGES_MEDICAL, raise_exception=True)
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
