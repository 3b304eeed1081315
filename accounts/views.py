from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from . import throttle
from .forms import PasswordResetForm, SignInForm
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
    form_class = SignInForm
    redirect_authenticated_user = True


def locked_out(request, original_response=None, credentials=None):
    """django-axes calls this when an account is locked: the sign-in page, with the reason."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {
        "form": SignInForm(request, initial={"username": (credentials or {}).get("username")}),
        "locked_out_minutes": minutes,
    }
    return render(request, "registration/login.html", context, status=429)


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
