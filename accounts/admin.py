from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from .models import User

# django-otp's admin shows the authenticators' secrets and the recovery codes, and lets them be
# edited: a second factor is set up by its owner and reset by a programme admin, in the product
# (accounts.second_factor), where the reset is in the person's history.
for _device in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device):
        admin.site.unregister(_device)


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, BaseUserAdmin):
    list_display = ("username", "display_name", "native_name", "email", "is_active", "last_login")
    list_filter = ("groups", "is_active", "is_superuser", "preferred_language")
    search_fields = ("username", "display_name", "native_name", "email")
    ordering = ("display_name",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Name"), {"fields": ("display_name", "native_name", "email")}),
        (
            _("Preferences"),
            {
                "fields": (
                    "preferred_language",
                    "time_zone",
                    "notify_in_app",
                    "notify_email",
                    "quiet_hours_start",
                    "quiet_hours_end",
                )
            },
        ),
        (
            _("Roles and access"),
            {"fields": ("is_active", "password_sign_in", "is_staff", "is_superuser", "groups")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "display_name", "email", "password1", "password2"),
            },
        ),
    )
