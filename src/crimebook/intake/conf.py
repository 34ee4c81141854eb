"""The intake's settings as typed values (from :mod:`crimebook.intake_settings`, or from the
workspace settings when the triage side reads the store)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from pyrage import x25519

from crimebook.intake.ratelimit import TokenBucket
from crimebook.intake.receipts import signing_key_load_or_create
from crimebook.intake.sealing import parse_recipients
from crimebook.intake.store import Store

__all__ = [
    "codename_bucket",
    "codename_salt",
    "max_files",
    "max_upload_bytes",
    "post_bucket",
    "recipients",
    "signing_key",
    "store",
]

SALT_FILE = "codename-salt"


def _setting(name: str) -> Any:
    """Intake settings exist in crimebook.intake_settings (and, for the store, the workspace)."""
    return getattr(settings, name)


def store() -> Store:
    return _store(str(_setting("CRIMEBOOK_INTAKE_STORE_DIR")))


@lru_cache(maxsize=4)
def _store(root: str) -> Store:
    """One :class:`Store` per directory and process (it resolves its root once, and the
    threads of a worker share its directory fsyncs)."""
    return Store(Path(root))


def recipients() -> list[x25519.Recipient]:
    return _recipients(tuple(_setting("CRIMEBOOK_INTAKE_RECIPIENTS")))


@lru_cache(maxsize=4)
def _recipients(values: tuple[str, ...]) -> list[x25519.Recipient]:
    return parse_recipients(values)


def max_upload_bytes() -> int:
    return int(_setting("CRIMEBOOK_INTAKE_MAX_UPLOAD_BYTES"))


def max_files() -> int:
    return int(settings.DATA_UPLOAD_MAX_NUMBER_FILES)


def signing_key() -> Ed25519PrivateKey:
    return _signing_key(Path(_setting("CRIMEBOOK_INTAKE_SIGNING_KEY_FILE")))


@lru_cache(maxsize=4)
def _signing_key(path: Path) -> Ed25519PrivateKey:
    return signing_key_load_or_create(path)


def codename_salt() -> bytes:
    return _codename_salt(store().root)


@lru_cache(maxsize=4)
def _codename_salt(root: Path) -> bytes:
    """32 random bytes made on first use (a lost salt makes every codename useless: the
    file is backed up with the sealed store)."""
    import os
    import secrets

    path = root / SALT_FILE
    if not path.exists():
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = root / f".{SALT_FILE}.{secrets.token_hex(4)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(32))
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    salt = path.read_bytes()
    if len(salt) != 32:
        raise RuntimeError(f"{path} is damaged")
    return salt


@lru_cache(maxsize=1)
def post_bucket() -> TokenBucket:
    return TokenBucket(per_minute=int(_setting("CRIMEBOOK_INTAKE_POSTS_PER_MINUTE")))


@lru_cache(maxsize=1)
def codename_bucket() -> TokenBucket:
    return TokenBucket(per_minute=int(_setting("CRIMEBOOK_INTAKE_CODENAME_TRIES_PER_MINUTE")))
