from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("cohorts/<int:pk>/send/", views.report_now, name="report_now"),
    path("jobs/<int:pk>/", views.job_detail, name="job_detail"),
    path("schedule/", views.schedule_edit, name="schedule"),
]
