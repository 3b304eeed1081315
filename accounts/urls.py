from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import forms, people_views, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(
            form_class=forms.PasswordChangeForm,
            success_url=reverse_lazy("accounts:password_change_done"),
        ),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "password/reset/",
        views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordSetView.as_view(
            form_class=forms.SetPasswordForm,
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    # Single sign-on and two-factor sign-in.
    path("sso/<str:provider>/start/", views.oidc_start, name="oidc_start"),
    path("sso/<str:provider>/confirm/", views.oidc_confirm, name="oidc_confirm"),
    path("sso/<str:provider>/callback/", views.oidc_callback, name="oidc_callback"),
    path("two-factor/", views.second_factor_page, name="second_factor"),
    path("two-factor/set-up/", views.second_factor_setup, name="second_factor_setup"),
    path("two-factor/code/", views.second_factor_verify, name="second_factor_verify"),
    # People and profiles.
    path("profile/", people_views.profile, name="profile"),
    path("people/", people_views.people, name="people"),
    path("people/add/", people_views.person_add, name="person_add"),
    path("people/lockouts/", people_views.lockouts, name="lockouts"),
    path("people/<int:pk>/", people_views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", people_views.person_edit, name="person_edit"),
    path("people/<int:pk>/roles/", people_views.person_roles, name="person_roles"),
    path("people/<int:pk>/deactivate/", people_views.person_deactivate, name="person_deactivate"),
    path("people/<int:pk>/reactivate/", people_views.person_reactivate, name="person_reactivate"),
    path("people/<int:pk>/invite/", people_views.person_invite, name="person_invite"),
    path(
        "people/<int:pk>/two-factor-reset/",
        people_views.person_second_factor_reset,
        name="person_second_factor_reset",
    ),
]
