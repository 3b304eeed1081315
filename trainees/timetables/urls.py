from django.urls import path

from trainees.timetables import views

urlpatterns = [
    path("timetable/", views.my_timetable, name="my_timetable"),
    path("cohorts/<int:pk>/timetable/", views.cohort_timetable, name="cohort_timetable"),
    path("trainees/<int:pk>/timetable/", views.trainee_timetable, name="trainee_timetable"),
    path("trainers/<int:pk>/timetable/", views.trainer_timetable, name="trainer_timetable"),
    path("resources/<int:pk>/timetable/", views.resource_timetable, name="resource_timetable"),
]
