"""The vault's age identities (workspace key directory) and the recipients it seals to.

``$CRIMEBOOK_KEY_DIR/vault-identities.txt`` is a standard age identity file (mode 0600), so
the stock tool opens any evidentiary copy: ``age -d -i vault-identities.txt ab/cd/<sha>.age``.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from pyrage import x25519

from crimebook.evidence.sealing import SealError, parse_identities, parse_recipients
from crimebook.evidence.storage import Store, StoreError, VaultStore

__all__ = ["IDENTITY_FILE", "identity_file_path", "store", "store_for", "vault_identities",
           "vault_keygen", "vault_recipients"]  # fmt: skip

IDENTITY_FILE = "vault-identities.txt"


def identity_file_path() -> Path:
    return Path(settings.CRIMEBOOK_KEY_DIR) / IDENTITY_FILE


def store() -> Store:
    """The configured store new evidence goes to (CRIMEBOOK_VAULT_BACKEND)."""
    backend = getattr(settings, "CRIMEBOOK_VAULT_BACKEND", "filesystem")
    return store_for("s3" if backend == "s3" else "local")


def store_for(backend: str) -> Store:
    """The store an item was written to (``EvidenceItem.storage_backend``)."""
    if backend == "local":
        return VaultStore(Path(settings.CRIMEBOOK_VAULT_DIR))
    if backend == "s3":
        options = dict(getattr(settings, "CRIMEBOOK_VAULT_S3", {}) or {})
        return _s3_store(Path(settings.CRIMEBOOK_VAULT_DIR), tuple(sorted(options.items())))
    raise StoreError(f"unknown storage backend {backend!r}")


@lru_cache(maxsize=4)
def _s3_store(staging_root: Path, options: tuple[tuple[str, Any], ...]) -> Store:
    """One S3 store (and boto3 session) per configuration, not one per call."""
    from crimebook.evidence.s3store import S3VaultStore

    return S3VaultStore(staging_root, dict(options))


def vault_identities() -> list[x25519.Identity]:
    path = identity_file_path()
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        raise SealError(
            f"{path} does not exist; create it with `crimebook evidence keygen`"
        ) from None
    found = parse_identities(text)
    if not found:
        raise SealError(f"{path} holds no identity")
    return found


def vault_recipients() -> list[x25519.Recipient]:
    """The configured recipients, or the public half of the local identity."""
    configured = list(getattr(settings, "CRIMEBOOK_VAULT_RECIPIENTS", []) or [])
    if configured:
        return parse_recipients(configured)
    return [identity.to_public() for identity in vault_identities()]


def vault_keygen() -> tuple[Path, str, bool]:
    """Create the identity file if absent. Returns (path, public recipient, created)."""
    path = identity_file_path()
    if path.exists():
        return path, str(vault_identities()[0].to_public()), False
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    identity = x25519.Identity.generate()
    public = str(identity.to_public())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(f"# crimebook evidence vault identity; public key: {public}\n{identity}\n")
        handle.flush()
        os.fsync(handle.fileno())
    return path, public, True
