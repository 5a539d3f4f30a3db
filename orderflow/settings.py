"""Orderflow settings: one module, every value read from the environment."""

from __future__ import annotations

import os
import tempfile
import zoneinfo
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from orderflow.core.env import email_settings, env_bool, env_header, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("ORDERFLOW_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (make demo sets DEBUG=true)")
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

TIME_ZONE = env_str("TIME_ZONE", "UTC")
if TIME_ZONE not in zoneinfo.available_timezones():
    raise ImproperlyConfigured(f"TIME_ZONE {TIME_ZONE!r} is not a known IANA time zone")
USE_TZ = True
USE_I18N = True
LANGUAGE_CODE = "en"
# Each language in its own name, as a language switch shows them. Who reads which: orderflow/core/language.py.
LANGUAGES = [("en", "English"), ("fr", "Français")]
# The catalogue: orderflow/locale/fr/LC_MESSAGES/django.po (`make messages`), compiled at set-up.
LOCALE_PATHS = [BASE_DIR / "orderflow" / "locale"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "orderflow.core",
    "orderflow.accounts",
    "orderflow.workflows",
    "orderflow.catalog",
    "orderflow.leads",
    "orderflow.orders",
    "orderflow.conversations",
    "orderflow.quotes",
    "orderflow.notifications",
    "orderflow.integrations",
    "orderflow.transfers",
    "orderflow.portal",
    "orderflow.api",
    "orderflow.web",
    "orderflow.demo",
    "csp",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "orderflow.urls"
WSGI_APPLICATION = "orderflow.wsgi.application"

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
            ],
            # `{% load formatting %}`: money, dates and times for the reader (orderflow/core/formatting.py).
            "libraries": {"formatting": "orderflow.core.templatetags.formatting"},
        },
    },
]


def _database(url: str) -> dict[str, Any]:
    config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=0))
    engine = config["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock when a
        # transaction starts, so two writers queue instead of failing halfway with "database is locked".
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        }
        # A file, not :memory:, so tests that use threads share one database the way production does;
        # one per process, so parallel test runs never share it.
        config["TEST"] = {"NAME": str(Path(tempfile.gettempdir()) / f"orderflow-test-{os.getpid()}.sqlite3")}
    elif engine == "django.db.backends.postgresql":
        if env_bool("DATABASE_POOL", True):
            config["OPTIONS"] = {"pool": {"min_size": 1, "max_size": env_int("DATABASE_POOL_SIZE", 10)}}
        else:
            config["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 60)
    else:
        raise ImproperlyConfigured(f"DATABASE_URL must point at SQLite or PostgreSQL, not {engine}")
    return config


DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'orderflow.sqlite3'}")
DATABASES = {"default": _database(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# A password reset link works once, for this long.
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_HOURS", 3) * 3600
# An invitation (a contact's portal login, a new staff member) works once, for this long.
INVITATION_HOURS = env_int("INVITATION_HOURS", 72)
if PASSWORD_RESET_TIMEOUT < 3600 or INVITATION_HOURS < 1:
    raise ImproperlyConfigured("PASSWORD_RESET_HOURS and INVITATION_HOURS must be at least 1")

# Login throttling (django-axes) for every sign-in form: /login/ and /admin/. Within LOGIN_COOLOFF_MINUTES
# of the last failure, one address is refused after LOGIN_FAILURE_LIMIT failures for one account, and
# after LOGIN_ADDRESS_FAILURE_LIMIT failures across accounts; each try while refused starts the wait
# again. An owner lifts an account's lockout from the team page or the order page (unlock_login).
# Addresses are REMOTE_ADDR: behind a proxy, the server must put the client's address there.
INSTALLED_APPS.append("axes")
MIDDLEWARE.append("axes.middleware.AxesMiddleware")
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: a refused try never reaches the password hasher
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 20)
LOGIN_COOLOFF_MINUTES = env_int("LOGIN_COOLOFF_MINUTES", 15)
if not 1 <= LOGIN_FAILURE_LIMIT <= LOGIN_ADDRESS_FAILURE_LIMIT or LOGIN_COOLOFF_MINUTES < 1:
    raise ImproperlyConfigured(
        "LOGIN_FAILURE_LIMIT must be from 1 to LOGIN_ADDRESS_FAILURE_LIMIT; LOGIN_COOLOFF_MINUTES at least 1"
    )
AXES_HANDLER = "orderflow.accounts.throttle.LoginThrottle"
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]  # the order LoginThrottle reads
AXES_COOLOFF_TIME = LOGIN_COOLOFF_MINUTES / 60  # a float: hours
AXES_USERNAME_CALLABLE = "orderflow.accounts.throttle.username_key"
AXES_LOCKOUT_CALLABLE = "orderflow.web.views.login.locked_out"
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins are not recorded: only failures count
# Left off (axes' default): signing in to one's own account must not clear the address's failures on others.
AXES_RESET_ON_SUCCESS = False
AXES_VERBOSE = False  # no banner on every manage.py command; lockouts are still logged

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"

