from django.urls import path

from . import views

app_name = "trainees"

urlpatterns = [
    path("trainee/", views.trainee_home, name="trainee_home"),
    path("trainer/", views.trainer_home, name="trainer_home"),
    path("medical/", views.medical_home, name="medical_home"),
]
