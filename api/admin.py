from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from api.models import AccessToken
from api.services import access_token_revoke


@admin.register(AccessToken)
class AccessTokenAdmin(admin.ModelAdmin):
    """Operators see every token and revoke them; tokens are made by their people alone, and
    only their digests are here."""

    list_display = ["name", "user", "scope", "prefix", "expires_at", "revoked_at", "last_used_at"]
    list_filter = ["scope", "revoked_at"]
    search_fields = ["name", "prefix", "user__username", "user__display_name"]
    readonly_fields = [f.name for f in AccessToken._meta.fields]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Revoke the chosen tokens"))
    def revoke(self, request, queryset):
        for token in queryset.filter(revoked_at__isnull=True):
            access_token_revoke(token=token, by=request.user)
        messages.success(request, _("The chosen tokens no longer work."))
