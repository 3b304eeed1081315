from django.contrib import admin

from .models import ReportJob, ReportSend


@admin.register(ReportSend)
class ReportSendAdmin(admin.ModelAdmin):
    """What was sent to whom: read-only, for operators looking into a missing report."""

    list_display = ("key", "kind", "reader", "claimed_at", "sent_at")
    list_filter = ("kind",)
    search_fields = ("key", "reader__username")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ReportJob)
class ReportJobAdmin(admin.ModelAdmin):
    list_display = ("cohort", "requested_by", "state", "done", "total", "created_at")
    list_filter = ("state",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
