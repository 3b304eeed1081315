from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from trainingtracker.helpers import errors_to_form

from . import audit, second_factor, single_sign_on, throttle
from .forms import (
    PasswordResetForm,
    RecoveryCodesForm,
    SecondFactorForm,
    SignInForm,
    TotpSetupForm,
)
from .models import Role
from .services import LinkSite, password_reset_request

# Where each role lands after signing in.
LANDING_PAGES = {
    Role.PROGRAMME_ADMIN: "curriculum:home",
    Role.MEDICAL_OFFICER: "trainees:medical_home",
    Role.TRAINER: "trainees:trainer_home",
    Role.TRAINEE: "trainees:trainee_home",
}


def home(request):
    """Send each person to the landing page of their role."""
    role = request.user.primary_role
    if role is None:
        # Signed in, but no programme admin has given them a role yet.
        return render(request, "accounts/no_role.html", status=403)
    return redirect(LANDING_PAGES[role])


class PasswordSetView(auth_views.PasswordResetConfirmView):
    """Set a password from a one-time link: the invitation's or "forgot password"'s.

    A deactivated person's old link no longer opens (Django's own view does not ask).
    """

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a link to set a password again: the same answer, after the same work, for an
    address that has an account and one that has not (`password_reset_request` only queues the
    e-mail), and a limit on how often an address, or a client, may ask."""

    form_class = PasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        window = settings.PASSWORD_RESET_LIMIT_WINDOW
        allowed = [
            throttle.rate_allow(
                scope="reset-client",
                value=throttle.client_address(self.request) or "-",
                limit=settings.PASSWORD_RESET_LIMIT_PER_CLIENT,
                window=window,
            ),
            throttle.rate_allow(
                scope="reset-address",
                value=email,
                limit=settings.PASSWORD_RESET_LIMIT_PER_ADDRESS,
                window=window,
            ),
        ]
        if not all(allowed):
            form.add_error(
                None, _("Too many links were asked for. Try again in an hour, or ask an admin.")
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        password_reset_request(email=email, site=LinkSite.from_request(self.request))
        return HttpResponseRedirect(self.get_success_url())


class SignInView(auth_views.LoginView):
    """The password sign-in, with the single sign-on providers' buttons beside it. Where a
    second factor is due (accounts.second_factor) the password signs no one in: the second step
    does."""

    form_class = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        return {**context, "providers": single_sign_on.provider_buttons()}

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        return single_sign_on.provider_forms_allowed(response)

    def form_valid(self, form):
        user = form.get_user()
        if not second_factor.second_factor_due(user):
            return super().form_valid(form)
        second_factor.pending_start(
            self.request, user=user, backend=user.backend, next_url=self.get_success_url()
        )
        if second_factor.second_factor_device(user) is None:
            return redirect("accounts:second_factor_setup")
        return redirect("accounts:second_factor_verify")


def _signed_in(request, user, *, backend: str, next_url: str | None):
    """Sign `user` in for the usual length of a sign-in (not the short one of the step before)."""
    login(request, user, backend=backend)
    request.session.set_expiry(None)
    return redirect(next_url or settings.LOGIN_REDIRECT_URL)


# Single sign-on ---------------------------------------------------------------------------------

SSO_BACKEND = "accounts.backends.RoleBackend"


def _refused(request, error: single_sign_on.RoundTripFailed):
    context = {"message": error.message}
    return render(request, "accounts/sign_in_refused.html", context, status=error.status)


@login_not_required
@require_POST
def oidc_start(request, provider: str):
    """Sign in through a provider: off to it, with a round trip kept in the session."""
    single_sign_on.provider_or_404(provider)
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    next_url = single_sign_on.local_next(request, request.POST.get("next")) or ""
    try:
        url = single_sign_on.round_trip_start(
            request, provider=provider, purpose=single_sign_on.SIGN_IN, next_url=next_url
        )
    except single_sign_on.RoundTripFailed as error:
        return _refused(request, error)
    return HttpResponseRedirect(url)


@require_POST
def oidc_confirm(request, provider: str):
    """Confirm who the signed-in person is by signing in again at the provider, to sign the
    record on the page they came from (`next`)."""
    single_sign_on.provider_or_404(provider)
    next_url = single_sign_on.local_next(request, request.POST.get("next"))
    if next_url is None:
        return _refused(
            request, single_sign_on.RoundTripFailed(_("Start from the page you sign on."))
        )
    try:
        url = single_sign_on.round_trip_start(
            request, provider=provider, purpose=single_sign_on.CONFIRM, next_url=next_url
        )
    except single_sign_on.RoundTripFailed as error:
        return _refused(request, error)
    return HttpResponseRedirect(url)


@login_not_required
@never_cache
def oidc_callback(request, provider: str):
    """Back from the provider: sign in the person its claims name, or keep the confirmation.

    Nobody is created here and no role is read: someone the tracker does not know is refused,
    and everything the round trip kept is dropped.
    """
    single_sign_on.provider_or_404(provider)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    try:
        flow, claims = single_sign_on.round_trip_finish(request, provider=provider)
        if flow["purpose"] == single_sign_on.CONFIRM:
            single_sign_on.confirmation_keep(request, flow=flow, claims=claims)
            messages.success(request, _("Confirmed. You can sign now."))
            return redirect(flow["next"])
        user = single_sign_on.person_for_claims(provider=provider, claims=claims)
        if user is None:
            audit.sign_in_refused(provider=provider, request=request)
            raise single_sign_on.RoundTripFailed(
                _(
                    "The tracker has no one who matches the account you signed in with at "
                    "%(provider)s. Ask a programme admin to add you, with the e-mail address "
                    "your agency knows you by."
                )
                % {"provider": single_sign_on.providers()[provider]["label"]},
                status=403,
            )
    except single_sign_on.RoundTripFailed as error:
        if not request.user.is_authenticated:
            request.session.flush()
        return _refused(request, error)
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    return _signed_in(request, user, backend=SSO_BACKEND, next_url=flow["next"])


# Two-factor sign-in -----------------------------------------------------------------------------


def _pending_or_sign_in(request):
    """The person between the password step and the second one, or a redirect to sign in."""
    pending = second_factor.pending_user(request)
    if pending is None:
        return None, redirect("accounts:login")
    return pending, None


@login_not_required
@never_cache
def second_factor_verify(request):
    """The second step of a password sign-in: the authenticator's code or a recovery code."""
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    pending, refusal = _pending_or_sign_in(request)
    if refusal:
        return refusal
    data, user = pending
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        used = second_factor.second_factor_check(user=user, code=form.cleaned_data["code"])
        if used is not None:
            request.session.pop(second_factor.PENDING, None)
            if used == second_factor.RECOVERY:
                left = second_factor.recovery_codes_left(user)
                messages.warning(
                    request,
                    _(
                        "You signed in with a recovery code; it cannot be used again. "
                        "%(left)s are left: make new ones on your two-factor page."
                    )
                    % {"left": left},
                )
            return _signed_in(request, user, backend=data["backend"], next_url=data["next"])
        audit.second_factor_failed(user=user, request=request)
        if second_factor.pending_failed(request):
            messages.error(request, _("Too many wrong codes. Sign in again."))
            return redirect("accounts:login")
        form.add_error("code", _("This code is not right. Type the code your app shows now."))
    return render(request, "accounts/second_factor_verify.html", {"form": form})


