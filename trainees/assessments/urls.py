from django.urls import path

from trainees.assessments import views

urlpatterns = [
    path("trainees/<int:pk>/attempts/new/", views.attempt_record, name="attempt_record"),
    path("trainees/<int:pk>/allowances/new/", views.allowance_grant, name="allowance_grant"),
    path("results/<int:pk>/", views.result_detail, name="result_detail"),
    path("results/<int:pk>/sign/", views.result_sign, name="result_sign"),
    path("results/<int:pk>/amend/", views.result_amend, name="result_amend"),
    path("results/<int:pk>/acknowledge/", views.result_acknowledge, name="result_acknowledge"),
]
