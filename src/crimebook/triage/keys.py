"""The intake's private age identities, kept in the workspace key directory only.

``$CRIMEBOOK_KEY_DIR/intake-identities.txt`` is a standard age identity file (one
``AGE-SECRET-KEY-1…`` per line, ``#`` comments), mode 0600, so the stock tool decrypts the
store too: ``age -d -i intake-identities.txt report.age``. Its public recipients are what the
intake host is configured with (``CRIMEBOOK_INTAKE_RECIPIENTS``).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from pyrage import x25519

__all__ = ["IDENTITY_FILE", "identities", "identity_file_path", "intake_keygen"]

IDENTITY_FILE = "intake-identities.txt"


class IntakeKeyError(Exception):
    """The identity file is missing or malformed."""


def identity_file_path() -> Path:
    return Path(settings.CRIMEBOOK_KEY_DIR) / IDENTITY_FILE


def identities() -> list[x25519.Identity]:
    return _identities(identity_file_path())


@lru_cache(maxsize=4)
def _identities(path: Path) -> list[x25519.Identity]:
    try:
        lines = path.read_text(encoding="ascii").splitlines()
    except FileNotFoundError:
        raise IntakeKeyError(
            f"{path} does not exist; create it with `crimebook intake keygen`"
        ) from None
    found = []
    for line in lines:
        line = line.strip()
        if line and not line.startswith("#"):
            try:
                found.append(x25519.Identity.from_str(line))
            except Exception as exc:
                raise IntakeKeyError(f"{path} holds a line that is not an age identity") from exc
    if not found:
        raise IntakeKeyError(f"{path} holds no identity")
    return found


def intake_keygen() -> tuple[Path, str, bool]:
    """Create the identity file if absent. Returns (path, public recipient, created)."""
    path = identity_file_path()
    if path.exists():
        return path, str(identities()[0].to_public()), False
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    identity = x25519.Identity.generate()
    public = str(identity.to_public())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(f"# crimebook intake identity; public key: {public}\n{identity}\n")
        handle.flush()
        os.fsync(handle.fileno())
    _identities.cache_clear()
    return path, public, True
