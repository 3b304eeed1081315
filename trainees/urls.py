from django.urls import path

from . import cohort_views, history_views, medical_views, revision_move_views, views

app_name = "trainees"

urlpatterns = [
    path("trainee/", views.trainee_home, name="trainee_home"),
    path("trainee/my-records.json", views.my_records_download, name="my_records"),
    path("trainer/", views.trainer_home, name="trainer_home"),
    path("medical/", views.medical_home, name="medical_home"),
    path("medical/holds/<int:pk>/", views.hold_detail, name="hold_detail"),
    path("trainees/", views.trainee_list, name="trainee_list"),
    path("trainees/<int:pk>/", views.trainee_detail, name="trainee_detail"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    # Cohorts, trainees and the medical officer's pages (issue 9).
    path("cohorts/", cohort_views.cohort_list, name="cohort_list"),
    path("cohorts/add/", cohort_views.cohort_add, name="cohort_add"),
    path("cohorts/<int:pk>/", cohort_views.cohort_detail, name="cohort_detail"),
    path("cohorts/<int:pk>/edit/", cohort_views.cohort_edit, name="cohort_edit"),
    path("cohorts/<int:pk>/plan/", cohort_views.cohort_plan, name="cohort_plan"),
    path("cohorts/<int:pk>/trainers/", cohort_views.cohort_trainers, name="cohort_trainers"),
    path("cohorts/<int:pk>/close/", cohort_views.cohort_close_view, name="cohort_close"),
    path("cohorts/<int:pk>/trainees/add/", cohort_views.trainee_add_view, name="trainee_add"),
    path("cohorts/<int:pk>/trainees/import/", cohort_views.trainee_import, name="trainee_import"),
    path("trainees/<int:pk>/status/", cohort_views.trainee_status, name="trainee_status"),
    path("trainees/<int:pk>/medical/", medical_views.medical_record, name="medical_record"),
    path("trainees/<int:pk>/medical/hold/", medical_views.hold_open, name="hold_open"),
    path(
        "trainees/<int:pk>/medical/certificate/",
        medical_views.certificate_add,
        name="certificate_add",
    ),
    path("medical/holds/<int:pk>/close/", medical_views.hold_close, name="hold_close"),
    # Issue 6: moving a cohort to a newer revision.
    path("cohorts/<int:pk>/revision/", revision_move_views.cohort_revision, name="cohort_revision"),
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
# A record's history, for programme admins (issue 10) ------------------------------------------
urlpatterns += [
    path(
        f"history/{kind}/<int:pk>/",
        history_views.record_history_page,
        {"kind": kind},
        name=f"{kind}_history",
    )
    for kind in history_views.KINDS
]
