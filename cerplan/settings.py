"""Settings for cerplan, read from the environment.

DJANGO_SECRET_KEY   required unless DJANGO_DEBUG is on (then a throw-away key is made per process).
DJANGO_DEBUG        "1"/"true" turns debug on; off by default so production is the safe default.
DJANGO_ALLOWED_HOSTS comma-separated; defaults to localhost only.
DATABASE_URL        PostgreSQL in production; without it, the embedded SQLite file db.sqlite3.
"""

import importlib.metadata
import os
import secrets
import time
import tomllib
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default):
    value = os.environ.get(name, "")
    return [item.strip() for item in value.split(",") if item.strip()] or default


DEBUG = env_flag("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random value "
            '(python -c "import secrets; print(secrets.token_urlsafe(50))"), '
            "or set DJANGO_DEBUG=1 for local development."
        )
    # Debug only: sessions do not survive a restart, which is acceptable on a laptop.
    SECRET_KEY = secrets.token_urlsafe(50)

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    "clusters.apps.CerplanAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "import_export",
    "simple_history",
    "axes",
    "clusters",
    "actions",
]

MIDDLEWARE = [
    # Outermost, so their headers are on every response: static files (WhiteNoise answers
    # before the middlewares below it run), and the 400 for a bad Host (refused by the first
    # middleware that reads the host, after which only the middlewares outside it run).
    "cerplan.middleware.SecurityHeadersMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "cerplan.middleware.PrivateResponsesMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The health probe after the header middlewares above (so /healthz gets their headers too)
    # and before the session, which it does not need.
    "actions.views.health.HealthzMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "clusters.middleware.SessionLifetimeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks, so it sees the outcome of every sign-in.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cerplan.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clusters.context_processors.roles",
            ],
        },
    },
]

