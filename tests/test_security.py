"""Headers, the anonymous surface, inline code, and the operators-only admin site."""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import PASSWORD

# Headers, sign-in walls and CSRF are the middleware's and the views' decorators', whatever
# the database: .ci/run's PostgreSQL pass leaves these out.
pytestmark = pytest.mark.same_on_any_database

# The only views anonymous people may open; every other URL sends them to sign in (the admin
# site by way of its login URL, which hands them on to the same sign-in page).
ANONYMOUS_ALLOWED = {
    "healthz",
    "liveness",
    "set_language",
    "accounts:login",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
    # Single sign-on: starting a round trip (a POST) and coming back from the provider.
    "accounts:oidc_start",
    "accounts:oidc_callback",
    # The second step of a password sign-in, for whoever passed the first (else to sign in).
    "accounts:second_factor_verify",
    "accounts:second_factor_setup",
    # The personal calendar feed: its secret token is the only way in.
    "calendar_feed",
    "resource_calendar_feed",
    # The API's schema and documentation page describe no one's records.
    "api:schema",
    "api:docs",
}
# The API's endpoints answer for themselves: 401 without a token, never a sign-in page.
API_PAGES = {"api:tokens", "api:token_revoke"}


def api_endpoint(name: str) -> bool:
    return name.startswith("api:") and name not in API_PAGES | ANONYMOUS_ALLOWED


SIGN_IN_PAGES = ("/accounts/login/?next=", "/admin/login/?next=")


def walk(patterns, prefix="", namespace=""):
    """Every URL pattern of the project as (route, full name)."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or ""
            full_ns = f"{namespace}:{ns}".strip(":") if ns else namespace
            yield from walk(pattern.url_patterns, route, full_ns)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}".strip(":") if pattern.name else route
            yield route, name


def concrete(route):
    """A URL for a route, with made-up values for its parameters."""
    route = route.lstrip("^").rstrip("$").replace("\\Z", "").replace("\\/", "/").replace("/^", "/")
    route = re.sub(r"<int:\w+>|<path:\w+>|<str:\w+>|<\w+>|\(\?P<\w+>[^)]*\)", "1", route)
    return "/" + route


ALL_PATTERNS = list(walk(get_resolver().url_patterns))


def test_the_walk_finds_the_project_urls():
    names = {name for _, name in ALL_PATTERNS}
    assert {"home", "healthz", "trainees:trainer_home", "admin:index"} <= names
    assert names >= ANONYMOUS_ALLOWED


@pytest.mark.parametrize(("route", "name"), ALL_PATTERNS, ids=[n for _, n in ALL_PATTERNS])
def test_anonymous_people_reach_only_the_public_pages(client, db, route, name):
    response = client.get(concrete(route))
    if api_endpoint(name):
        assert response.status_code in {401, 404}, (name, response.status_code)
        assert response["Content-Type"] == "application/problem+json", name
    elif name in ANONYMOUS_ALLOWED:
        assert response.status_code in {200, 302, 404, 405}, (name, response.status_code)
        if response.status_code == 302:
            assert not response["Location"].startswith(SIGN_IN_PAGES), name
    else:
        assert response.status_code == 302, (name, response.status_code)
        assert response["Location"].startswith(SIGN_IN_PAGES), name


def test_static_files_are_served_to_anonymous_people(client, db):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200


@pytest.fixture
def pages(personas):
    """Each landing page as its own persona sees it, and the sign-in page."""
    result = {"login": Client().get("/accounts/login/")}
    for persona, url in [
        ("trainee", "trainees:trainee_home"),
        ("trainer", "trainees:trainer_home"),
        ("medic", "trainees:medical_home"),
        ("programme_admin", "curriculum:home"),
    ]:
        client = Client()
        client.force_login(personas[persona])
        result[persona] = client.get(reverse(url))
    return result


def test_every_page_carries_the_security_headers(pages):
    for name, response in pages.items():
        assert response.status_code == 200, name
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp, name
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, name
        assert "frame-ancestors 'none'" in csp, name
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert "camera=()" in response["Permissions-Policy"]


def test_no_page_has_inline_script_or_style(pages):
    for name, response in pages.items():
        html = response.content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), name
        assert not re.search(r"\sstyle=", html), name
        assert "<style" not in html, name
        assert not re.search(r"\son[a-z]+=", html), name


def test_the_csrf_cookie_is_out_of_reach_of_scripts(pages):
    cookie = pages["login"].cookies["csrftoken"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_the_django_admin_is_for_operators_only(client, programme_admin, operator):
    programme_admin.is_staff = True
    programme_admin.save()
    client.force_login(programme_admin)
    assert client.get("/admin/", follow=True).status_code == 403
    client.force_login(operator)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 200
    history = client.get(f"/admin/accounts/user/{programme_admin.pk}/history/")
    assert history.status_code == 200


def test_operators_sign_in_on_the_products_own_page(client, operator):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/?next=/admin/"
    signed_in = client.post(
        "/accounts/login/?next=/admin/", {"username": "ops", "password": PASSWORD}, follow=True
    )
    assert signed_in.redirect_chain[-1][0] == "/admin/"
    assert signed_in.status_code == 200
