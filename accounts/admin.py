from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import User


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
        (_("Roles and access"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
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
