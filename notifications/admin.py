"""Operators read notifications, deliveries, tokens and job runs here (to see a failed delivery
and its error); nothing is edited by hand: delivery state belongs to the claim protocol."""

from django.contrib import admin

from .models import CalendarToken, Delivery, JobRun, Notification, ReminderSettings


class _ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    can_delete = False
    fields = ("channel", "status", "not_before", "claimed_at", "attempts", "sent_at", "last_error")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(_ReadOnlyAdmin):
    list_display = ("key", "kind", "recipient", "created_at", "shown_at", "read_at")
    list_filter = ("kind",)
    list_select_related = ("recipient",)
    search_fields = ("key", "recipient__username")
    inlines = [DeliveryInline]


@admin.register(Delivery)
class DeliveryAdmin(_ReadOnlyAdmin):
    list_display = ("key", "channel", "status", "not_before", "attempts", "sent_at")
    list_filter = ("status", "channel")
    search_fields = ("key",)


@admin.register(JobRun)
class JobRunAdmin(_ReadOnlyAdmin):
    list_display = ("job", "started_at", "finished_at", "outcome")
    list_filter = ("job", "outcome")


@admin.register(CalendarToken)
class CalendarTokenAdmin(_ReadOnlyAdmin):
    list_display = ("user", "created_at", "revoked_at")
    list_select_related = ("user",)
    exclude = ("token",)  # the secret is its owner's; an operator revokes, never copies it


@admin.register(ReminderSettings)
class ReminderSettingsAdmin(_ReadOnlyAdmin):
    list_display = ("__str__", "session_hours", "qualification_days", "updated_at")
