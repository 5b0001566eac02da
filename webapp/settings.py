"""Settings read from the environment; no DATABASE_URL means the embedded SQLite default.

Production is the default: a missing SECRET_KEY stops start-up, cookies are sent over HTTPS only,
plain HTTP is redirected and HSTS is on. `XCERT_DEMO=1` (set by `make run`) is a demo on one
machine: plain HTTP on 127.0.0.1, a key generated once into var/, the demo accounts and their list
on the sign-in page. No test marker is read here: the tests have settings of their own
(webapp/settings_test.py, named by pyproject.toml's pytest section).
README.md "Production" lists every variable read here.
"""
import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("XCERT_VAR_DIR", BASE_DIR / "var"))
CERTIFICATE_KEY_DIR = Path(os.environ.get("XCERT_KEY_DIR", VAR_DIR / "certificate-keys"))  # TEO keys: README
VERIFY_RATE_LIMIT = os.environ.get("XCERT_VERIFY_RATE_LIMIT", "30/60")  # look-ups per client address: count/seconds


def _flag(name: str, default: bool) -> bool:
    """An on/off variable: 1, true, yes or on is on; unset or empty keeps the default."""
    value = os.environ.get(name, "").strip().lower()
    return default if not value else value in ("1", "true", "yes", "on")


XCERT_DEMO = _flag("XCERT_DEMO", False)
# Plain HTTP only where nobody else connects: the demo on 127.0.0.1.
_PLAIN_HTTP = XCERT_DEMO

MISSING_SECRET_KEY = (
    "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random value, e.g. "
    "python -c 'import secrets; print(secrets.token_urlsafe(50))', and keep it out of the repository; "
    "or set XCERT_DEMO=1 for a demo on this machine (make run does), which keeps a generated key in var/."
)


