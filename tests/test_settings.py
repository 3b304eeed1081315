"""Settings come from the environment; production refuses to start when it is unsafe.

Each case starts a fresh interpreter, since settings are read once per process.
"""

import ast
import json
import subprocess
import sys

import pytest

from tests.environment import ROOT, clean_environment, production_env

# Each case's environment is its own, whatever database the suite runs on (.ci/run's PostgreSQL
# pass leaves these out).
pytestmark = pytest.mark.same_on_any_database

PRINT_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({name: str(getattr(settings, name, None)) for name in %r}))
"""


def run_django(code: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean_environment(**env),
        capture_output=True,
        text=True,
        timeout=60,
    )


def settings_of(names: list[str], **env: str) -> dict:
    result = run_django(PRINT_SETTINGS % (names,), **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_it_refuses_production_without_a_secret_key(tmp_path):
    env = production_env(tmp_path)
    del env["DJANGO_SECRET_KEY"]
    result = run_django("import django; django.setup()", **env)
    assert result.returncode != 0
    assert (
        "ImproperlyConfigured: DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=0" in result.stderr
    )


def test_it_refuses_production_without_allowed_hosts(tmp_path):
    env = production_env(tmp_path)
    del env["DJANGO_ALLOWED_HOSTS"]
    result = run_django("import django; django.setup()", **env)
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS must be set" in result.stderr


def test_it_refuses_a_misspelt_debug_flag(tmp_path):
    result = run_django("import django; django.setup()", DJANGO_DEBUG="flase")
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be one of" in result.stderr


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=clean_environment(**production_env(tmp_path)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr


def test_production_serves_hashed_static_files_behind_a_tls_proxy(tmp_path):
    values = settings_of(
        [
            "DEBUG",
            "STORAGES",
            "SECURE_PROXY_SSL_HEADER",
            "SECURE_SSL_REDIRECT",
            "SECURE_HSTS_SECONDS",
            "SESSION_COOKIE_SECURE",
            "CSRF_COOKIE_SECURE",
        ],
        **production_env(tmp_path),
    )
    assert values["DEBUG"] == "False"
    assert "whitenoise.storage.CompressedManifestStaticFilesStorage" in values["STORAGES"]
    assert values["SECURE_PROXY_SSL_HEADER"] == "('HTTP_X_FORWARDED_PROTO', 'https')"
    assert values["SECURE_SSL_REDIRECT"] == "True"
    assert int(values["SECURE_HSTS_SECONDS"]) >= 31536000
    assert values["SESSION_COOKIE_SECURE"] == values["CSRF_COOKIE_SECURE"] == "True"


def test_development_keeps_plain_static_files(tmp_path):
    values = settings_of(["DEBUG", "STORAGES"], DJANGO_VAR_DIR=str(tmp_path))
    assert values["DEBUG"] == "True"
    assert "CompressedManifest" not in values["STORAGES"]


def test_embedded_defaults_need_no_service(tmp_path):
    values = settings_of(
        [
            "DATABASES",
            "CELERY_BROKER_URL",
            "CELERY_BROKER_TRANSPORT_OPTIONS",
            "EMAIL_BACKEND",
            "EMAIL_FILE_PATH",
            "CACHES",
        ],
        DJANGO_VAR_DIR=str(tmp_path),
    )
    assert "'ENGINE': 'django.db.backends.sqlite3'" in values["DATABASES"]
    assert str(tmp_path / "db.sqlite3") in values["DATABASES"]
    assert values["CELERY_BROKER_URL"].startswith("filesystem://")
    assert str(tmp_path / "celery" / "queue") in values["CELERY_BROKER_TRANSPORT_OPTIONS"]
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend"
    assert values["EMAIL_FILE_PATH"] == str(tmp_path / "mail")
    assert "FileBasedCache" in values["CACHES"]
    assert (tmp_path / "celery" / "queue").is_dir()


def test_sqlite_lets_web_worker_and_beat_write_together(tmp_path):
    code = """
import json, django
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
    busy = cursor.execute("PRAGMA busy_timeout").fetchone()[0]
