from django.urls import path

from trainees.progress import views

urlpatterns = [
    path("trainee/", views.trainee_home, name="trainee_home"),
    path("trainees/<int:pk>/", views.trainee_detail, name="trainee_detail"),
    path("cohorts/<int:pk>/board/", views.cohort_board_page, name="cohort_board"),
    path("cohorts/<int:pk>/board.csv", views.cohort_board_csv, name="cohort_board_csv"),
    path("trainees/<int:pk>/transcript/", views.transcript, name="transcript"),
    path("trainees/<int:pk>/transcript.pdf", views.transcript_pdf, name="transcript_pdf"),
]