def _machine_key(path: Path) -> str:
    """The demo's key: generated once per machine into var/, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as file:
        file.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


def _secret_key() -> str:
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    if XCERT_DEMO:
        return _machine_key(VAR_DIR / "secret_key")
    raise ImproperlyConfigured(MISSING_SECRET_KEY)


SECRET_KEY = _secret_key()
# Off unless asked for: a debug page lists every URL pattern and shows tracebacks to anyone.
DEBUG = _flag("DEBUG", False)
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
CSRF_TRUSTED_ORIGINS = [origin for origin in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if origin]

# HTTPS: each can be set on its own (1/0); the defaults are on except for the demo.
SECURE_SSL_REDIRECT = _flag("SECURE_SSL_REDIRECT", not _PLAIN_HTTP)
SESSION_COOKIE_SECURE = _flag("SESSION_COOKIE_SECURE", not _PLAIN_HTTP)
CSRF_COOKIE_SECURE = _flag("CSRF_COOKIE_SECURE", not _PLAIN_HTTP)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if _PLAIN_HTTP else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _flag("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = _flag("SECURE_HSTS_PRELOAD", True)
# Behind a reverse proxy that ends TLS: "HTTP_X_FORWARDED_PROTO,https" trusts the proxy's header.
# Only set it when the proxy always sets (or strips) that header: a client could send it otherwise.
if os.environ.get("SECURE_PROXY_SSL_HEADER"):
    _header, _, _value = os.environ["SECURE_PROXY_SSL_HEADER"].partition(",")
    SECURE_PROXY_SSL_HEADER = (_header.strip(), _value.strip() or "https")

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
    "knox",  # API tokens: hashed at rest, expiring, revoked by logout
    "axes",  # sign-in failures per account and client address; lockout with cool-off
    "csp",
    "django_filters",  # the lists' FilterSets; its templates draw the filter form of the browsable API
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "bpmn",
    "workflows",
    "tryout",
    "notifications",
    "webapp",
    "portal",
    "api",
    "documents",  # the agreement, the filing register and payment vouchers as PDF (WeasyPrint)
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
    "csp.middleware.CSPMiddleware",
    # Last: it turns a sign-in that axes refused into the lockout page or JSON (webapp.signin).
    "axes.middleware.AxesMiddleware",
]

# Every page keeps this policy: scripts and styles from our own static files only, no inline code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

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

# A socket's consumer waits on Redis with a blocking pop of channels_redis' 5 s; redis-py 8 gives
# up a read after its default socket timeout, also 5 s, so on a busy machine the empty answer that
# ends the pop came a moment late and the consumer died with its socket (found by the 1,000-client
# bench under load). Reads wait longer than the pop.
REDIS_SOCKET_TIMEOUT = 15


def _channel_layers() -> dict:
    if not os.environ.get("REDIS_URL"):
        return {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    return {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # redis-py 8 caps an asyncio pool at 100 connections; 1,000 sockets joining their
            # groups at once exceed that (found by `bench --notifications`), so the cap is raised.
            "CONFIG": {"hosts": [{"address": os.environ["REDIS_URL"], "socket_timeout": REDIS_SOCKET_TIMEOUT,
                                  "max_connections": int(os.environ.get("REDIS_MAX_CONNECTIONS", "2000"))}],
                       # Deployments (and parallel test workers) sharing one Redis keep apart by prefix.
                       "prefix": os.environ.get("CHANNEL_LAYER_PREFIX", "asgi")},
        }
    }


CHANNEL_LAYERS = _channel_layers()

# Counts that must hold across server processes (certificate look-ups per address) live in the
# cache: a Redis database of its own when XCERT_CACHE_URL names one (several processes), else each
# process's memory (one process: `make run`). Not REDIS_URL's database: clearing a cache flushes it.
if os.environ.get("XCERT_CACHE_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": os.environ["XCERT_CACHE_URL"]}}

# Axes first: a locked-out sign-in is refused before any password is checked.
AUTHENTICATION_BACKENDS = ["webapp.signin.AxesBackend", "django.contrib.auth.backends.ModelBackend"]
# Failures count per account and client address together: an attacker at one address gets
# XCERT_SIGNIN_FAILURE_LIMIT tries per account, then waits XCERT_SIGNIN_COOLOFF_MINUTES from the last
# failure; the same account signs in from another address meanwhile (a lockout is no way to keep the
# owner out). Tries during a lockout are refused unchecked and do not move the unlock time.
AXES_FAILURE_LIMIT = int(os.environ.get("XCERT_SIGNIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("XCERT_SIGNIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "webapp.signin.client_address"
AXES_LOCKOUT_CALLABLE = "webapp.signin.locked_out"
AXES_HTTP_RESPONSE_CODE = 429
# The client address is REMOTE_ADDR unless proxies are trusted: with XCERT_TRUSTED_PROXIES=N the
# address is the one the outermost of those N proxies saw, taken from the right of the header
# XCERT_CLIENT_ADDRESS_HEADER (X-Forwarded-For by default), which each proxy appends to.
XCERT_TRUSTED_PROXIES = int(os.environ.get("XCERT_TRUSTED_PROXIES", "0"))
XCERT_CLIENT_ADDRESS_HEADER = os.environ.get("XCERT_CLIENT_ADDRESS_HEADER", "HTTP_X_FORWARDED_FOR")

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

# Attachments (附件: a signed agreement's scan, a TEO's plan, a complaint's evidence, a payment's voucher) are
# kept through Django's storage API, STORAGES["attachments"]: files under XCERT_ATTACHMENT_DIR by default, never
# served by a static URL (each download is a view that checks who asks); an S3-compatible store through
# django-storages where one machine is not enough. README "Attachments".
ATTACHMENT_DIR = Path(os.environ.get("XCERT_ATTACHMENT_DIR", VAR_DIR / "attachments"))
ATTACHMENT_MAX_BYTES = int(float(os.environ.get("XCERT_ATTACHMENT_MAX_MB", "10")) * 1024 * 1024)
ATTACHMENTS_PER_OBJECT = int(os.environ.get("XCERT_ATTACHMENTS_PER_OBJECT", "10"))


def _attachment_storage() -> dict:
    """FileSystemStorage under ATTACHMENT_DIR, or django-storages' S3 backend with XCERT_ATTACHMENT_STORAGE=s3."""
    kind = os.environ.get("XCERT_ATTACHMENT_STORAGE", "filesystem").strip().lower()
    if kind == "filesystem":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": ATTACHMENT_DIR, "file_permissions_mode": 0o640,
                            "directory_permissions_mode": 0o750}}
    if kind != "s3":
        raise ImproperlyConfigured(f"XCERT_ATTACHMENT_STORAGE is 'filesystem' (the default) or 's3', not {kind!r}.")
    if not os.environ.get("XCERT_S3_BUCKET"):
        raise ImproperlyConfigured("XCERT_ATTACHMENT_STORAGE=s3 needs XCERT_S3_BUCKET, the bucket's name.")
    # Credentials come from boto3's own chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, an instance role),
    # never from this file. Objects stay private: the application streams each download itself.
    return {"BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {"bucket_name": os.environ["XCERT_S3_BUCKET"],
                        "endpoint_url": os.environ.get("XCERT_S3_ENDPOINT_URL") or None,
                        "region_name": os.environ.get("XCERT_S3_REGION") or None,
                        "location": os.environ.get("XCERT_S3_PREFIX", "attachments"),
                        "default_acl": "private", "file_overwrite": False, "querystring_auth": True}}


STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "attachments": _attachment_storage(),
}

LOCALE_PATHS = [BASE_DIR / "locale"]

# Notifications: e-mail is off unless NOTIFICATIONS_EMAIL=1; in development mail goes to the console.
NOTIFICATIONS_EMAIL = os.environ.get("NOTIFICATIONS_EMAIL", "0") == "1"
# A push or an e-mail is tried this many times (the scheduler and send_notifications retry), then shown failed.
NOTIFICATIONS_MAX_ATTEMPTS = int(os.environ.get("NOTIFICATIONS_MAX_ATTEMPTS", "3"))
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@xcert.local")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
# The WebSocket accepts a handshake only from exactly these origins (scheme://host[:port], comma-separated);
# by default the site's own, SITE_URL's. Another port or scheme of the same host is another origin.
SOCKET_ORIGINS = [o.strip() for o in os.environ.get("XCERT_SITE_ORIGINS", "").split(",") if o.strip()] or [SITE_URL]
NOTIFICATIONS_RELAY_INTERVAL = float(os.environ.get("NOTIFICATIONS_RELAY_INTERVAL", "0.5"))
REMINDER_HOURS = int(os.environ.get("REMINDER_HOURS", "24"))

# The sign-in page lists the demo accounts (all with the demo password) only on a demo installation.
SHOW_DEMO_ACCOUNTS = XCERT_DEMO

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "inbox"
LOGOUT_REDIRECT_URL = "login"

REST_FRAMEWORK = {
    # Token first: a client with a bad token gets 401 with WWW-Authenticate, not a CSRF-style 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.BoundedJSONParser", "rest_framework.parsers.FormParser",
                               "rest_framework.parsers.MultiPartParser"],
    "DEFAULT_PAGINATION_CLASS": "webapp.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",  # every operation documents the refusals it answers
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
        "AttachmentKindEnum": "workflows.models.Attachment.OBJECTS",
        "MeasureKindEnum": "workflows.models.Measure",
    },
}
# API tokens (POST /api/v1/auth/token/) expire XCERT_TOKEN_HOURS after sign-in; logout revokes one,
# logout-all every token of the account, a new password every token of its account (api/tokens.py).
# Only a hash of each token is stored. An account holds at most 10 unexpired tokens:
# a sign-in beyond that is refused (429 token_limit_reached) rather than the token table growing without bound.
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=float(os.environ.get("XCERT_TOKEN_HOURS", "10"))),
    "TOKEN_LIMIT_PER_USER": 10,
    "AUTO_REFRESH": False,
    "AUTH_HEADER_PREFIX": "Token",
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
        "axes": {"handlers": ["stderr"], "level": os.environ.get("XCERT_LOG_LEVEL", "WARNING"), "propagate": False},
    },
}

# Supervision of TEOs (动态调整): a TEO that has not started teacher training nationally and in the
# focus province (湖北省, code 42) by this day of the pilot year's September (9月上旬) is proposed for
# a yellow card; one that still has not followed up this many days after the card, for delisting.
SUPERVISION_TRAINING_START_DAY = int(os.environ.get("XCERT_TRAINING_START_DAY", "10"))
SUPERVISION_FOCUS_PROVINCE = os.environ.get("XCERT_FOCUS_PROVINCE", "42")
SUPERVISION_FOLLOW_UP_DAYS = int(os.environ.get("XCERT_FOLLOW_UP_DAYS", "30"))
# A month's progress report (按月调度) opens when the month has ended and is due this many days later.
SUPERVISION_REPORT_DAYS = int(os.environ.get("XCERT_REPORT_DAYS", "5"))
