"""Settings for plan-tracker: one module, read from the environment.

With no environment at all it runs for a developer on SQLite with DEBUG on;
production sets DJANGO_SECRET_KEY, DJANGO_DEBUG=0, DJANGO_ALLOWED_HOSTS and
DATABASE_URL (see the README's production section).
"""

import datetime
import os
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from planning import __version__

BASE_DIR = Path(__file__).resolve().parent.parent

# Templates, translations and the seed data: a checkout keeps them at its top
# (templates/, locale/, fixtures/); a wheel carries them in planning/resources/
# (setup.py copies them there at build time and compiles the translations).
BUNDLED_DIR = Path(__file__).resolve().parent / "resources"
INSTALLED = BUNDLED_DIR.is_dir()
RESOURCES_DIR = BUNDLED_DIR if INSTALLED else BASE_DIR
# Where an installed copy keeps its SQLite file, static files and uploads by
# default: the folder `plan-tracker` runs in, never site-packages.
DATA_DIR = Path.cwd() if INSTALLED else BASE_DIR


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def database_from_url(url: str) -> dict:
    """Read a DATABASE_URL (postgres:// or sqlite:///) into a DATABASES entry.

    A dozen lines of our own instead of a dependency: we support exactly two
    engines and want an error that names the bad variable.
    """
    parts = urlsplit(url)
    if parts.scheme in {"postgres", "postgresql", "pgsql"}:
        options = dict(parse_qsl(parts.query))
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "OPTIONS": options,
            "CONN_MAX_AGE": int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
            "CONN_HEALTH_CHECKS": True,
        }
    if parts.scheme == "sqlite":
        name = unquote(parts.path)
        # sqlite:///relative.db has path "/relative.db"; sqlite:////abs.db is absolute.
        name = name[1:] if name.startswith("//") else name.lstrip("/") or ":memory:"
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": name}
    raise ImproperlyConfigured(
        f"DATABASE_URL must start with postgres:// or sqlite:///, not {parts.scheme!r}"
    )


DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off")
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

# Production hardening, on whenever DEBUG is off (`manage.py check --deploy`).
# Behind a reverse proxy that terminates TLS, it must set X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    # The stock admin on our own site class (tracker/admin/site.py): work-ordered menu, landing page.
    "tracker.apps.TrackerAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    # Counts failed sign-ins and locks them out (tracker/lockout.py).
    "axes",
    "tracker",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy and Permissions-Policy on every answer (tracker/csp.py).
    "tracker.csp.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Reads to a replica, writes and read-after-write to the primary (tracker/routing.py).
    "tracker.routing.ReplicaRoutingMiddleware",
    # LocaleMiddleware that starts in Chinese whatever the browser asks; see its docstring.
    "tracker.reports.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Signs out a session idle or too old (tracker/sessions.py); after messages, to say so.
    "tracker.sessions.SessionTimeoutMiddleware",
    # ETag, 304 and whole-response caching of the read views (tracker/freshness.py);
    # after the session timeout, so a timed-out reader is signed out first.
    "tracker.freshness.CachedReadMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Writes the API's rate-limit counts after the request's transaction (see its module).
    "tracker.api.throttling.ThrottleCountsMiddleware",
    # Answers a locked-out sign-in with tracker.lockout's 429; last, so that it sees the view's.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "planning.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [RESOURCES_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tracker.context_processors.today",
            ],
        },
    },
]

WSGI_APPLICATION = "planning.wsgi.application"
ASGI_APPLICATION = "planning.asgi.application"

DATABASES = {
    "default": database_from_url(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'db.sqlite3'}"
    )
}
# Every request is one transaction: a view that fails half-way writes nothing.
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# Read replicas (tracker/routing.py): reads go to them, writes and a writer's
# next reads to "default". Comma-separated URLs; none by default.
for _number, _url in enumerate(env_list("DATABASE_REPLICA_URLS", ""), start=1):
    DATABASES[f"replica_{_number}"] = database_from_url(_url)