@login_not_required
@never_cache
def second_factor_setup(request):
    """Set up an authenticator: from the profile, or, when a role requires one, as the second
    step of a password sign-in. Ends on the recovery codes, shown this once."""
    data = None
    if request.user.is_authenticated:
        user = request.user
    else:
        pending, refusal = _pending_or_sign_in(request)
        if refusal:
            return refusal
        data, user = pending
    if second_factor.second_factor_device(user) is not None:
        if data is not None:
            return redirect("accounts:second_factor_verify")
        messages.info(request, _("Two-factor sign-in is already set up."))
        return redirect("accounts:second_factor")
    form = TotpSetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = second_factor.totp_confirm(user=user, code=form.cleaned_data["code"])
        except ValidationError as error:
            if getattr(error, "code", None) == "done":
                return redirect("accounts:second_factor")
            errors_to_form(form, error)
        else:
            next_url = reverse_lazy("accounts:second_factor")
            if data is not None:
                request.session.pop(second_factor.PENDING, None)
                _signed_in(request, user, backend=data["backend"], next_url=None)
                next_url = data["next"] or settings.LOGIN_REDIRECT_URL
            return render(
                request, "accounts/recovery_codes.html", {"codes": codes, "next_url": next_url}
            )
    device = second_factor.totp_device_unconfirmed(user=user)
    context = {
        "form": form,
        "picture": second_factor.totp_setup_picture(device),
        "key": second_factor.totp_setup_key(device),
        "required": second_factor.second_factor_required(user),
        "signing_in": data is not None,
    }
    return render(request, "accounts/second_factor_setup.html", context)


@never_cache
def second_factor_page(request):
    """The person's own two-factor sign-in: whether it is on, the recovery codes left, new
    recovery codes (with a current code, so a stolen session cannot take them)."""
    user = request.user
    device = second_factor.second_factor_device(user)
    form = RecoveryCodesForm(request.POST or None) if device is not None else None
    if request.method == "POST" and form is not None and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            codes = second_factor.recovery_codes_new(user=user)
            return render(
                request,
                "accounts/recovery_codes.html",
                {"codes": codes, "next_url": reverse_lazy("accounts:second_factor")},
            )
        form.add_error("code", _("This code is not right. Type the code your app shows now."))
    context = {
        "device": device,
        "form": form,
        "required": second_factor.second_factor_required(user),
        "codes_left": second_factor.recovery_codes_left(user) if device else 0,
    }
    return render(request, "accounts/second_factor.html", context)


def locked_out(request, original_response=None, credentials=None):
    """django-axes calls this when an account is locked: the sign-in page, with the reason."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {
        "form": SignInForm(request, initial={"username": (credentials or {}).get("username")}),
        "locked_out_minutes": minutes,
        "providers": single_sign_on.provider_buttons(),
    }
    response = render(request, "registration/login.html", context, status=429)
    return single_sign_on.provider_forms_allowed(response)


@login_not_required
@require_POST
def language_switch(request):
    """Django's set_language, which also keeps a signed-in person's choice in their profile."""
    response = set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        request.user.preferred_language = language
        request.user.save(update_fields=["preferred_language"])
    return response


@login_not_required
def csrf_failure(request, reason=""):
    """A form sent from a page that is too old (or from elsewhere): say what to do about it."""
    return render(request, "403_csrf.html", status=403)
