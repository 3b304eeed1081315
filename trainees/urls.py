"""The training records' pages, one list of URLs per area, all in the `trainees:` namespace."""

from django.urls import include, path

app_name = "trainees"

AREAS = (
    "cohorts",
    "sessions",
    "assessments",
    "medical",
    "progress",
    "records",
    "resources",
    "imports",
    "timetables",
    "absences",
)

urlpatterns = [path("", include(f"trainees.{area}.urls")) for area in AREAS]
