from django.urls import path

from trainees.absences import views

urlpatterns = [
    path("sessions/<int:pk>/absence/", views.absence_notice, name="absence_notice"),
    path(
        "sessions/<int:pk>/absence/withdraw/",
        views.absence_notice_withdraw,
        name="absence_notice_withdraw",
    ),
]
