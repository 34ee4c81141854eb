"""Intake test fixtures: the intake's own settings applied over the test settings, an
organisation key pair (the private half plays the workspace), and a store in tmp_path."""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from pyrage import x25519

from crimebook.intake import conf

INTAKE_SETTING_NAMES = (
    "ROOT_URLCONF",
    "MIDDLEWARE",
    "TEMPLATES",
    "CSRF_FAILURE_VIEW",
    "SESSION_ENGINE",
    "SESSION_COOKIE_NAME",
    "SESSION_COOKIE_AGE",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_NAME",
    "CSRF_COOKIE_SAMESITE",
    "LANGUAGE_COOKIE_NAME",
    "FILE_UPLOAD_HANDLERS",
    "DATA_UPLOAD_MAX_MEMORY_SIZE",
    "DATA_UPLOAD_MAX_NUMBER_FIELDS",
    "DATA_UPLOAD_MAX_NUMBER_FILES",
    "CRIMEBOOK_INTAKE_POSTS_PER_MINUTE",
    "CRIMEBOOK_INTAKE_CODENAME_TRIES_PER_MINUTE",
)


def _intake_settings_module() -> Any:
    identity = x25519.Identity.generate()
    os.environ.setdefault("CRIMEBOOK_INTAKE_RECIPIENTS", str(identity.to_public()))
    return importlib.import_module("crimebook.intake_settings")


@dataclass
class Intake:
    identity: x25519.Identity
    store_dir: Path
    settings: Any

    def client(self, **kwargs: Any) -> Client:
        return Client(**kwargs)


def clear_caches() -> None:
    for cached in (conf.post_bucket, conf.codename_bucket, conf._codename_salt, conf._signing_key):
        cached.cache_clear()


@pytest.fixture
def intake(settings: Any, tmp_path: Path, db: Any) -> Iterator[Intake]:
    module = _intake_settings_module()
    for name in INTAKE_SETTING_NAMES:
        setattr(settings, name, getattr(module, name))
    identity = x25519.Identity.generate()
    settings.CRIMEBOOK_INTAKE_RECIPIENTS = [str(identity.to_public())]
    settings.CRIMEBOOK_INTAKE_STORE_DIR = tmp_path / "intake"
    settings.CRIMEBOOK_INTAKE_SIGNING_KEY_FILE = tmp_path / "intake" / "receipt-signing.key"
    settings.CRIMEBOOK_INTAKE_MAX_UPLOAD_BYTES = 8 * 1024 * 1024
    settings.ALLOWED_HOSTS = ["testserver"]
    clear_caches()
    yield Intake(identity=identity, store_dir=tmp_path / "intake", settings=settings)
    clear_caches()
