from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache


class OperatorAdminSite(admin.AdminSite):
    """An admin site that only superusers may enter, whatever their staff flag or permissions.

    Programme admins, trainers and medical officers work in the product's own pages, where the
    access rules of the domain apply; the Django admin bypasses them, so it is for operators.
    Operators sign in on the product's sign-in page, so there is one sign-in form to protect.
    """

    site_header = _("Training tracker operations")
    site_title = _("Training tracker operations")
    index_title = _("Operator administration")

    def has_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    @method_decorator(never_cache)
    @login_not_required
    def login(self, request, extra_context=None):
        next_url = request.GET.get(REDIRECT_FIELD_NAME) or reverse(
            "admin:index", current_app=self.name
        )
        if request.user.is_authenticated:
            if self.has_permission(request):
                return redirect(reverse("admin:index", current_app=self.name))
            # Signed in, but not an operator: sending them to sign in again would loop.
            raise PermissionDenied
        return redirect_to_login(next_url, login_url=reverse("accounts:login"))
