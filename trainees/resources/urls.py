from django.urls import path

from trainees.resources import views

urlpatterns = [
    path("resources/", views.resource_list, name="resource_list"),
    path("resources/new/", views.resource_add, name="resource_add"),
    path("resources/<int:pk>/", views.resource_detail, name="resource_detail"),
    path("resources/<int:pk>/edit/", views.resource_edit, name="resource_edit"),
    path("resources/<int:pk>/retire/", views.resource_retire, name="resource_retire"),
    path("resources/<int:pk>/unavailable/", views.unavailability_add, name="unavailability_add"),
    path(
        "resources/unavailable/<int:pk>/remove/",
        views.unavailability_remove,
        name="unavailability_remove",
    ),
    path("authorisations/", views.authorisation_list, name="authorisation_list"),
    path("authorisations/new/", views.authorisation_grant, name="authorisation_grant"),
    path(
        "authorisations/<int:pk>/withdraw/",
        views.authorisation_withdraw,
        name="authorisation_withdraw",
    ),
]
