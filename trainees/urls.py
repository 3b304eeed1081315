from django.urls import path

from . import cohort_views, views

app_name = "trainees"

urlpatterns = [
    path("trainee/", views.trainee_home, name="trainee_home"),
    path("trainer/", views.trainer_home, name="trainer_home"),
    path("medical/", views.medical_home, name="medical_home"),
    path("medical/holds/<int:pk>/", views.hold_detail, name="hold_detail"),
    path("trainees/", views.trainee_list, name="trainee_list"),
    path("trainees/<int:pk>/", views.trainee_detail, name="trainee_detail"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    # Issue 6: moving a cohort to a newer revision.
    path("cohorts/<int:pk>/revision/", cohort_views.cohort_revision, name="cohort_revision"),
]
