from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class OperatorAdminSite(admin.AdminSite):
    """An admin site that only superusers may enter, whatever their staff flag or permissions.

    Programme admins, trainers and medical officers work in the product's own pages, where the
    access rules of the domain apply; the Django admin bypasses them, so it is for operators.
    """

    site_header = _("Training tracker operations")
    site_title = _("Training tracker operations")
    index_title = _("Operator administration")

    def has_permission(self, request):
        return request.user.is_active and request.user.is_superuser