# Files attached to messages: stored through the "default" storage above (files under MEDIA_ROOT, never
# served from there: only the app hands them out, to who may read the message), under random names.
ATTACHMENT_MAX_FILES = env_int("ATTACHMENT_MAX_FILES", 5)
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 5 * 1024 * 1024)
# Office documents are zips: what they may expand to, in all and as a multiple of their size.
ATTACHMENT_MAX_EXPANDED_BYTES = env_int("ATTACHMENT_MAX_EXPANDED_BYTES", 100 * 1024 * 1024)
ATTACHMENT_MAX_ZIP_RATIO = env_int("ATTACHMENT_MAX_ZIP_RATIO", 100)
ATTACHMENT_MAX_ZIP_ENTRIES = env_int("ATTACHMENT_MAX_ZIP_ENTRIES", 5000)
ATTACHMENT_TYPES = env_list(
    "ATTACHMENT_TYPES",
    [
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
        "application/x-ole-storage",
        "text/csv",
        "text/plain",
    ],
)
if ATTACHMENT_MAX_FILES < 0 or ATTACHMENT_MAX_BYTES < 1:
    raise ImproperlyConfigured("ATTACHMENT_MAX_FILES must be 0 or more, ATTACHMENT_MAX_BYTES at least 1")
# Each file is at most ATTACHMENT_MAX_BYTES; the whole form may carry them all.
DATA_UPLOAD_MAX_MEMORY_SIZE = max(2_621_440, (ATTACHMENT_MAX_FILES + 1) * ATTACHMENT_MAX_BYTES)

SESSION_COOKIE_HTTPONLY = True

# Production over HTTPS. Cookies are sent over HTTPS only unless DEBUG is on (or SECURE_COOKIES=false,
# e.g. a test server on plain HTTP). Redirecting to HTTPS and HSTS are opt-in: a proxy in front may do the
# first, and HSTS binds browsers to HTTPS for its whole duration. See the README's configuration table.
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if SECURE_HSTS_SECONDS < 0:
    raise ImproperlyConfigured("SECURE_HSTS_SECONDS must be 0 (off) or more")
# Only behind a proxy that sets this header on every request and strips it from clients':
# "X-Forwarded-Proto: https". Unset, a request is HTTPS when it reached this process over HTTPS.
SECURE_PROXY_SSL_HEADER = env_header("SECURE_PROXY_SSL_HEADER")
# Pages and scripts come from this site only: no inline script or style (the static files hold them).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Where people reach this installation: links in messages are built on it.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
MESSAGE_ID_DOMAIN = env_str("MESSAGE_ID_DOMAIN", "orderflow.invalid")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Orderflow <orders@orderflow.invalid>")
# Email: EMAIL_URL (see orderflow.core.env.email_settings); without it, printed to the console.
globals().update(email_settings(env_str("EMAIL_URL", "console://")))
# Replies by email: each message email carries a reply address reply+<token>@INBOUND_EMAIL_DOMAIN for
# its recipient; mail to it is read by `manage.py receive_email` (an MTA pipe) or an anymail inbound
# webhook (/anymail/<provider>/inbound/, guarded by ANYMAIL_WEBHOOK_SECRET). Empty: replies go to the
# seller's Reply-To as before.
INBOUND_EMAIL_DOMAIN = env_str("INBOUND_EMAIL_DOMAIN", "").strip().lower()
INBOUND_EMAIL_MAX_BYTES = env_int("INBOUND_EMAIL_MAX_BYTES", 10 * 1024 * 1024)
REPLY_ADDRESS_DAYS = env_int("REPLY_ADDRESS_DAYS", 180)
ANYMAIL: dict[str, Any] = {}
if env_str("ANYMAIL_WEBHOOK_SECRET", ""):
    ANYMAIL["WEBHOOK_SECRET"] = env_str("ANYMAIL_WEBHOOK_SECRET", "")
