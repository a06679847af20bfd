"""Settings for the fact-check desk, read from the environment.

Nothing here needs editing to deploy: every value that differs between a
laptop and a server comes from an environment variable (see README.md).
"""

import os
import re
from datetime import timedelta
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


def envrate(name: str, default: str) -> str:
    """Return a rate such as ``60/min``: a count per s, min, hour or day (DRF's throttles)."""
    value = os.getenv(name, default).strip()
    if not re.fullmatch(r"[0-9]+/(s|sec|second|m|min|minute|h|hour|d|day)", value):
        raise ImproperlyConfigured(
            f"{name} must be a rate such as 60/min (per s, min, hour or day), not {value!r}."
        )
    return value


# Off unless the environment turns it on: `make run` does, for runserver and the demo setup.
DEBUG = envbool("DEBUG", "false")

SECRET_KEY = os.getenv("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off the site signs sessions and CSRF "
            "tokens with it, so it must be a long random secret of your own: "
            "set SECRET_KEY in the environment (README.md, 'Production'). On a "
            "developer's machine, DEBUG=true uses a development key (make run sets it)."
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
    "django.contrib.sitemaps",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "annotations",
]

MIDDLEWARE = [
    # First, so that its line covers every other layer: method, path, status, time, request id.
    "factcheck.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy (CONTENT_SECURITY_POLICY below) and Permissions-Policy.
    "csp.middleware.CSPMiddleware",
    "factcheck.security.PermissionsPolicyMiddleware",
    # Before anything reads the query string: a NUL byte in it gets 400, not a database error.
    "factcheck.middleware.NulQueryStringMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout answer.
    "axes.middleware.AxesMiddleware",
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
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A transaction takes SQLite's write lock when it begins, so two at once queue (up to
    # the 5 s timeout) rather than one failing with "database is locked" when it writes.
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"

# A streaming replica of the primary, when DATABASE_REPLICA_URL names one: the public
# fact-check pages, the sitemap, the feed and the export read from it, everything else
# from the primary (factcheck.routers). In tests it is the default database itself.
DATABASE_REPLICA_URL = os.getenv("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL,
        conn_max_age=envint("DB_CONN_MAX_AGE", "0"),
        conn_health_checks=True,
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["factcheck.routers.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# django-axes first: it refuses a locked-out login before any password is checked. Then
# ModelBackend, with a user's permissions read in one query (annotations.permissions).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "annotations.permissions.PermissionBackend",
]
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

# Content-Security-Policy (django-csp): scripts, styles, fonts and data only from the site
# itself; no inline script anywhere (the pages' data sits in <script type="application/json">,
# which is data, not code); no inline style either, except on the API docs (Swagger UI's
# page has a <style> element: annotations.api.docs); framed by nobody; forms post only here.
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
BEHIND_TLS_PROXY = envbool("BEHIND_TLS_PROXY", "false")
if BEHIND_TLS_PROXY:
    # The proxy terminates TLS and says so in this header; trust it only then.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies in front of the site append the client's address to X-Forwarded-For.
# The login lockout and the API's throttles count by the address the outermost one saw
# (annotations.api.throttling.client_address); 0 reads REMOTE_ADDR and trusts no header,
# so that a client cannot choose the address it is counted by.
PROXY_COUNT = envint("PROXY_COUNT", "1" if BEHIND_TLS_PROXY else "0")

# Django's cache keeps the API throttles' counters (and, with Redis, the login lockout's).
# Several workers or servers must share them: Redis, when REDIS_URL names it
# (redis://host:6379/0). Without it each process counts alone, in its own memory.
REDIS_URL = os.getenv("REDIS_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Login lockout (django-axes) on every login form: the site's, the admin's and the API's.
# LOGIN_FAILURE_LIMIT failures lock out the username, and apart from that the client address
# whatever usernames it tried, until LOGIN_COOLOFF_MINUTES pass without another attempt.
# Failures are kept in the database, which every worker shares, or in Redis when it is set.
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", "5")
LOGIN_COOLOFF_MINUTES = envint("LOGIN_COOLOFF_MINUTES", "15")
if AXES_FAILURE_LIMIT < 1 or LOGIN_COOLOFF_MINUTES < 1:
    raise ImproperlyConfigured("LOGIN_FAILURE_LIMIT and LOGIN_COOLOFF_MINUTES must be positive.")
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = (
    "axes.handlers.cache.AxesCacheHandler"
    if REDIS_URL
    else "axes.handlers.database.AxesDatabaseHandler"
)
AXES_CLIENT_IP_CALLABLE = "annotations.api.throttling.client_address"
# A 429 page that says when to try again; JSON under /api/ (annotations.web.lockout).
AXES_LOCKOUT_CALLABLE = "annotations.web.lockout.lockout_response"
# Axes' own reset would also wipe the address's failures on other usernames, and so let
# anyone with an account of their own keep guessing another's password. A success
# forgets that user's own failures instead (annotations.web.lockout).
AXES_RESET_ON_SUCCESS = False

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

# Error reports (the debug page, 500 e-mails) hide DATABASE_URL, REDIS_URL, anything
# named like a key, token, password or secret, and the password inside any address.
DEFAULT_EXCEPTION_REPORTER_FILTER = "factcheck.reporting.CredentialsFilter"

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
    # JSON bodies only: a form-encoded or multipart body gets 415 (the browsable API
    # posts JSON through its raw-data form).
    "DEFAULT_PARSER_CLASSES": ["annotations.api.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Requests per minute, counted in the cache (annotations.api.throttling); over the rate,
    # 429 with Retry-After. Anonymous clients and failed tokens per address, users per user.
    "DEFAULT_THROTTLE_CLASSES": [
        "annotations.api.throttling.AnonRateThrottle",
        "annotations.api.throttling.UserRateThrottle",
        "annotations.api.throttling.ScopedRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": envrate("THROTTLE_ANON", "60/min"),
        "user": envrate("THROTTLE_USER", "1200/min"),
        "failed_token": envrate("THROTTLE_FAILED_TOKEN", "20/min"),
        "export": envrate("THROTTLE_EXPORT", "30/min"),
    },
    "NUM_PROXIES": PROXY_COUNT,
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
        "AttributionEnum": "annotations.models.Attribution",
    },
    # drf-spectacular's own enum hook, then the Idempotency-Key header on every POST.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "annotations.api.idempotency.document_idempotency_keys",
        # 413, 415 and 429, which any operation may answer (annotations.api.errors).
        "annotations.api.errors.document_refusals",
    ],
    # Swagger UI and ReDoc from the sidecar package: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Importing articles from the web (annotations/importing/fetch.py).
# Addresses that resolve to loopback, private, link-local, shared, reserved,
# multicast or unspecified addresses are refused unless this is on; only tests
# and a desk on a closed network should turn it on.
ARTICLE_IMPORT_ALLOW_PRIVATE_ADDRESSES = envbool("ARTICLE_IMPORT_ALLOW_PRIVATE_ADDRESSES", "false")
ARTICLE_IMPORT_MAX_BYTES = envint("ARTICLE_IMPORT_MAX_BYTES", str(5 * 1024 * 1024))
ARTICLE_IMPORT_CONNECT_TIMEOUT = envint("ARTICLE_IMPORT_CONNECT_TIMEOUT", "5")  # seconds
ARTICLE_IMPORT_READ_TIMEOUT = envint("ARTICLE_IMPORT_READ_TIMEOUT", "20")  # seconds, in all
ARTICLE_IMPORT_MAX_REDIRECTS = envint("ARTICLE_IMPORT_MAX_REDIRECTS", "3")

# The rules of the desk (README, "Rules of the desk").
# How many independent verdicts, from distinct reviewers, a claim needs before it can be verified.
FACTCHECK_VERDICT_QUORUM = envint("FACTCHECK_VERDICT_QUORUM", "2")
if FACTCHECK_VERDICT_QUORUM < 1:
    raise ImproperlyConfigured("FACTCHECK_VERDICT_QUORUM must be 1 or more.")
# Whether the reviewer who highlighted a claim may give a verdict on it.
FACTCHECK_AUTHOR_MAY_RATE = envbool("FACTCHECK_AUTHOR_MAY_RATE", "false")
# Whether a moderator may verify a claim by publishing their own verdict.
FACTCHECK_MODERATOR_MAY_PUBLISH_OWN = envbool("FACTCHECK_MODERATOR_MAY_PUBLISH_OWN", "false")
# Whether the public page and ClaimReview credit every reviewer who rated a claim, or only
# the one whose verdict was published.
FACTCHECK_CREDIT_ALL_REVIEWERS = envbool("FACTCHECK_CREDIT_ALL_REVIEWERS", "false")

# Publishing verified claims.
FACTCHECK_PUBLIC_PAGES = envbool("FACTCHECK_PUBLIC_PAGES", "true")
FACTCHECK_PUBLIC_EXPORT = envbool("FACTCHECK_PUBLIC_EXPORT", "false")
FACTCHECK_PUBLISHER_NAME = os.getenv("FACTCHECK_PUBLISHER_NAME", "Fact-check desk")
FACTCHECK_PUBLISHER_URL = os.getenv("FACTCHECK_PUBLISHER_URL", "")
# How long caches may keep a public fact-check page, the sitemap and the feed, in seconds:
# browsers FACTCHECK_PUBLIC_MAX_AGE (max-age), shared caches such as a CDN or a proxy
# FACTCHECK_PUBLIC_S_MAXAGE (s-maxage). Longer ages take more load off the site; a
# reopened check can stay in a cache for up to that long.
FACTCHECK_PUBLIC_MAX_AGE = envint("FACTCHECK_PUBLIC_MAX_AGE", "300")
FACTCHECK_PUBLIC_S_MAXAGE = envint("FACTCHECK_PUBLIC_S_MAXAGE", "600")
if FACTCHECK_PUBLIC_MAX_AGE < 0 or FACTCHECK_PUBLIC_S_MAXAGE < 0:
    raise ImproperlyConfigured(
        "FACTCHECK_PUBLIC_MAX_AGE and FACTCHECK_PUBLIC_S_MAXAGE must be 0 or more seconds."
    )
# The site's public address, for absolute links written outside a request (commands).
FACTCHECK_SITE_URL = os.getenv("FACTCHECK_SITE_URL", "http://127.0.0.1:8000")
# A Server-Timing header on every response: time in Django and in SQL, and the
# query count. For measuring (manage.py bench turns it on); it tells any client
# how much work a request caused, so keep it off on a public site.
FACTCHECK_SERVER_TIMING = envbool("FACTCHECK_SERVER_TIMING", "false")
