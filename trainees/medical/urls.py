from django.urls import path

from trainees.medical import views

urlpatterns = [
    path("medical/", views.medical_home, name="medical_home"),
    path("medical/holds/<int:pk>/", views.hold_detail, name="hold_detail"),
    path("medical/holds/<int:pk>/close/", views.hold_close, name="hold_close"),
    path("trainees/<int:pk>/medical/", views.medical_record, name="medical_record"),
    path("trainees/<int:pk>/medical/hold/", views.hold_open, name="hold_open"),
    path("trainees/<int:pk>/medical/certificate/", views.certificate_add, name="certificate_add"),
]
