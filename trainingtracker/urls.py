from django.contrib import admin
from django.urls import include, path, register_converter

from accounts import views as account_views
from notifications import views as notification_views

from . import inputs, views

register_converter(inputs.TokenConverter, "token")

urlpatterns = [
    path("", account_views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("healthz/live", views.liveness, name="liveness"),
    path("i18n/setlang/", account_views.language_switch, name="set_language"),
    path("accounts/", include("accounts.urls")),
    path("programme/", include("curriculum.urls")),
    path("", include("trainees.urls")),
    path("notifications/", include("notifications.urls")),
    # The personal calendar feed: open without signing in, to the holder of its secret token.
    path("calendar/<token:token>.ics", notification_views.calendar_feed, name="calendar_feed"),
    # A resource's bookings, under the same token (for those who may read the resource).
    path(
        "calendar/<token:token>/resources/<int:pk>.ics",
        notification_views.resource_calendar_feed,
        name="resource_calendar_feed",
    ),
    path("reports/", include("reports.urls")),
    path("api/", include("api.urls")),
    path("admin/", admin.site.urls),
]
