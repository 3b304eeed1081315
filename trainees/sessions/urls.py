from django.urls import path

from trainees.sessions import series_views, views

urlpatterns = [
    path("trainer/", views.trainer_home, name="trainer_home"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("trainer/sessions/", views.session_list, name="session_list"),
    path("trainer/sessions/week/", views.session_week, name="session_week"),
    path("cohorts/<int:pk>/sessions/new/", views.session_schedule, name="session_schedule"),
    path("cohorts/<int:pk>/series/new/", series_views.series_schedule, name="series_schedule"),
    path("series/<int:pk>/", series_views.series_detail, name="series_detail"),
    path("series/<int:pk>/cancel/", series_views.series_cancel, name="series_cancel"),
    path("series/<int:pk>/move/", series_views.series_move, name="series_move"),
    path("sessions/<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("sessions/<int:pk>/cancel/", views.session_cancel, name="session_cancel"),
    path("sessions/<int:pk>/log/", views.session_log, name="session_log"),
    path("sessions/<int:pk>/log/draft/", views.session_log_draft, name="session_log_draft"),
]