print(json.dumps({"mode": mode, "busy": busy, "tx": connection.transaction_mode}))
"""
    result = run_django(code, DJANGO_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"mode": "wal", "busy": 20000, "tx": "IMMEDIATE"}


def test_urls_switch_to_postgresql_and_redis_with_broker_and_cache_apart(tmp_path):
    values = settings_of(
        ["DATABASES", "CELERY_BROKER_URL", "CACHES", "EMAIL_BACKEND", "SESSION_ENGINE"],
        DATABASE_URL="postgres://tracker@db.internal:5432/tracker",
        REDIS_URL="redis://cache.internal:6379/2",
        DJANGO_VAR_DIR=str(tmp_path),
    )
    assert "db.internal" in values["DATABASES"]
    # Django's own backend.
    assert "'ENGINE': 'django.db.backends.postgresql'" in values["DATABASES"]
    assert values["CELERY_BROKER_URL"] == "redis://cache.internal:6379/2"
    assert "redis://cache.internal:6379/3" in values["CACHES"]
    assert values["SESSION_ENGINE"] == "django.contrib.sessions.backends.cached_db"
    # Nothing is kept on the web process's own disk.
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert list(tmp_path.iterdir()) == []


def test_an_email_url_sends_through_smtp(tmp_path):
    values = settings_of(
        ["EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_USE_TLS"],
        EMAIL_URL="smtp+tls://mailer:secret@mail.example.org:587",
        DJANGO_VAR_DIR=str(tmp_path),
    )
    assert values == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.example.org",
        "EMAIL_PORT": "587",
        "EMAIL_USE_TLS": "True",
    }


def test_it_refuses_a_database_it_has_no_backend_for(tmp_path):
    result = run_django(
        "import django; django.setup()",
        DATABASE_URL="mysql://tracker@db.internal:3306/tracker",
        DJANGO_VAR_DIR=str(tmp_path),
    )
    assert result.returncode != 0
    assert "DATABASE_URL: use PostgreSQL or SQLite" in result.stderr


@pytest.mark.parametrize("url", ["redis://cache.internal:6379/zero"])
def test_it_refuses_a_redis_url_without_a_database_number(tmp_path, url):
    result = run_django("import django; django.setup()", REDIS_URL=url)
    assert result.returncode != 0
    assert "REDIS_URL must end in a database number" in result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {
                "CELERY_TASK_TIME_LIMIT": "30",
                "CELERY_TASK_SOFT_TIME_LIMIT": "20",
                "NOTIFICATION_CLAIM_LEASE": "30",
            },
            "NOTIFICATION_CLAIM_LEASE must exceed CELERY_TASK_TIME_LIMIT",
        ),
        (
            {"CELERY_TASK_TIME_LIMIT": "30", "CELERY_TASK_SOFT_TIME_LIMIT": "30"},
            "CELERY_TASK_SOFT_TIME_LIMIT must be below CELERY_TASK_TIME_LIMIT",
        ),
        (
            {
                "REDIS_URL": "redis://127.0.0.1:6379/0",
                "CELERY_VISIBILITY_TIMEOUT": "20",
                "CELERY_TASK_TIME_LIMIT": "30",
                "CELERY_TASK_SOFT_TIME_LIMIT": "20",
            },
            "CELERY_VISIBILITY_TIMEOUT must exceed the task time limit",
        ),
    ],
    ids=["lease", "soft-limit", "visibility"],
)
def test_it_refuses_time_limits_that_would_send_twice(tmp_path, env, message):
    result = run_django("import django; django.setup()", DJANGO_VAR_DIR=str(tmp_path), **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_the_claim_lease_follows_the_time_limit_and_a_backend_can_be_named(tmp_path):
    values = settings_of(
        ["NOTIFICATION_CLAIM_LEASE", "EMAIL_BACKEND", "EMAIL_FILE_PATH"],
        CELERY_TASK_TIME_LIMIT="30",
        CELERY_TASK_SOFT_TIME_LIMIT="20",
        EMAIL_URL=f"filemail:///{tmp_path}/outbox",
        DJANGO_EMAIL_BACKEND="tests.notifications.held_mail.HeldFileBackend",
        DJANGO_VAR_DIR=str(tmp_path),
    )
    assert values == {
        "NOTIFICATION_CLAIM_LEASE": "90",
        "EMAIL_BACKEND": "tests.notifications.held_mail.HeldFileBackend",
        "EMAIL_FILE_PATH": f"{tmp_path}/outbox",
    }


def test_the_trusted_proxies_come_from_the_environment(tmp_path):
    names = ["TRUSTED_PROXY_COUNT", "AXES_LOCKOUT_PARAMETERS", "AXES_CLIENT_IP_CALLABLE"]
    assert settings_of(names, DJANGO_VAR_DIR=str(tmp_path)) == {
        "TRUSTED_PROXY_COUNT": "0",
        "AXES_LOCKOUT_PARAMETERS": "[['username', 'ip_address']]",
        "AXES_CLIENT_IP_CALLABLE": "accounts.throttle.client_address",
    }
    two = settings_of(names[:1], DJANGO_VAR_DIR=str(tmp_path), DJANGO_TRUSTED_PROXY_COUNT="2")
    assert two == {"TRUSTED_PROXY_COUNT": "2"}
    refused = run_django(
        "import django; django.setup()",
        DJANGO_VAR_DIR=str(tmp_path),
        DJANGO_TRUSTED_PROXY_COUNT="-1",
    )
    assert "DJANGO_TRUSTED_PROXY_COUNT: the number of proxies" in refused.stderr


def test_single_sign_on_providers_come_from_the_environment(tmp_path):
    values = settings_of(
        ["OIDC_PROVIDERS", "SECOND_FACTOR_ROLES"],
        **production_env(tmp_path),
        OIDC_PROVIDERS="agency,cnsa",
        OIDC_AGENCY_ISSUER="https://id.agency.example/",
        OIDC_AGENCY_CLIENT_ID="tracker",
        OIDC_AGENCY_CLIENT_SECRET="s1",
        OIDC_AGENCY_LABEL="PSA",
        OIDC_CNSA_ISSUER="https://sso.cnsa.example/realms/staff",
        OIDC_CNSA_CLIENT_ID="tracker",
        OIDC_CNSA_CLIENT_SECRET="s2",
        OIDC_CNSA_CLAIM="employee_id",
    )
    providers = ast.literal_eval(values["OIDC_PROVIDERS"])
    assert providers["agency"] == {
        "issuer": "https://id.agency.example",
        "client_id": "tracker",
        "client_secret": "s1",
        "label": "PSA",
        "claim": "email",
    }
    assert (providers["cnsa"]["claim"], providers["cnsa"]["label"]) == ("employee_id", "cnsa")
    # Production asks programme admins and medical officers for a second factor by default.
    assert values["SECOND_FACTOR_ROLES"] == "['programme_admin', 'medical_officer']"


def test_the_demo_asks_no_one_for_a_second_factor_unless_told(tmp_path):
    assert settings_of(["SECOND_FACTOR_ROLES"], DJANGO_VAR_DIR=str(tmp_path)) == {
        "SECOND_FACTOR_ROLES": "[]"
    }


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"OIDC_PROVIDERS": "agency"}, "OIDC_PROVIDERS names agency: set OIDC_AGENCY_ISSUER"),
        (
            {
                "OIDC_PROVIDERS": "agency",
                "OIDC_AGENCY_ISSUER": "http://id.agency.example",
                "OIDC_AGENCY_CLIENT_ID": "t",
                "OIDC_AGENCY_CLIENT_SECRET": "s",
            },
            "OIDC_AGENCY_ISSUER must be an https:// address in production",
        ),
        ({"DJANGO_SECOND_FACTOR_ROLES": "operator"}, "DJANGO_SECOND_FACTOR_ROLES: unknown"),
    ],
    ids=["incomplete", "plain-http", "unknown-role"],
)
def test_it_refuses_a_sign_in_setting_it_cannot_use(tmp_path, env, message):
    result = run_django("import django; django.setup()", **production_env(tmp_path), **env)
    assert result.returncode != 0
    assert message in result.stderr
