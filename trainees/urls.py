from django.urls import path

from . import cohort_views, views

app_name = "trainees"

urlpatterns = [
    path("trainee/", views.trainee_home, name="trainee_home"),
    path("trainer/", views.trainer_home, name="trainer_home"),
    path("medical/", views.medical_home, name="medical_home"),
    path("medical/holds/<int:pk>/", views.hold_detail, name="hold_detail"),
    path("trainees/", views.trainee_list, name="trainee_list"),
    path("trainees/<int:pk>/", views.trainee_detail, name="trainee_detail"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    # Issue 6: moving a cohort to a newer revision.
    path("cohorts/<int:pk>/revision/", cohort_views.cohort_revision, name="cohort_revision"),
]

# Sessions: scheduling and logging ------------------------------------------------------------

urlpatterns += [
    path("trainer/sessions/", views.session_list, name="session_list"),
    path("trainer/sessions/week/", views.session_week, name="session_week"),
    path("cohorts/<int:pk>/sessions/new/", views.session_schedule, name="session_schedule"),
    path("sessions/<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("sessions/<int:pk>/cancel/", views.session_cancel, name="session_cancel"),
    path("sessions/<int:pk>/log/", views.session_log, name="session_log"),
    path("sessions/<int:pk>/log/draft/", views.session_log_draft, name="session_log_draft"),
]

# Assessments: attempts, allowances, sign-off, amendments --------------------------------------

from . import assessment_views  # noqa: E402 -- this section's own import, kept with its URLs

urlpatterns += [
    path(
        "trainees/<int:pk>/attempts/new/",
        assessment_views.attempt_record,
        name="attempt_record",
    ),
    path(
        "trainees/<int:pk>/allowances/new/",
        assessment_views.allowance_grant,
        name="allowance_grant",
    ),
    path("results/<int:pk>/", assessment_views.result_detail, name="result_detail"),
    path("results/<int:pk>/sign/", assessment_views.result_sign, name="result_sign"),
    path("results/<int:pk>/amend/", assessment_views.result_amend, name="result_amend"),
    path(
        "results/<int:pk>/acknowledge/",
        assessment_views.result_acknowledge,
        name="result_acknowledge",
    ),
]

# Progress: the cohort board and the transcript (issue 5) --------------------------------------

from . import progress_views  # noqa: E402 -- this section's own import, kept with its URLs

urlpatterns += [
    path("cohorts/<int:pk>/board/", progress_views.cohort_board_page, name="cohort_board"),
    path("cohorts/<int:pk>/board.csv", progress_views.cohort_board_csv, name="cohort_board_csv"),
    path("trainees/<int:pk>/transcript/", progress_views.transcript, name="transcript"),
    path("trainees/<int:pk>/transcript.pdf", progress_views.transcript_pdf, name="transcript_pdf"),
]
