from django.urls import path

from . import views

app_name = "curriculum"

urlpatterns = [
    path("", views.home, name="home"),
]
