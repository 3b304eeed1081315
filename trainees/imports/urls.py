from django.urls import path

from trainees.imports import views

urlpatterns = [
    path("cohorts/<int:pk>/past/import/", views.past_import_view, name="past_import"),
]