# The sandbox keeps every outgoing email, SMS and messenger message in the app instead of sending it.
NOTIFICATIONS_SANDBOX = env_bool("NOTIFICATIONS_SANDBOX", False)
WORKER_POLL_SECONDS = float(env_str("WORKER_POLL_SECONDS", "0.25"))
# false: the worker's own PostgreSQL session commits without waiting for the WAL flush (a PostgreSQL crash
# can lose its last fraction of a second of results; those messages are sent again, same Message-ID).
WORKER_SYNCHRONOUS_COMMIT = env_bool("WORKER_SYNCHRONOUS_COMMIT", True)
# How many sends to servers that sellers choose (webhooks, SMS and messenger gateways) one worker makes at
# the same time, each on its own thread and database connection.
WORKER_CONCURRENCY = env_int("WORKER_CONCURRENCY", 8)
# Webhooks and Apprise URLs to addresses that are not public are refused (orderflow.core.outbound) unless
# allowed: tests and closed networks allow them.
ALLOW_PRIVATE_DESTINATIONS = env_bool("ALLOW_PRIVATE_DESTINATIONS", False)
# Each webhook or Apprise send: at most this long to connect, and this long in all (answer included).
OUTBOUND_CONNECT_SECONDS = env_int("OUTBOUND_CONNECT_SECONDS", 3)
OUTBOUND_SEND_SECONDS = env_int("OUTBOUND_SEND_SECONDS", 10)
if not 1 <= OUTBOUND_CONNECT_SECONDS <= OUTBOUND_SEND_SECONDS:
    raise ImproperlyConfigured("OUTBOUND_CONNECT_SECONDS must be from 1 to OUTBOUND_SEND_SECONDS")

# Every log line passes the filter that masks customer links' tokens (orderflow.core.logmask); the
# development server's request lines keep Django's format. gunicorn's and granian's access logs are
# masked by orderflow.wsgi.
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_link_tokens": {"()": "orderflow.core.logmask.MaskLinkTokens"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_link_tokens"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["mask_link_tokens"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
}

# The REST API (/api/v1/). With "ninja" installed, its docs page serves Swagger UI from the static files
# (whitenoise) instead of a third-party CDN.
INSTALLED_APPS.append("ninja")
# Requests per token per window; counted in the cache below.
API_RATE_LIMIT = env_int("API_RATE_LIMIT", 600)
API_RATE_WINDOW_SECONDS = env_int("API_RATE_WINDOW_SECONDS", 60)
if API_RATE_LIMIT < 1 or API_RATE_WINDOW_SECONDS < 1:
    raise ImproperlyConfigured("API_RATE_LIMIT and API_RATE_WINDOW_SECONDS must be at least 1")


def _cache(url: str) -> dict[str, Any]:
    """locmem:// (one process: the default) or redis://host:6379/0 (shared by every web process, so
    rate limits hold across them; needs the redis package)."""
    scheme = url.split("://", 1)[0].lower()
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if scheme in ("redis", "rediss", "unix"):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    raise ImproperlyConfigured("CACHE_URL must start with locmem:// or redis:// (rediss://, unix://)")


CACHES = {"default": _cache(env_str("CACHE_URL", "locmem://"))}

# Background jobs other than sending (imports, exports, schedules, expiries) go through Django's task
# API (the django-tasks backport) and are kept in the database until `manage.py db_worker` runs them;
# `make demo` starts one beside the web server and the notification worker.
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Periodic jobs: a task's dotted path (decorated with `@task()` and `@periodic`) and its interval in
# seconds. `manage.py run_tasks` (the task worker) keeps one run of each waiting; see orderflow.core.periodic.
PERIODIC_TASKS: dict[str, int] = {
    "orderflow.quotes.tasks.expire_due_quotes": 5 * 60,
    # Scheduled exports of participants and leads that are due, every minute; expired downloads, hourly.
    "orderflow.transfers.actions.exports.run_due_schedules": 60,
    "orderflow.transfers.actions.exports.purge_expired_downloads": 3600,
}