WSGI_APPLICATION = "cerplan.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        # A health check costs every request one more round trip to the database (a SELECT 1
        # before its first query). Off by default: after a database restart each worker's
        # next request fails once, and Django then drops that connection (docs/operations.md);
        # DJANGO_CONN_HEALTH_CHECKS=1 turns it on where that failed request matters more.
        conn_health_checks=env_flag("DJANGO_CONN_HEALTH_CHECKS"),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
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

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Language: Spanish (Chile) first; the source strings are Spanish and locale/en holds English.
LANGUAGE_CODE = "es"
LANGUAGES = [("es", _("Español")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "America/Santiago"
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    # Evidence files are private: they live under MEDIA_ROOT and are served only by a
    # permission-checking view; MEDIA_URL is deliberately not routed anywhere.
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/evidence-files-are-served-by-a-view/"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Sessions: 30 minutes idle, 12 hours at most (clusters.middleware.SessionLifetimeMiddleware
# renews the idle clock on activity and enforces the cap), database-backed so several processes
# and servers share them.
SESSION_COOKIE_AGE = 30 * 60
SESSION_ABSOLUTE_MAX_AGE = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# TLS ends at the proxy in front; it marks secure requests with X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = not DEBUG
# The load balancer probes /healthz over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = 0 if DEBUG else 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Only the portal's own origin; no inline scripts or styles.
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
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Sign-in lock-out (cerplan.security): 5 failures per account and address lock that address out
# of that account for 15 minutes (the owner elsewhere still signs in); 30 failures from one
# address, whatever the accounts, lock that address out of every account.
AXES_HANDLER = "cerplan.security.LockoutHandler"
AXES_FAILURE_LIMIT = 5
SIGN_IN_ADDRESS_FAILURE_LIMIT = 30
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], ["ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # its start-up banner would print on every manage.py command
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The client address (cerplan.security.client_address): REMOTE_ADDR, unless the deployment says
# how many proxies in front append to X-Forwarded-For; then the entry those proxies wrote, never
# one the client wrote, so a forged X-Forwarded-For neither picks nor resets the counted address.
TRUSTED_PROXY_COUNT = int(os.environ.get("DJANGO_TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "cerplan.security.client_address"

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_flag("DJANGO_EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "cerplan@localhost")
# Password reset (clusters.password_reset): off in production while EMAIL_BACKEND only prints
# (console, filebased); requests per hour from one address and for one e-mail address.
PASSWORD_RESET_LIMIT_PER_ADDRESS = 5
PASSWORD_RESET_LIMIT_PER_ACCOUNT = 3

# Uploaded evidence: 10 MB per file; forms check it, this caps what Django keeps in memory.
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# Caches: one cache shared by every worker process and every application server. By default it
# is kept in the database they already share (`manage.py createcachetable` creates the table;
# `make serve` runs it; Django's test runner creates it for the test database), so no further
# service is needed. DJANGO_CACHE_URL=redis://host:6379/0 (or rediss://) uses Django's own Redis
# backend instead, for several application servers under load. Either way, entries are keyed on
# each CER's data version (actions.reporting.cache), so servers never disagree after a write.
CACHE_TIMEOUT = int(os.environ.get("DJANGO_CACHE_TIMEOUT", str(60 * 60)))


def _cache_from_url(url):
    if not url or url == "db://":
        return {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "cerplan_cache",
            "TIMEOUT": CACHE_TIMEOUT,
            "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("DJANGO_CACHE_MAX_ENTRIES", "20000"))},
        }
    if url.startswith(("redis://", "rediss://", "unix://")):
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "TIMEOUT": CACHE_TIMEOUT,
        }
    raise ImproperlyConfigured(
        f"DJANGO_CACHE_URL={url!r} is not understood: use redis://host:port/db, rediss://..., "
        "or leave it empty (or db://) for the database cache."
    )


CACHES = {"default": _cache_from_url(os.environ.get("DJANGO_CACHE_URL", "").strip())}


def _package_version():
    try:
        return importlib.metadata.version("cerplan")
    except importlib.metadata.PackageNotFoundError:  # run from a checkout without installing
        with open(BASE_DIR / "pyproject.toml", "rb") as pyproject:
            return tomllib.load(pyproject)["project"]["version"]


# The release, part of every cache key (actions.reporting.cache): a deployment never serves
# markup the previous release rendered. CERPLAN_RELEASE (a tag, a commit) from the deployment,
# else the package version. In debug, code changes without a new version, so each process
# (runserver restarts on every change) keys its own entries.
CERPLAN_RELEASE = os.environ.get("CERPLAN_RELEASE") or _package_version()
if DEBUG and not os.environ.get("CERPLAN_RELEASE"):
    CERPLAN_RELEASE += f"-dev{time.time_ns()}"

# Structured logs: one JSON object a line on stdout (clusters.logging.JsonFormatter), which is
# what a container platform or a log collector reads. DJANGO_LOG_FORMAT=plain|json chooses;
# the default is plain text in development (DJANGO_DEBUG on), JSON otherwise.
LOG_FORMAT = os.environ.get("DJANGO_LOG_FORMAT", "plain" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "clusters.logging.JsonFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "plain" if LOG_FORMAT == "plain" else "json",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
    },
}

# django-import-export. Imports run through actions.spreadsheets.imports (preview, then confirm,
# through the
# services, all-or-nothing), not through import-export's own import views; these settings make the
# library's defaults safe anyway for anything that does use them:
# - its import and export views answer any admin-site user unless these name a permission.
#   "import"/"export" are codenames no model defines, so only superusers pass by default; our
#   admin classes override has_import_permission/has_export_permission with is_admin.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "export"
# - one transaction per import. (A row's validation error rolls back only with
#   rollback_on_validation_errors, and full_clean runs only with Meta.clean_model_instances: our
#   resources (actions/resources.py) refuse import_data() altogether and set the latter.)
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_SKIP_ADMIN_CONFIRM = False
# - its formula escaping only strips a leading "=" and turns every cell into text; our export
#   formats (actions.spreadsheets.exports.EscapedCSV/EscapedXLSX) quote-escape = + - @ and keep
# numbers numbers.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = False
IMPORT_EXPORT_ESCAPE_ILLEGAL_CHARS_ON_EXPORT = True
IMPORT_EXPORT_IMPORT_IGNORE_BLANK_LINES = True
# - temporary files of its import views under MEDIA_ROOT (private), never the shared /tmp.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.MediaStorage"
