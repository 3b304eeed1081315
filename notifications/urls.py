from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("<int:pk>/open/", views.notification_open, name="open"),
    path("read-all/", views.notifications_read_all, name="read_all"),
    path("reminders/", views.reminder_settings, name="reminder_settings"),
    path("jobs/", views.jobs, name="jobs"),
    path("calendar/new/", views.calendar_token_new, name="calendar_token_new"),
    path("calendar/revoke/", views.calendar_token_revoke, name="calendar_token_revoke"),
]
