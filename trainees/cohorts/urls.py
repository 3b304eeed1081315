from django.urls import path

from trainees.cohorts import views

urlpatterns = [
    path("trainees/", views.trainee_list, name="trainee_list"),
    path("cohorts/", views.cohort_list, name="cohort_list"),
    path("cohorts/add/", views.cohort_add, name="cohort_add"),
    path("cohorts/<int:pk>/", views.cohort_detail, name="cohort_detail"),
    path("cohorts/<int:pk>/edit/", views.cohort_edit, name="cohort_edit"),
    path("cohorts/<int:pk>/plan/", views.cohort_plan, name="cohort_plan"),
    path("cohorts/<int:pk>/trainers/", views.cohort_trainers, name="cohort_trainers"),
    path("cohorts/<int:pk>/close/", views.cohort_close_view, name="cohort_close"),
    path("cohorts/<int:pk>/revision/", views.cohort_revision, name="cohort_revision"),
    path("cohorts/<int:pk>/trainees/add/", views.trainee_add_view, name="trainee_add"),
    path("cohorts/<int:pk>/trainees/import/", views.trainee_import_view, name="trainee_import"),
    path("trainees/<int:pk>/status/", views.trainee_status, name="trainee_status"),
]
