"""Settings for the astronaut training tracker, read from the environment.

With no environment at all the project runs embedded: SQLite, a file-system Celery broker and an
e-mail outbox, all under var/. DATABASE_URL and REDIS_URL switch to PostgreSQL and Redis.
DJANGO_DEBUG=0 is production and refuses to start without a secret key and allowed hosts.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env is a convenience for developers; the real environment always wins.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _env_bool(name: str, default: bool) -> bool:
    """Read a boolean strictly: a typo must not silently turn production into debug or back."""
    raw = env.str(name, default="")
    if raw == "":
        return default
    if raw.lower() in _TRUE:
        return True
    if raw.lower() in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}."
    )


def _redis_db_url(url: str, offset: int) -> str:
    """The same Redis server as `url`, `offset` databases further on (broker and cache apart)."""
    parts = urlsplit(url)
    path = parts.path.strip("/")
    try:
        db = int(path or 0)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"REDIS_URL must end in a database number; got {url!r}."
        ) from exc
    return urlunsplit(parts._replace(path=f"/{db + offset}"))


DEBUG = _env_bool("DJANGO_DEBUG", default=True)
VAR_DIR = Path(env.str("DJANGO_VAR_DIR", default=str(BASE_DIR / "var")))

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
if DEBUG:
    # A development-only key: never used once DJANGO_DEBUG=0.
    SECRET_KEY = SECRET_KEY or "django-insecure-development-only-key-never-used-in-production"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]", "testserver"]
else:
    if not SECRET_KEY:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=0 (production). Generate one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG=0 (production): a comma-separated "
            "list of the host names this site answers to, e.g. tracker.example.org."
        )
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "trainingtracker.apps.OperatorAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "simple_history",
    "axes",
    "csp",
    "django_celery_beat",
    # Two-factor sign-in: TOTP devices and recovery codes (accounts/second_factor.py).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "rest_framework",
    "drf_spectacular",
    # The API documentation page's Swagger UI files, served as static files (no CDN).
    "drf_spectacular_sidecar",
    # Ours after Django's: accounts replaces a signal receiver that django.contrib.auth connects.
    # Templates overriding the libraries' live in templates/, which is searched first.
    "accounts",
    "curriculum",
    "trainees",
    "notifications",
    "reports",
    "api",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every view needs a signed-in user unless it is marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "accounts.middleware.UserPreferencesMiddleware",
    # Nothing a signed-in person is shown is kept by a browser or proxy cache.
    "accounts.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Each request keeps the curriculum translations it loads, once per revision shown.
    "curriculum.middleware.CurriculumTextsMiddleware",
    # Last, as django-axes asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "trainingtracker.urls"
WSGI_APPLICATION = "trainingtracker.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
                "notifications.context_processors.bell",
            ],
            # Template tags that belong to no app: a part of a page cached under versions.
            "libraries": {"fragments": "trainingtracker.fragments"},
            # Curriculum texts in the reader's language and names in the page's script, in
            # every template (curriculum/texts.py, accounts/templatetags/people.py).
            "builtins": [
                "curriculum.templatetags.curriculum_text",
                "accounts.templatetags.people",
            ],
        },
    },
]

# --- Data ---------------------------------------------------------------------------------------

if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db_url("DATABASE_URL")}
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            "OPTIONS": {
                # Web, worker and beat write to one file: WAL lets readers go on while one
                # writes, IMMEDIATE takes the write lock at BEGIN (no upgrade deadlock), and the
                # timeout makes a second writer wait instead of failing with "database is locked".
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
if DATABASES["default"]["ENGINE"] not in (
    "django.db.backends.postgresql",
    "django.db.backends.sqlite3",
):
    raise ImproperlyConfigured(
        f"DATABASE_URL: use PostgreSQL or SQLite, not {DATABASES['default']['ENGINE']}."
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env.str("CACHE_URL", default=_redis_db_url(REDIS_URL, 1)),
            "KEY_PREFIX": "tt",
        }
    }
    # Sign-in sessions read from Redis, written through to the database (which keeps them
    # should Redis restart empty): one query fewer on every page.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {
            # Shared by the web, worker and beat processes of one machine.
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": VAR_DIR / "cache",
        }
    }

# --- Accounts and sign-in -----------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first, so a locked-out account is refused before its password is checked.
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.RoleBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = env.int("DJANGO_PASSWORD_RESET_SECONDS", default=60 * 60 * 24)
# How many links to set a password again one address, and one client, may ask for in a window
# (accounts/views.py): enough for a lost e-mail or two, not for filling someone's mailbox.
PASSWORD_RESET_LIMIT_PER_ADDRESS = env.int("DJANGO_PASSWORD_RESET_PER_ADDRESS", default=3)
PASSWORD_RESET_LIMIT_PER_CLIENT = env.int("DJANGO_PASSWORD_RESET_PER_CLIENT", default=10)
PASSWORD_RESET_LIMIT_WINDOW = 60 * 60

# A training day on the floor; after that the trainer signs in again.
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_SECONDS", default=60 * 60 * 10)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True  # htmx reads the token from the page, never from the cookie
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "accounts.views.csrf_failure"

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# A lock-out holds for one user name from one client together: a stranger's wrong passwords lock
# the stranger's client out of that account, never its owner elsewhere, and one person's typos
# never lock out the others behind a training floor's shared address.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "accounts.audit.username_typed"
# The client's address: the connection's, or, behind DJANGO_TRUSTED_PROXY_COUNT proxies, the one
# the outermost of them wrote into X-Forwarded-For (accounts/throttle.py; what a client writes
# there itself is ignored).
TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("DJANGO_TRUSTED_PROXY_COUNT: the number of proxies, 0 or more.")
AXES_CLIENT_IP_CALLABLE = "accounts.throttle.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_VERBOSE = False

# Single sign-on by OpenID Connect (accounts/single_sign_on.py, docs/sign-in.md). OIDC_PROVIDERS
# names the providers, e.g. "agency"; each is read from OIDC_<NAME>_ISSUER (its discovery document
# is ISSUER/.well-known/openid-configuration), _CLIENT_ID, _CLIENT_SECRET, _LABEL (the button's
# name) and _CLAIM: "email" (the default) matches a person by a verified e-mail address, any
# other claim matches its value to a user name. Roles are never read from the provider.
OIDC_PROVIDERS = {}
for _key in env.list("OIDC_PROVIDERS", default=[]):
    if not _key.isidentifier() or len(_key) > 30:
        raise ImproperlyConfigured(f"OIDC_PROVIDERS: {_key!r} is not a name of letters and digits.")
    _prefix = f"OIDC_{_key.upper()}_"
    _missing = [
        _prefix + part
        for part in ("ISSUER", "CLIENT_ID", "CLIENT_SECRET")
        if not env.str(_prefix + part, default="")
    ]
    if _missing:
        raise ImproperlyConfigured(f"OIDC_PROVIDERS names {_key}: set {', '.join(_missing)}.")
    _issuer = env.str(_prefix + "ISSUER").rstrip("/")
    if not DEBUG and not _issuer.startswith("https://"):
        raise ImproperlyConfigured(f"{_prefix}ISSUER must be an https:// address in production.")
    OIDC_PROVIDERS[_key.lower()] = {
        "issuer": _issuer,
        "client_id": env.str(_prefix + "CLIENT_ID"),
        "client_secret": env.str(_prefix + "CLIENT_SECRET"),
        "label": env.str(_prefix + "LABEL", default=_key),
        "claim": env.str(_prefix + "CLAIM", default="email"),
    }
# A round trip to the provider must come back within this many seconds; a confirmation at the
# provider signs for this long afterwards (one signature, on the page it was asked for).
OIDC_ROUND_TRIP_SECONDS = env.int("OIDC_ROUND_TRIP_SECONDS", default=600)
OIDC_CONFIRMATION_SECONDS = env.int("OIDC_CONFIRMATION_SECONDS", default=300)
OIDC_TIMEOUT_SECONDS = env.int("OIDC_TIMEOUT_SECONDS", default=10)

# Two-factor sign-in for password sign-in: the roles that must have it (a time-based code from an
# app, or a recovery code). Production requires it of programme admins and medical officers by
# default; with DJANGO_DEBUG=1 (the demo) nobody must, so the demo's people sign in with a
# password alone. Anyone may set it up on their profile.
SECOND_FACTOR_ROLES = env.list(
    "DJANGO_SECOND_FACTOR_ROLES",
    default=[] if DEBUG else ["programme_admin", "medical_officer"],
)
_unknown_roles = set(SECOND_FACTOR_ROLES) - {
    "programme_admin",
    "medical_officer",
    "trainer",
    "trainee",
}
if _unknown_roles:
    raise ImproperlyConfigured(f"DJANGO_SECOND_FACTOR_ROLES: unknown {sorted(_unknown_roles)}.")
# The issuer shown in the authenticator app beside the code.
OTP_TOTP_ISSUER = env.str("DJANGO_OTP_ISSUER", default="Training tracker")
# Minutes a person has, after their password, to give the second factor.
SECOND_FACTOR_PENDING_SECONDS = 300

# --- Languages, time ----------------------------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("zh-hans", "简体中文"),
    ("ur", "اردو"),
]
# Our catalogues first, then our translations of Django's own strings where Django has none.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale" / "django-overrides"]
USE_I18N = True
USE_TZ = True
# Stored times are UTC; this is only the zone for people who have not chosen one (the training
# site is the Astronaut Center of China in Beijing).
TIME_ZONE = env.str("DJANGO_TIME_ZONE", default="Asia/Shanghai")

# --- Training rules ------------------------------------------------------------------------------

# Days before a qualification expires at which it shows as expiring and reminders go out
# (DOMAIN.md: 30 and 7 days, an assumption each programme may change).
QUALIFICATION_WARNING_DAYS = sorted(
    env.list("QUALIFICATION_WARNING_DAYS", cast=int, default=[30, 7]), reverse=True
)
if not QUALIFICATION_WARNING_DAYS or min(QUALIFICATION_WARNING_DAYS) < 1:
    raise ImproperlyConfigured("QUALIFICATION_WARNING_DAYS must list whole days, each at least 1.")

# The fitness standard each metric is charted against on the trainee's dashboard: ("min", value)
# means at least, ("max", value) at most, in the metric's unit. No public astronaut figures
# exist; these are assumptions (DOMAIN.md) a programme may change. Body mass has no standard.
FITNESS_STANDARDS = {
    "vo2max": ("min", 40),
    "resting_heart_rate": ("max", 70),
    "grip_strength": ("min", 35),
    "agility_time": ("max", 12),
    "g_tolerance": ("min", 8),
    "swim_time": ("max", 120),
}

# --- Static files -------------------------------------------------------------------------------

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# The vendored TTF/OTF fonts (8 MB, served for ever under hashed names) are not compressed too:
# brotli on them made collectstatic take over a minute of CPU. Nor are the source maps (2.5 MB,
# three quarters of what was left to compress), which only a developer's browser tools fetch.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "ttf", "otf", "map"]
# Pages link only the hashed names ({% static %}; the PDFs read the fonts through the finders), so
# the unhashed copies are not kept, nor compressed a second time.
WHITENOISE_KEEP_ONLY_HASHED_FILES = True
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- E-mail -------------------------------------------------------------------------------------

if env.str("EMAIL_URL", default=""):
    # e.g. smtp+tls://user:password@mail.example.org:587
    globals().update(env.email_url("EMAIL_URL"))
elif env.str("DATABASE_URL", default=""):
    # Scaled out, a web process keeps nothing on its own disk: unsent mail goes to the log.
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
# A test or an operator may name another backend outright (the integration test's slow one).
EMAIL_BACKEND = env.str("DJANGO_EMAIL_BACKEND", default=EMAIL_BACKEND)
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="training@tracker.invalid")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Links in e-mail and in the calendar feed are written from this address.
SITE_URL = env.str("DJANGO_SITE_URL", default="http://127.0.0.1:8000")

# --- Celery -------------------------------------------------------------------------------------

if REDIS_URL:
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=_redis_db_url(REDIS_URL, 0))
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # A task's hard time limit stays below this, or Redis would hand it to a second worker.
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    }
else:
    _queue = VAR_DIR / "celery"
    for _folder in ("queue", "processed", "control"):
        (_queue / _folder).mkdir(parents=True, exist_ok=True)
    # kombu ignores the host of this transport, but warns when there is none.
    CELERY_BROKER_URL = "filesystem://localhost/"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue / "queue"),
        "data_folder_out": str(_queue / "queue"),
        "processed_folder": str(_queue / "processed"),
        "control_folder": str(_queue / "control"),
        "store_processed": False,
    }
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Task results are not kept: work records its outcome in the database itself.
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_EXPIRES = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
# A delivery claimed longer ago than this is presumed abandoned by a dead worker and may be
# claimed again; it must outlast the hard time limit, or a slow live worker could be doubled.
NOTIFICATION_CLAIM_LEASE = env.int("NOTIFICATION_CLAIM_LEASE", default=CELERY_TASK_TIME_LIMIT + 60)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# The one place where periodic jobs are declared; django-celery-beat copies it into its tables.
CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {
        "task": "accounts.tasks.sessions_clear_expired",
        "schedule": timedelta(hours=6),
    },
    # Reminders come from this sweep of the database, never from far-future ETA tasks.
    "reminders-sweep": {
        "task": "notifications.tasks.reminders_sweep",
        "schedule": timedelta(minutes=5),
    },
    # Hourly: each reader's weekly report goes out at the first run after the schedule's day and
    # local time in their own time zone (reports.ReportSchedule); the claims make reruns no-ops.
    "weekly-reports": {
        "task": "reports.tasks.weekly_reports_send",
        "schedule": crontab(minute=5),
    },
}

if CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 10**9) <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured("CELERY_VISIBILITY_TIMEOUT must exceed the task time limit.")
if CELERY_TASK_SOFT_TIME_LIMIT >= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured("CELERY_TASK_SOFT_TIME_LIMIT must be below CELERY_TASK_TIME_LIMIT.")
if NOTIFICATION_CLAIM_LEASE <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured("NOTIFICATION_CLAIM_LEASE must exceed CELERY_TASK_TIME_LIMIT.")

# --- Security headers ---------------------------------------------------------------------------

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "camera": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "payment": [],
    "usb": [],
}
# No inline script, no inline style attribute: everything comes from our own static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

if not DEBUG:
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = _env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # The __Host- prefix makes browsers refuse these cookies unless Secure, host-only, Path=/.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    LANGUAGE_COOKIE_SECURE = True
    LANGUAGE_COOKIE_HTTPONLY = True
    LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- History, logging ---------------------------------------------------------------------------

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own console handler would print every record a second time: let its records
        # reach the root handler only (where tests capture them too).
        "django": {"handlers": [], "level": "INFO"},
        "axes": {"level": "WARNING"},
    },
}

# --- Cached progress (trainees/progress_cache.py) ---------------------------------------
# Summaries of progress and parts of pages cached under the versions of the rows they show.
PROGRESS_CACHE = env.bool("DJANGO_PROGRESS_CACHE", default=True)
PROGRESS_CACHE_SECONDS = env.int("DJANGO_PROGRESS_CACHE_SECONDS", default=6 * 3600)

# --- The REST API (api/, docs/api.md) ---------------------------------------------------------
# Personal access tokens only: a browser's session does not open the API, so no request to it
# rides on a signed-in person's cookie (and CSRF has nothing to protect there).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.AccessTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.TokenScope"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.PerTokenThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pages",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.problems.problem_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DATETIME_FORMAT": "iso-8601",
    # Times leave the API in UTC whatever the site's zone (api/serializers.py's UtcDateTimeField).
    "COERCE_DECIMAL_TO_STRING": True,
    "PAGE_SIZE": 50,
}
# Requests one token may make in a minute; more are answered 429 with Retry-After.
API_TOKEN_RATE_PER_MINUTE = env.int("DJANGO_API_TOKEN_RATE_PER_MINUTE", default=600)
# The longest a personal access token may last, in days.
API_TOKEN_MAX_DAYS = env.int("DJANGO_API_TOKEN_MAX_DAYS", default=366)
if API_TOKEN_RATE_PER_MINUTE < 1 or API_TOKEN_MAX_DAYS < 1:
    raise ImproperlyConfigured(
        "DJANGO_API_TOKEN_RATE_PER_MINUTE and DJANGO_API_TOKEN_MAX_DAYS must be at least 1."
    )
SPECTACULAR_SETTINGS = {
    "TITLE": "Astronaut training tracker API",
    "DESCRIPTION": (
        "Training records for other systems: trainees, cohorts, progress and readiness, "
        "qualifications, sessions and attendance, assessment results, medical holds and the "
        "curriculum; trainers schedule and log sessions and record attempts. "
        "Authenticate with a personal access token: `Authorization: Bearer <token>`. "
        "Times are UTC, ISO 8601. Errors are problem documents (RFC 9457)."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        # A module's category and a notice of absence's are both "category".
        "AbsenceCategoryEnum": "trainees.models.absences.AbsenceCategory",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.problem_responses",
    ],
}
