"""Settings for the fact-check desk, read from the environment.

Nothing here needs editing to deploy: every value that differs between a
laptop and a server comes from an environment variable (see README.md).
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    value = os.getenv(name, default).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def envint(name: str, default: str) -> int:
    value = os.getenv(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", "true")

SECRET_KEY = os.getenv("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off the site signs sessions and CSRF "
            "tokens with it, so it must be a long random secret of your own: "
            "set SECRET_KEY in the environment (README.md, 'Production')."
        )
    # Only for a developer's machine: DEBUG is on, nothing is exposed.
    SECRET_KEY = "development-only-key-never-used-with-debug-off"  # noqa: S105

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "annotations",
]

MIDDLEWARE = [
    # First, so that its line covers every other layer: method, path, status, time, request id.
    "factcheck.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# Development tools: the benchmark, the load test and the Server-Timing header (perfkit,
# which needs requirements-dev.txt). Never on a public site; make test, make bench and
# make loadtest turn them on.
FACTCHECK_DEV_TOOLS = envbool("FACTCHECK_DEV_TOOLS", "false")
if FACTCHECK_DEV_TOOLS:
    INSTALLED_APPS.append("perfkit")
    # First, so that its figures cover every other layer; off unless FACTCHECK_SERVER_TIMING.
    MIDDLEWARE.insert(0, "perfkit.middleware.ServerTimingMiddleware")

ROOT_URLCONF = "factcheck.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "factcheck.wsgi.application"

# An SQLite file beside manage.py unless DATABASE_URL names another database,
# for example postgres://user:password@127.0.0.1:5432/factcheck (psycopg 3).
DATABASES = {
    "default": dj_database_url.parse(
        os.getenv("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=envint("DB_CONN_MAX_AGE", "0"),
        conn_health_checks=True,
    )
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ModelBackend, with a user's permissions read in one query (annotations.permissions).
AUTHENTICATION_BACKENDS = ["annotations.permissions.PermissionBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.getenv("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Serve files straight from static/ while developing; from STATIC_ROOT (collectstatic) otherwise.
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "factcheck.storage.StaticFilesStorage"
        )
    },
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Production hardening: on by default whenever DEBUG is off.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", str(not DEBUG))
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", str(not DEBUG))
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", str(not DEBUG))
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000")
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", str(not DEBUG))
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", str(not DEBUG))
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# A load balancer's health check may come over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if envbool("BEHIND_TLS_PROXY", "false"):
    # The proxy terminates TLS and says so in this header; trust it only then.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# To standard error, for the process manager to collect. One line per request
# (factcheck.middleware) unless LOG_REQUESTS is off; by default off with DEBUG,
# where runserver prints its own.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "INFO")},
    "loggers": {
        "factcheck.request": {
            "level": "INFO" if envbool("LOG_REQUESTS", str(not DEBUG)) else "WARNING",
        },
    },
}

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# The REST API under /api/: tokens for other systems, sessions for the site's own pages.
# Token first: its WWW-Authenticate header makes DRF answer 401 (not 403) to anonymous clients.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "annotations.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # JSON errors naming the field; the services' refusals as 400/403/409/412; no 500 pages.
    "EXCEPTION_HANDLER": "annotations.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Fact-check desk API",
    "DESCRIPTION": (
        "Articles, speakers, claims, sources and verdicts of the fact-check desk. "
        "Authenticate with `Authorization: Token <key>` (manage.py issue_token) or the "
        "site's session. Offsets count Unicode code points. Lists are paged by cursor, in id "
        "order. Claim edits carry the version they were based on (body `version` or If-Match)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Anonymous clients get nothing, the schema included.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Ids in paths are 64-bit keys (annotations.api.urls.IdConverter).
    "PATH_CONVERTER_OVERRIDES": {
        "api_id": {"type": "integer", "minimum": 1, "maximum": 2**63 - 1},
    },
    "ENUM_NAME_OVERRIDES": {
        "SpeakerKindEnum": "annotations.models.SpeakerKind",
        "ClaimKindEnum": "annotations.models.ClaimKind",
        "ClaimStatusEnum": "annotations.models.Status",
    },
    # Swagger UI and ReDoc from the sidecar package: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Publishing verified claims.
FACTCHECK_PUBLIC_PAGES = envbool("FACTCHECK_PUBLIC_PAGES", "true")
FACTCHECK_PUBLIC_EXPORT = envbool("FACTCHECK_PUBLIC_EXPORT", "false")
FACTCHECK_PUBLISHER_NAME = os.getenv("FACTCHECK_PUBLISHER_NAME", "Fact-check desk")
FACTCHECK_PUBLISHER_URL = os.getenv("FACTCHECK_PUBLISHER_URL", "")
# The site's public address, for absolute links written outside a request (commands).
FACTCHECK_SITE_URL = os.getenv("FACTCHECK_SITE_URL", "http://127.0.0.1:8000")
# A Server-Timing header on every response: time in Django and in SQL, and the
# query count. For measuring (manage.py bench turns it on); it tells any client
# how much work a request caused, so keep it off on a public site.
FACTCHECK_SERVER_TIMING = envbool("FACTCHECK_SERVER_TIMING", "false")
