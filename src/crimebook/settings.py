"""Django settings, derived from the typed :mod:`crimebook.config`. Nothing is set here by hand
that an operator may need to change: use ``CRIMEBOOK_*`` environment variables."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext

from crimebook.config import ConfigError, Mode, load_config

try:
    CONFIG = load_config()
except ConfigError as _exc:  # one line, no traceback: the operator knows what to set
    sys.stderr.write(f"crimebook: configuration error: {_exc}\n")
    raise SystemExit(2) from None

django_stubs_ext.monkeypatch()  # lets admin and querysets be subscripted at run time

BASE_DIR = Path(__file__).resolve().parent
PRODUCTION = CONFIG.mode is Mode.PRODUCTION
DEBUG = CONFIG.debug
SECRET_KEY = CONFIG.effective_secret_key
ALLOWED_HOSTS = CONFIG.allowed_hosts
CRIMEBOOK_DATA_DIR = CONFIG.data_path
CRIMEBOOK_KEY_DIR = CONFIG.keys_path
CRIMEBOOK_INTAKE_STORE_DIR = CONFIG.intake_store_path
CRIMEBOOK_BACKUP_RECIPIENTS = CONFIG.backup_recipients
CRIMEBOOK_VAULT_DIR = CONFIG.vault_path
CRIMEBOOK_VAULT_RECIPIENTS = CONFIG.vault_recipients
CRIMEBOOK_MAP_TILE_URL = CONFIG.map_tile_url
CRIMEBOOK_MAP_TILE_ATTRIBUTION = CONFIG.map_tile_attribution
CRIMEBOOK_VAULT_BACKEND = CONFIG.vault_backend
CRIMEBOOK_VAULT_S3 = {
    "bucket_name": CONFIG.vault_s3_bucket,
    "endpoint_url": CONFIG.vault_s3_endpoint_url or None,
    "region_name": CONFIG.vault_s3_region or None,
    "access_key": CONFIG.vault_s3_access_key or None,
    "secret_key": CONFIG.vault_s3_secret_key or None,
    "location": CONFIG.vault_s3_prefix.rstrip("/"),
}
CRIMEBOOK_TSA_URLS = CONFIG.tsa_urls
CRIMEBOOK_TSA_CA_FILE = CONFIG.tsa_ca_file
CRIMEBOOK_TSA_TIMEOUT = CONFIG.tsa_timeout_seconds
# Background jobs (crimebook.jobs): huey on a SQLite file, or on Redis when a URL is set.
CRIMEBOOK_REDIS_URL = CONFIG.redis_url
CRIMEBOOK_JOBS_QUEUE = CONFIG.jobs_queue
CRIMEBOOK_JOBS_SQLITE = CONFIG.jobs_sqlite_path
CRIMEBOOK_JOB_RETRY_SECONDS = 30  # a failed attempt is retried after this long
CRIMEBOOK_JOB_STALE_SECONDS = 90  # a running job silent this long lost its worker
# The cache holds rate-limit counters (API tokens, login attempts). It must be shared by every
# server process, or each worker keeps its own budget: Redis when a URL is set (several hosts),
# else files in the data directory (every process of one host). Nothing else is cached there.
CACHES: dict[str, dict[str, Any]] = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": CRIMEBOOK_REDIS_URL,
        "KEY_PREFIX": f"{CRIMEBOOK_JOBS_QUEUE}-cache",
    }
    if CRIMEBOOK_REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(CRIMEBOOK_DATA_DIR / "cache"),
        "OPTIONS": {"MAX_ENTRIES": 10_000},
    }
}
CRIMEBOOK_API_TOKEN_MAX_DAYS = CONFIG.api_token_max_days
CRIMEBOOK_API_RATE_PER_MINUTE = CONFIG.api_rate_per_minute
CRIMEBOOK_API_RATE_BURST = CONFIG.api_rate_burst
CRIMEBOOK_API_BULK_MAX = CONFIG.api_bulk_max

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # ninja: its Swagger UI templates and static files, served from here instead of a CDN
    "ninja",
    # our apps come before allauth so that our templates override its pages
    "crimebook.accounts",
    "crimebook.audit",
    "crimebook.register",
    "crimebook.web",
    "crimebook.intake",  # its tables and sealed store, read by triage
    "crimebook.triage",
    "crimebook.evidence",
    "crimebook.maps",  # the map's grid index (after register and audit)
    "crimebook.search",  # after the apps whose records it indexes (signals)
    "crimebook.leads",
    "crimebook.cases",
    "crimebook.jobs",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
]

MIDDLEWARE = [
    "crimebook.core.middleware.StripClientIdentifiersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "crimebook.web.middleware.SecurityHeadersMiddleware",
    "crimebook.web.middleware.IdleSessionMiddleware",  # Django's, unchanged sessions written ≤1/min
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "crimebook.web.middleware.LoginRequiredMiddleware",
    "crimebook.accounts.middleware.RequireSecondFactorMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked-out account before the password
    # allauth's, loading the signed-in user with their compartments in one statement
    "crimebook.accounts.backends.StaffAuthenticationBackend",
]

# Login: django-allauth with its MFA app (TOTP + recovery codes). Staff accounts only.
ACCOUNT_ADAPTER = "crimebook.accounts.adapter.StaffAccountAdapter"
MFA_ADAPTER = "crimebook.accounts.adapter.EncryptingMFAAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PREVENT_ENUMERATION = True
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Crimebook"
# Rate limits keyed by account only: every client looks alike (no addresses are kept), so an
# address-keyed limit would let one attacker lock out everybody.
ACCOUNT_RATE_LIMITS = {
    "login": "100000/m/ip",
    "login_failed": "5/5m/key",
    "change_password": "5/m/user",
    "reauthenticate": "10/m/user",
    "reset_password": "1/m/ip",
    "signup": "1/m/ip",
}
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"  # no e-mail leaves the host

# Lockout after repeated password failures, per account (django-axes), never per address.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_FORM_FIELD = "login"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"

ROOT_URLCONF = "crimebook.urls"
WSGI_APPLICATION = "crimebook.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "crimebook.web.context.workspace",
            ],
        },
    },
]


def _databases() -> dict[str, dict[str, Any]]:
    if CONFIG.database_url:
        db: dict[str, Any] = dict(dj_database_url.parse(CONFIG.database_url, conn_max_age=60))
        if db["ENGINE"] == "django.db.backends.postgresql":
            # CRIMEBOOK_TEST_DB_SUFFIX lets several test runs share one server without colliding.
            suffix = os.environ.get("CRIMEBOOK_TEST_DB_SUFFIX", "")
            db.setdefault("TEST", {})["NAME"] = f"test_crimebook_{db.get('NAME') or 'db'}{suffix}"
        return {"default": db}
    CONFIG.data_path.mkdir(parents=True, exist_ok=True)
    return {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(CONFIG.sqlite_path),
            "OPTIONS": {
                # WAL lets readers work while one writer commits; IMMEDIATE takes the write
                # lock at BEGIN so the audit chain head cannot be read stale by two writers.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=15000;"
                ),
                "transaction_mode": "IMMEDIATE",
            },
        }
    }


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = CONFIG.language_code
LANGUAGES = [("en", "English"), ("ru", "Русский"), ("be", "Беларуская")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = CONFIG.time_zone
USE_I18N = True
FORMAT_MODULE_PATH = ["crimebook.formats"]  # Belarusian dates and numbers
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = CONFIG.data_path / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Sessions and cookies: short idle lifetime, never readable by scripts.
# Django's database sessions, loaded by one plain statement (web/sessions.py)
SESSION_ENGINE = "crimebook.web.sessions"
SESSION_COOKIE_NAME = "crimebook_ws"
SESSION_COOKIE_AGE = CONFIG.session_idle_seconds
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Strict" if PRODUCTION else "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Strict" if PRODUCTION else "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# "same-origin": nothing leaves for other sites; "no-referrer" would make browsers send
# "Origin: null" on our own form posts, which CSRF protection must refuse.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_HSTS_SECONDS = 63072000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Logging: structured, to stderr, with no request addresses or user agents anywhere.
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"scrub": {"()": "crimebook.core.logging.ScrubFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["scrub"],
        }
    },
    "root": {"handlers": ["stderr"], "level": CONFIG.log_level},
    "loggers": {
        # django.request and django.server put the client address and path in their records.
        "django.request": {"handlers": ["stderr"], "level": "ERROR", "propagate": False},
        "django.server": {"handlers": [], "level": "CRITICAL", "propagate": False},
        "django.security": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
        "axes": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
    },
}
