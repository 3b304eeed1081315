from django.contrib.auth.decorators import login_not_required
from django.urls import path, re_path
from django.views.decorators.cache import never_cache
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import AllowAny

from api import token_views, views

app_name = "api"


def endpoint(view_class):
    """An API view: DRF's token authentication decides who it is, not the sign-in page; no
    answer is kept by a cache (each carries someone's records, or a refusal)."""
    return login_not_required(never_cache(view_class.as_view()))


schema = SpectacularAPIView.as_view(
    authentication_classes=[], permission_classes=[AllowAny], throttle_classes=[]
)

urlpatterns = [
    path("v1/trainees/", endpoint(views.TraineeList), name="trainee_list"),
    path("v1/trainees/<int:pk>/", endpoint(views.TraineeDetail), name="trainee_detail"),
    path(
        "v1/trainees/<int:pk>/progress/", endpoint(views.TraineeProgress), name="trainee_progress"
    ),
    path("v1/trainees/<int:pk>/attempts/", endpoint(views.AttemptRecord), name="attempt_record"),
    path("v1/cohorts/", endpoint(views.CohortList), name="cohort_list"),
    path("v1/cohorts/<int:pk>/", endpoint(views.CohortDetail), name="cohort_detail"),
    path("v1/cohorts/<int:pk>/progress/", endpoint(views.CohortProgress), name="cohort_progress"),
    path("v1/cohorts/<int:pk>/sessions/", endpoint(views.SessionSchedule), name="session_schedule"),
    path("v1/sessions/", endpoint(views.SessionList), name="session_list"),
    path("v1/sessions/<int:pk>/", endpoint(views.SessionDetail), name="session_detail"),
    path("v1/sessions/<int:pk>/log/", endpoint(views.SessionLog), name="session_log"),
    path("v1/sessions/<int:pk>/absence/", endpoint(views.SessionAbsence), name="session_absence"),
    path("v1/attendances/", endpoint(views.AttendanceList), name="attendance_list"),
    path("v1/results/", endpoint(views.ResultList), name="result_list"),
    path("v1/results/<int:pk>/", endpoint(views.ResultDetail), name="result_detail"),
    path("v1/qualifications/", endpoint(views.GrantList), name="grant_list"),
    path("v1/medical-holds/", endpoint(views.HoldList), name="hold_list"),
    path("v1/modules/", endpoint(views.ModuleList), name="module_list"),
    path("v1/modules/<int:pk>/", endpoint(views.ModuleDetail), name="module_detail"),
    path("v1/resources/", endpoint(views.ResourceList), name="resource_list"),
    path("v1/resources/<int:pk>/", endpoint(views.ResourceDetail), name="resource_detail"),
    path(
        "v1/resources/<int:pk>/unavailable/",
        endpoint(views.ResourceUnavailable),
        name="resource_unavailable",
    ),
    # The schema and its documentation page are open: they describe no one's records.
    path("v1/schema/", login_not_required(never_cache(schema)), name="schema"),
    path("v1/docs/", login_not_required(token_views.api_docs), name="docs"),
    # Whatever else is asked under v1/, a problem document rather than the site's 404 page.
    re_path(r"^v1/", endpoint(views.NotFound), name="not_found"),
    # Signed-in pages: a person's tokens.
    path("tokens/", token_views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", token_views.token_revoke, name="token_revoke"),
]