DATABASE_ROUTERS = ["tracker.routing.ReplicaRouter"] if len(DATABASES) > 1 else []
# How long after a write its client keeps reading from the primary (seconds).
TRACKER_READ_YOUR_WRITES_SECONDS = int(os.environ.get("TRACKER_READ_YOUR_WRITES_SECONDS", "5"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [RESOURCES_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
# One date format in both languages (tracker/formatting.py).
FORMAT_MODULE_PATH = ["planning.formats"]
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT") or DATA_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT") or DATA_DIR / "media")

# Failed sign-ins are counted per username and per address on every login form
# (the site's, the admin's, /api/token/), then locked out; see tracker/lockout.py.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "tracker.lockout.AxesLoginHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = int(os.environ.get("TRACKER_LOGIN_FAILURE_LIMIT", "5"))
TRACKER_LOGIN_ADDRESS_FAILURE_LIMIT = int(
    os.environ.get("TRACKER_LOGIN_ADDRESS_FAILURE_LIMIT", "20")
)
AXES_COOLOFF_TIME = datetime.timedelta(
    minutes=int(os.environ.get("TRACKER_LOGIN_LOCKOUT_MINUTES", "30"))
)
AXES_LOCKOUT_CALLABLE = "tracker.lockout.lockout_response"
# The client address as the API's rate limits see it: the peer, or the address the
# trusted proxies (TRACKER_API_NUM_PROXIES) put in X-Forwarded-For.
AXES_CLIENT_IP_CALLABLE = "tracker.lockout.client_address"
# Passwords are never stored with an attempt (axes keeps the other fields).
AXES_SENSITIVE_PARAMETERS = ["password"]

# Sessions (等保: sign out after idle time, and after a working day at most);
# enforced by tracker/sessions.py.
TRACKER_SESSION_IDLE_MINUTES = int(os.environ.get("TRACKER_SESSION_IDLE_MINUTES", "30"))
TRACKER_SESSION_MAX_HOURS = int(os.environ.get("TRACKER_SESSION_MAX_HOURS", "8"))
SESSION_COOKIE_AGE = TRACKER_SESSION_MAX_HOURS * 3600
SESSION_COOKIE_HTTPONLY = True

# Staff and department users sign in on the site's own page; the admin has its own.
LOGIN_URL = "reports:login"
LOGIN_REDIRECT_URL = "reports:tasks"
LOGOUT_REDIRECT_URL = "reports:home"


def cache_from_url(url: str) -> dict:
    """Read DJANGO_CACHE_URL: locmem:// (default), db://TABLE or redis://host:port/db.

    The API's rate limits count in this cache. A local-memory cache is per
    process: with several workers use a shared one (db:// needs
    `manage.py createcachetable`; redis:// needs the redis package).
    """
    parts = urlsplit(url)
    if parts.scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if parts.scheme == "db":
        return {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": parts.netloc or "tracker_cache",
        }
    if parts.scheme in {"redis", "rediss"}:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    raise ImproperlyConfigured(
        f"DJANGO_CACHE_URL must start with locmem://, db:// or redis://, not {parts.scheme!r}"
    )


CACHES = {"default": cache_from_url(os.environ.get("DJANGO_CACHE_URL") or "locmem://")}
# Whole answers of the read views, keyed by the data version (tracker/freshness.py).
TRACKER_READ_CACHE = env_bool("TRACKER_READ_CACHE", True)
TRACKER_READ_CACHE_SECONDS = int(os.environ.get("TRACKER_READ_CACHE_SECONDS", "86400"))

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "tracker.api.schema.TrackerAutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # JSON with a nesting limit (400); bodies over DATA_UPLOAD_MAX_MEMORY_SIZE are a 413
    # (tracker/api/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "tracker.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Token first: an anonymous write is answered 401 with `WWW-Authenticate: Token`.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # DRF's, taking "Bearer <key>" as well as "Token <key>" (what generated clients send).
        "tracker.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["tracker.api.permissions.ScopedAccess"],
    "DEFAULT_PAGINATION_CLASS": "tracker.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": ["tracker.api.throttling.WriteRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "write": os.environ.get("TRACKER_API_WRITE_RATE", "120/minute"),
        "token": os.environ.get("TRACKER_API_TOKEN_RATE", "10/minute"),
    },
    # How many reverse proxies set X-Forwarded-For; 0 trusts only the peer address,
    # so a client cannot dodge the limits by sending its own header.
    "NUM_PROXIES": int(os.environ.get("TRACKER_API_NUM_PROXIES") or 0),
    # tracker.api.exceptions' handler, after naming a body Django refused as too large.
    "EXCEPTION_HANDLER": "tracker.api.parsers.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "plan-tracker API",
    "DESCRIPTION": (
        "Town work plans, their targets, and progress against them.\n\n"
        "Authenticate with `Authorization: Token <key>` or `Bearer <key>` (issue one with "
        "`python manage.py create_reporter USERNAME --town SLUG`) or a browser session. "
        "Anyone reads published plans; a town's users also read its drafts; a region's users "
        "read everything below it. Reporters submit progress for their town's targets; "
        "editors edit its plans, sections and targets, sending `If-Match` with the version "
        "they read."
    ),
    "VERSION": __version__,
    # Names in English in every language; descriptions in the request's (tracker/api/schema.py).
    "DEFAULT_GENERATOR_CLASS": "tracker.api.schema.OneLanguageSchemaGenerator",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No call to swagger.io's online validator: the docs page talks to this server only.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "ENUM_NAME_OVERRIDES": {
        "RegionLevelEnum": "tracker.choices.RegionLevel",
        "TownKindEnum": "tracker.choices.TownKind",
        "PlanStatusEnum": "tracker.choices.PlanStatus",
        "TargetKindEnum": "tracker.choices.TargetKind",
        "ComparisonEnum": "tracker.choices.Comparison",
        "TargetStatusEnum": "tracker.choices.Status",
    },
}

# The share of the plan year that must have passed, relative to progress, for
# each warning colour; see tracker/progress.py where the rule is documented.
TRACKER_ON_TRACK_RATIO = os.environ.get("TRACKER_ON_TRACK_RATIO", "0.9")
TRACKER_AT_RISK_RATIO = os.environ.get("TRACKER_AT_RISK_RATIO", "0.7")
# A report due within this many days turns its target yellow (tracker/workflow.py).
TRACKER_DUE_SOON_DAYS = int(os.environ.get("TRACKER_DUE_SOON_DAYS", "3"))
# For demos and training only: the reporting cycle (tasks, 督办, warnings,
# reminders) behaves as on this day (YYYY-MM-DD). Unset in production.
TRACKER_TODAY = os.environ.get("TRACKER_TODAY") or None
if TRACKER_TODAY:
    try:
        TRACKER_TODAY = datetime.date.fromisoformat(TRACKER_TODAY)
    except ValueError:
        raise ImproperlyConfigured(
            f"TRACKER_TODAY must be a date like 2026-03-10, not {TRACKER_TODAY!r}"
        ) from None
# Evidence files: what may be attached to a progress report, and how large.
TRACKER_EVIDENCE_MAX_BYTES = int(
    os.environ.get("TRACKER_EVIDENCE_MAX_BYTES", str(10 * 1024 * 1024))
)

# Reminders go through Django's email backend; the console by default.
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "plan-tracker@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}
