from django.urls import path

from . import views

app_name = "curriculum"

urlpatterns = [
    path("", views.home, name="home"),
    path("modules/<int:pk>/", views.module_detail, name="module_detail"),
]
