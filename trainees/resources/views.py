"""The centre's resources and who may instruct what.

Staff read them (programme admins, trainers, the medical officer; trainees are refused);
programme admins add, change and retire resources, record unavailable periods and grant or
withdraw instructors' authorisations. A resource's page lists every session booking it, of any
cohort, by module, cohort and time (what a booking's refusal names anyway), without a link to
sessions the reader may not open.
"""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from trainees.access import MANAGES_PEOPLE, SEES_AUTHORISATIONS, SEES_RESOURCES
from trainees.models import Resource, ResourceUnavailability, TrainerAuthorisation
from trainees.resources import forms, services
from trainees.resources.selectors import UPCOMING_DAYS, resource_upcoming
from trainees.services import AlreadySubmitted
from trainingtracker.helpers import errors_to_form, permission_any_required, refusal_shown


def _resource(request, pk: int) -> Resource:
    return get_object_or_404(Resource.objects.visible_to(request.user), pk=pk)


@permission_any_required(*SEES_RESOURCES)
def resource_list(request):
    """Every resource, those in service first; `?kind=` narrows to one kind."""
    resources = Resource.objects.visible_to(request.user).order_by("retired_on", "name")
    kind = request.GET.get("kind", "")
    if kind in Resource.Kind.values:
        resources = resources.filter(kind=kind)
    return render(
        request,
        "trainees/resource_list.html",
        {
            "resources": resources,
            "kinds": Resource.Kind.choices,
            "kind": kind,
            "can_manage": request.user.has_perm(MANAGES_PEOPLE),
        },
    )


@permission_any_required(*SEES_RESOURCES)
def resource_detail(request, pk: int):
    """A resource: what it is, the sessions booking it in the next four weeks, the periods it
    is out of service."""
    resource = _resource(request, pk)
    sessions, periods = resource_upcoming(resource=resource, now=timezone.now())
    return render(
        request,
        "trainees/resource_detail.html",
        {
            "resource": resource,
            "sessions": sessions,
            "periods": periods,
            "days": UPCOMING_DAYS,
            "can_manage": request.user.has_perm(MANAGES_PEOPLE),
        },
    )


def _resource_form(request, resource: Resource | None):
    initial = {}
    if resource is not None:
        initial = {
            "name": resource.name,
            "kind": resource.kind,
            "capacity": resource.capacity,
            "required_qualification": resource.required_qualification,
            "notes": resource.notes,
        }
    form = forms.ResourceForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.resource_save(
                resource=resource,
                name=data["name"],
                kind=data["kind"],
                capacity=data["capacity"],
                required_qualification=data["required_qualification"],
                notes=data["notes"],
                by=request.user,
                key=data["submission_key"],
            )
        except AlreadySubmitted as done:
            messages.info(request, _("This was already saved."))
            return redirect(done.target or "trainees:resource_list")
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(request, _("The resource is saved."))
            return redirect(saved)
    return render(request, "trainees/resource_form.html", {"form": form, "resource": resource})


@permission_required(MANAGES_PEOPLE, raise_exception=True)
def resource_add(request):
    return _resource_form(request, None)


@permission_required(MANAGES_PEOPLE, raise_exception=True)
def resource_edit(request, pk: int):
    return _resource_form(request, _resource(request, pk))


@permission_required(MANAGES_PEOPLE, raise_exception=True)
def resource_retire(request, pk: int):
    """Retire a resource (never deleted): asks first."""
    resource = _resource(request, pk)
    form = forms.RetireForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with refusal_shown(form):
            services.resource_retire(resource=resource, by=request.user)
            messages.success(request, _("The resource is retired."))
            return redirect(resource)
    return render(request, "trainees/resource_retire.html", {"form": form, "resource": resource})


@permission_required(MANAGES_PEOPLE, raise_exception=True)
def unavailability_add(request, pk: int):
    """Record a period the resource is out of service."""
    resource = _resource(request, pk)
    form = forms.UnavailabilityForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal_shown(form):
            services.unavailability_add(
                resource=resource,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                reason=data["reason"],
                by=request.user,
            )
            messages.success(request, _("The unavailable period is recorded."))
            return redirect(resource)
    return render(
        request, "trainees/resource_unavailable.html", {"form": form, "resource": resource}
    )


@permission_required(MANAGES_PEOPLE, raise_exception=True)
@require_POST
def unavailability_remove(request, pk: int):
    """Take back an unavailable period still to end (a POST from the resource's page)."""
    period = get_object_or_404(
        ResourceUnavailability.objects.filter(
            resource__in=Resource.objects.visible_to(request.user)
        ),
        pk=pk,
    )
    try:
        services.unavailability_remove(period=period, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The unavailable period is removed."))
    return redirect("trainees:resource_detail", pk=period.resource_id)


@permission_any_required(*SEES_AUTHORISATIONS)
def authorisation_list(request):
    """Who may instruct which module, by programme and module code; programme admins grant and
    withdraw."""
    authorisations = (
        TrainerAuthorisation.objects.visible_to(request.user)
        .select_related("programme", "trainer", "granted_by")
        .order_by("programme__name", "module_code", "trainer__display_name", "-granted_on")
    )
    return render(
        request,
        "trainees/resource_authorisations.html",
        {
            "authorisations": authorisations,
            "today": timezone.localdate(),
            "can_manage": request.user.has_perm(MANAGES_PEOPLE),
        },
    )


@permission_required(MANAGES_PEOPLE, raise_exception=True)
def authorisation_grant(request):
    form = forms.AuthorisationForm(
        request.POST if request.method == "POST" else None, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal_shown(form):
            services.authorisation_grant(
                trainer=data["trainer"],
                programme=data["programme"],
                module_code=data["module_code"],
                granted_on=data["granted_on"],
                expires_on=data["expires_on"],
                by=request.user,
            )
            messages.success(request, _("The authorisation is granted."))
            return redirect("trainees:authorisation_list")
    return render(request, "trainees/resource_authorisation_form.html", {"form": form})


@permission_required(MANAGES_PEOPLE, raise_exception=True)
@require_POST
def authorisation_withdraw(request, pk: int):
    authorisation = get_object_or_404(TrainerAuthorisation.objects.visible_to(request.user), pk=pk)
    try:
        services.authorisation_withdraw(authorisation=authorisation, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The authorisation is withdrawn."))
    return redirect("trainees:authorisation_list")
