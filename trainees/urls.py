from django.urls import path

from . import cohort_views, medical_views, views

app_name = "trainees"

urlpatterns = [
    path("trainee/", views.trainee_home, name="trainee_home"),
    path("trainer/", views.trainer_home, name="trainer_home"),
    path("medical/", views.medical_home, name="medical_home"),
    path("medical/holds/<int:pk>/", views.hold_detail, name="hold_detail"),
    path("trainees/", views.trainee_list, name="trainee_list"),
    path("trainees/<int:pk>/", views.trainee_detail, name="trainee_detail"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    # Cohorts, trainees and the medical officer's pages (issue 9).
    path("cohorts/", cohort_views.cohort_list, name="cohort_list"),
    path("cohorts/add/", cohort_views.cohort_add, name="cohort_add"),
    path("cohorts/<int:pk>/", cohort_views.cohort_detail, name="cohort_detail"),
    path("cohorts/<int:pk>/edit/", cohort_views.cohort_edit, name="cohort_edit"),
    path("cohorts/<int:pk>/plan/", cohort_views.cohort_plan, name="cohort_plan"),
    path("cohorts/<int:pk>/trainers/", cohort_views.cohort_trainers, name="cohort_trainers"),
    path("cohorts/<int:pk>/close/", cohort_views.cohort_close_view, name="cohort_close"),
    path("cohorts/<int:pk>/trainees/add/", cohort_views.trainee_add_view, name="trainee_add"),
    path("cohorts/<int:pk>/trainees/import/", cohort_views.trainee_import, name="trainee_import"),
    path("trainees/<int:pk>/status/", cohort_views.trainee_status, name="trainee_status"),
    path("trainees/<int:pk>/medical/", medical_views.medical_record, name="medical_record"),
    path("trainees/<int:pk>/medical/hold/", medical_views.hold_open, name="hold_open"),
    path(
        "trainees/<int:pk>/medical/certificate/",
        medical_views.certificate_add,
        name="certificate_add",
    ),
    path("medical/holds/<int:pk>/close/", medical_views.hold_close, name="hold_close"),
]
