"""People pages: a programme admin adds people, changes their roles, deactivates them; everyone
edits their own profile. Nobody sees or sets another person's password here: a new person gets
a link to set their own (`accounts.services.user_invitation_send`, by a Celery task).
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from trainingtracker.helpers import refusal_shown

from .forms import (
    LockoutReleaseForm,
    PersonCreateForm,
    PersonEditForm,
    ProfileForm,
    RolesForm,
)
from .models import Role, User
from .second_factor import second_factor_device, second_factor_reset
from .selectors import lockouts_current
from .services import (
    LinkSite,
    lockout_release,
    person_create,
    person_update,
    user_deactivate,
    user_invitation_request,
    user_profile_update,
    user_reactivate,
    user_roles_change,
)

MANAGE = "accounts.manage_people"
ROLE_GROUPS = Prefetch("groups", queryset=Group.objects.filter(name__in=Role.values))


def _role_labels(person: User) -> list[str]:
    names = {group.name for group in person.groups.all()}
    return [role.label for role in Role if role.value in names]


def _person(request, pk: int) -> User:
    return get_object_or_404(User.objects.visible_to(request.user), pk=pk)


def profile(request):
    """The signed-in person's own profile: names, language, time zone, notifications."""
    user = request.user
    form = ProfileForm(
        request.POST if request.method == "POST" else None, instance=User.objects.get(pk=user.pk)
    )
    if request.method == "POST" and form.is_valid():
        with refusal_shown(form):
            user_profile_update(user=user, data=form.cleaned_data)
            messages.success(request, _("Your profile is saved."))
            return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


@permission_required(MANAGE, raise_exception=True)
def people(request):
    """Everyone the admin manages, by name, with their roles; deactivated people marked."""
    persons = list(
        User.objects.visible_to(request.user)
        .prefetch_related(ROLE_GROUPS)
        .order_by("-is_active", "display_name", "username")
    )
    rows = [(person, _role_labels(person)) for person in persons]
    return render(request, "accounts/people.html", {"rows": rows})


@permission_required(MANAGE, raise_exception=True)
def person_add(request):
    """Add a trainer, medical officer or programme admin, and send them the invitation."""
    form = PersonCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with refusal_shown(form):
            person = person_create(
                **form.person_data(),
                roles=[Role(value) for value in form.cleaned_data["roles"]],
                by=request.user,
                invite_via=LinkSite.from_request(request),
            )
            messages.success(
                request,
                _("%(name)s added; an e-mail with a link to set a password is on its way.")
                % {"name": person.display_name},
            )
            return redirect("accounts:person_detail", pk=person.pk)
    return render(request, "accounts/person_form.html", {"form": form, "person": None})


@permission_required(MANAGE, raise_exception=True)
def person_detail(request, pk: int):
    person = get_object_or_404(
        User.objects.visible_to(request.user).prefetch_related(ROLE_GROUPS), pk=pk
    )
    history = person.history.select_related("history_user").order_by("-history_date")[:20]
    return render(
        request,
        "accounts/person_detail.html",
        {
            "person": person,
            "role_labels": _role_labels(person),
            "history": history,
            "second_factor": second_factor_device(person) is not None,
        },
    )


@permission_required(MANAGE, raise_exception=True)
def person_edit(request, pk: int):
    """Correct a person's names or e-mail address."""
    person = _person(request, pk)
    form = PersonEditForm(
        request.POST if request.method == "POST" else None, instance=User.objects.get(pk=person.pk)
    )
    if request.method == "POST" and form.is_valid():
        with refusal_shown(form):
            person_update(user=person, data=form.cleaned_data, by=request.user)
            messages.success(request, _("Saved."))
            return redirect("accounts:person_detail", pk=person.pk)
    return render(request, "accounts/person_form.html", {"form": form, "person": person})


@permission_required(MANAGE, raise_exception=True)
def person_roles(request, pk: int):
    person = _person(request, pk)
    form = RolesForm(
        request.POST if request.method == "POST" else None, initial={"roles": sorted(person.roles)}
    )
    if request.method == "POST" and form.is_valid():
        with refusal_shown(form):
            user_roles_change(
                user=person,
                roles=[Role(value) for value in form.cleaned_data["roles"]],
                by=request.user,
            )
            messages.success(request, _("Roles changed."))
            return redirect("accounts:person_detail", pk=person.pk)
    return render(
        request,
        "accounts/person_action.html",
        {"person": person, "form": form, "action": "roles"},
    )


def _confirmed_action(request, pk, *, action, service, done):
    """A page that asks to confirm, then runs `service` on POST."""
    person = _person(request, pk)
    error = None
    if request.method == "POST":
        try:
            service(person)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, done % {"name": person.display_name})
            return redirect("accounts:person_detail", pk=person.pk)
    return render(
        request,
        "accounts/person_action.html",
        {"person": person, "action": action, "error": error},
    )


@permission_required(MANAGE, raise_exception=True)
def person_deactivate(request, pk: int):
    """Stop someone signing in; everything they recorded or received stays."""
    return _confirmed_action(
        request,
        pk,
        action="deactivate",
        service=lambda person: user_deactivate(user=person, by=request.user),
        done=_("%(name)s can no longer sign in. Their records are kept."),
    )


@permission_required(MANAGE, raise_exception=True)
def person_second_factor_reset(request, pk: int):
    """Remove a person's authenticator and recovery codes (a lost phone); in their history."""
    return _confirmed_action(
        request,
        pk,
        action="second_factor_reset",
        service=lambda person: second_factor_reset(user=person, by=request.user),
        done=_("%(name)s sets up two-factor sign-in again at their next password sign-in."),
    )


@permission_required(MANAGE, raise_exception=True)
def person_reactivate(request, pk: int):
    return _confirmed_action(
        request,
        pk,
        action="reactivate",
        service=lambda person: user_reactivate(user=person, by=request.user),
        done=_("%(name)s can sign in again."),
    )


@permission_required(MANAGE, raise_exception=True)
def person_invite(request, pk: int):
    """Send the link to set a password again (a lost e-mail, or a link that expired)."""

    def send(person):
        if not person.is_active:
            raise ValidationError(_("Reactivate this person first."))
        user_invitation_request(user=person, site=LinkSite.from_request(request), by=request.user)

    return _confirmed_action(
        request,
        pk,
        action="invite",
        service=send,
        done=_("A new link to set a password was sent to %(name)s."),
    )


@permission_required(MANAGE, raise_exception=True)
def lockouts(request):
    """The accounts locked after repeated wrong passwords, each for one client; unlock one."""
    current = lockouts_current(viewer=request.user)
    if request.method == "POST":
        form = LockoutReleaseForm(request.POST)
        chosen = form.is_valid() and next(
            (lockout for lockout in current if lockout.id == form.cleaned_data["lockout"]), None
        )
        if not chosen:
            raise Http404
        lockout_release(lockout=chosen, by=request.user)
        messages.success(
            request,
            _("%(name)s can sign in again from %(address)s.")
            % {"name": chosen.person.display_name, "address": chosen.ip_address or "-"},
        )
        return redirect("accounts:lockouts")
    return render(
        request,
        "accounts/lockouts.html",
        {"lockouts": current, "lockout_limit": settings.AXES_FAILURE_LIMIT},
    )
