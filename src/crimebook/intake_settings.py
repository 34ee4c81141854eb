"""Django settings of the public intake, derived from the typed :mod:`crimebook.config`.

Run with ``DJANGO_SETTINGS_MODULE=crimebook.intake_settings`` (``crimebook serve
--intake-only``). Compared with the workspace settings: no admin, no auth, no sessions table,
no login middleware, no API; its own cookies; one upload handler that seals while streaming;
strict upload limits; logging that never sees a request. Nothing imported here (or by the
intake app) can decrypt organisation data: only age *public* keys are configured, and the
process refuses to start without them.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext

from crimebook.config import ConfigError, Mode, load_config

try:
    CONFIG = load_config()
    if not CONFIG.intake_recipients:
        raise ConfigError(
            "the intake needs CRIMEBOOK_INTAKE_RECIPIENTS: the age public key(s) it seals to "
            "(create one on the workspace with `crimebook intake keygen`)"
        )
except ConfigError as _exc:
    sys.stderr.write(f"crimebook intake: configuration error: {_exc}\n")
    raise SystemExit(2) from None

django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent
PRODUCTION = CONFIG.mode is Mode.PRODUCTION
DEBUG = CONFIG.debug
SECRET_KEY = CONFIG.effective_secret_key
ALLOWED_HOSTS = CONFIG.allowed_hosts
CRIMEBOOK_DATA_DIR = CONFIG.data_path
CRIMEBOOK_INTAKE_STORE_DIR = CONFIG.intake_store_path
CRIMEBOOK_INTAKE_RECIPIENTS = CONFIG.intake_recipients
CRIMEBOOK_INTAKE_SIGNING_KEY_FILE = CONFIG.intake_signing_key_path
CRIMEBOOK_INTAKE_MAX_UPLOAD_BYTES = CONFIG.intake_max_upload_bytes
CRIMEBOOK_INTAKE_POSTS_PER_MINUTE = CONFIG.intake_posts_per_minute
CRIMEBOOK_INTAKE_CODENAME_TRIES_PER_MINUTE = CONFIG.intake_codename_tries_per_minute

INSTALLED_APPS = [
    "django.contrib.staticfiles",
    "crimebook.intake",
]

MIDDLEWARE = [
    "crimebook.intake.middleware.IntakeGuardMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "crimebook.intake.urls"
WSGI_APPLICATION = "crimebook.intake.wsgi.application"
CSRF_FAILURE_VIEW = "crimebook.intake.views.csrf_failure"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csrf",
                "crimebook.intake.context.intake",
            ],
        },
    },
]


def _databases() -> dict[str, dict[str, Any]]:
    """The intake's own tables. On one machine it shares the workspace's database (so that
    triage sees the queue); on its own host it has its own database with only these tables."""
    if CONFIG.database_url:
        db: dict[str, Any] = dict(dj_database_url.parse(CONFIG.database_url, conn_max_age=60))
        if db["ENGINE"] == "django.db.backends.postgresql":
            db.setdefault("TEST", {})["NAME"] = f"test_crimebook_{db.get('NAME') or 'db'}"
        return {"default": db}
    CONFIG.data_path.mkdir(parents=True, exist_ok=True)
    return {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(CONFIG.sqlite_path),
            # One connection per server thread, kept: opening one (and its PRAGMAs) on every
            # request cost more than the two inserts it made.
            "CONN_MAX_AGE": 600,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                # synchronous=FULL: a commit is on disk before "received" is shown.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                    "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=15000;"
                ),
                "transaction_mode": "IMMEDIATE",
            },
        }
    }


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = CONFIG.language_code
LANGUAGES = [("en", "English"), ("ru", "Русский"), ("be", "Беларуская")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
FORMAT_MODULE_PATH = ["crimebook.formats"]  # Belarusian dates and numbers
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = CONFIG.data_path / "intake-static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise serves the app's files via finders
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Sessions: a signed cookie holding only the source's random id after a codename check, so
# the server keeps no session table (no per-visit rows, no last-seen times).
SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
SESSION_COOKIE_NAME = "cb_intake"
SESSION_COOKIE_AGE = 1800
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Strict"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_NAME = "cb_intake_csrf"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Strict"
CSRF_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_NAME = "cb_intake_lang"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"  # no-referrer makes browsers send Origin: null
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_HSTS_SECONDS = 63072000
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
USE_X_FORWARDED_HOST = False

# Uploads: sealed while streaming, never buffered in plaintext (see crimebook.intake.uploads).
FILE_UPLOAD_HANDLERS = ["crimebook.intake.uploads.SealingUploadHandler"]
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024  # the text fields of one form
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200
DATA_UPLOAD_MAX_NUMBER_FILES = CONFIG.intake_max_files

# Logging: no times, no request objects, no addresses; server errors are logged with the
# exception's type and code location only (messages could quote what a source typed).
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"scrub": {"()": "crimebook.intake.logging.IntakeScrubFilter"}},
    "formatters": {"plain": {"format": "%(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["scrub"],
        }
    },
    "root": {"handlers": ["stderr"], "level": CONFIG.log_level},
    "loggers": {
        "django.request": {"handlers": ["stderr"], "level": "ERROR", "propagate": False},
        "django.server": {"handlers": [], "level": "CRITICAL", "propagate": False},
        "django.security": {"handlers": [], "level": "CRITICAL", "propagate": False},
        "gunicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
    },
}
