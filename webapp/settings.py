"""Settings read from the environment; no DATABASE_URL means the embedded SQLite default."""
import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("XCERT_VAR_DIR", BASE_DIR / "var"))

SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key-change-me")
# Off unless asked for: a debug page lists every URL pattern and shows tracebacks to anyone.
DEBUG = os.environ.get("DEBUG", "0") == "1"
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",  # the lists' FilterSets; its templates draw the filter form of the browsable API
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "bpmn",
    "workflows",
    "notifications",
    "webapp",
    "portal",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.drafts.KeepDraftsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.middleware.DisplayTimeZoneMiddleware",
]

ROOT_URLCONF = "webapp.urls"
CSRF_FAILURE_VIEW = "portal.errors.csrf_failure"
WSGI_APPLICATION = None
ASGI_APPLICATION = "webapp.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context.person",
                "notifications.context.unread",
            ],
        },
    },
]


def _database() -> dict:
    """Return PostgreSQL from DATABASE_URL, else SQLite in WAL mode with IMMEDIATE writes."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return _postgresql(url)
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": VAR_DIR / "db.sqlite3",
        "OPTIONS": {
            # IMMEDIATE takes the write lock when the transaction opens, so two people
            # completing one task queue up instead of failing half-way with SQLITE_BUSY.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }


def _postgresql(url: str) -> dict:
    """PostgreSQL through psycopg's pool: each server process holds at most DB_POOL_MAX_SIZE connections.

    Under ASGI every request may run its sync code on another thread, and a persistent connection
    per thread (CONN_MAX_AGE) grows with the threads; a pool bounds it per process and hands a
    connection back when the request ends. DB_POOL_MAX_SIZE=0 turns the pool off (a connection
    per request, closed at its end).
    """
    database = dj_database_url.parse(url, conn_max_age=0)
    size = int(os.environ.get("DB_POOL_MAX_SIZE", "8"))
    # A sqlite:// URL names another SQLite file: no pool there (Django pools PostgreSQL only).
    if size > 0 and "postgresql" in database["ENGINE"]:
        database.setdefault("OPTIONS", {})["pool"] = {
            "min_size": min(1, size),
            "max_size": size,
            # A request waits this long for a free connection, then fails with the server-error page.
            "timeout": float(os.environ.get("DB_POOL_TIMEOUT", "10")),
        }
    return database


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if os.environ.get("REDIS_URL"):
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # redis-py 8 caps an asyncio pool at 100 connections; 1,000 sockets joining their
            # groups at once exceed that (found by `bench --notifications`), so the cap is raised.
            "CONFIG": {"hosts": [{"address": os.environ["REDIS_URL"],
                                  "max_connections": int(os.environ.get("REDIS_MAX_CONNECTIONS", "2000"))}],
                       # Deployments (and parallel test workers) sharing one Redis keep apart by prefix.
                       "prefix": os.environ.get("CHANNEL_LAYER_PREFIX", "asgi")},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
DISPLAY_TIME_ZONE = "Asia/Shanghai"

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"

LOCALE_PATHS = [BASE_DIR / "locale"]

# Notifications: e-mail is off unless NOTIFICATIONS_EMAIL=1; in development mail goes to the console.
NOTIFICATIONS_EMAIL = os.environ.get("NOTIFICATIONS_EMAIL", "0") == "1"
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@xcert.local")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
# The WebSocket accepts a handshake only from exactly these origins (scheme://host[:port], comma-separated);
# by default the site's own, SITE_URL's. Another port or scheme of the same host is another origin.
SOCKET_ORIGINS = [o.strip() for o in os.environ.get("XCERT_SITE_ORIGINS", "").split(",") if o.strip()] or [SITE_URL]
NOTIFICATIONS_RELAY_INTERVAL = float(os.environ.get("NOTIFICATIONS_RELAY_INTERVAL", "0.5"))
REMINDER_HOURS = int(os.environ.get("REMINDER_HOURS", "24"))

# The sign-in page lists the demo accounts (all with the demo password) only on a demo installation.
SHOW_DEMO_ACCOUNTS = os.environ.get("XCERT_DEMO", "1") == "1"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "inbox"
LOGOUT_REDIRECT_URL = "login"

REST_FRAMEWORK = {
    # Token first: a client with a bad token gets 401 with WWW-Authenticate, not a CSRF-style 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.BoundedJSONParser", "rest_framework.parsers.FormParser",
                               "rest_framework.parsers.MultiPartParser"],
    "DEFAULT_PAGINATION_CLASS": "webapp.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "1+X 证书考核费用协商 API / 1+X certificate fee negotiation API",
    "DESCRIPTION": "Tasks, alliances, fee schedules, negotiations, baselines, agreements, filings, "
    "payments and process instances. Refusals are JSON bodies naming the rule, in Chinese and English.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name per vocabulary wherever a serializer uses it (funding[].source, .purpose, funding-purposes/).
    "ENUM_NAME_OVERRIDES": {
        "FundingPurposeEnum": "workflows.funding.FundingPurpose",
        "FundingSourceEnum": "workflows.funding.FundingSource",
        "PaperOrderStateEnum": "workflows.models.PaperCertificateOrder.State",
    },
}
BPMN_LIVE_WORKFLOWS = int(os.environ.get("BPMN_LIVE_WORKFLOWS", "256"))

# Errors reach the server's stderr whatever DEBUG says (Django's default logs them only with DEBUG on):
# a 500 without its traceback in the log cannot be put right.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s pid=%(process)d %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "django": {"handlers": ["stderr"], "level": os.environ.get("XCERT_LOG_LEVEL", "WARNING")},
        "xcert": {"handlers": ["stderr"], "level": os.environ.get("XCERT_LOG_LEVEL", "WARNING")},
    },
}
