"""A key file holding the data-encryption keys, the blind-index key and the audit key.

File format (JSON, mode 0600, outside the database)::

    {"format": "crimebook-keyring/1", "active": "k2",
     "data_keys": {"k1": "<base64 32 bytes>", "k2": "..."},
     "index_key": "<base64 32 bytes>", "audit_key": "<base64 32 bytes>"}

Ciphertexts are text: ``v1:<key id>:<base64(nonce || ciphertext+tag)>``. The key id lets
``keys rotate`` re-encrypt field by field and lets old ciphertexts be read meanwhile. The
associated data binds a ciphertext to its record and field, so a value copied into another
row or column fails to decrypt instead of being shown as someone else's identity.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

FORMAT = "crimebook-keyring/1"
_PREFIX = "v1"
_NONCE_BYTES = 12


class KeyFileError(Exception):
    """The key file is missing, unreadable or malformed."""


class DecryptionError(Exception):
    """A ciphertext was tampered with, belongs elsewhere, or needs a key we do not have."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str, what: str) -> bytes:
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError) as exc:
        raise KeyFileError(f"{what} is not valid base64") from exc
    if len(raw) != 32:
        raise KeyFileError(f"{what} must be 32 bytes, found {len(raw)}")
    return raw


@dataclass(frozen=True)
class Keyring:
    """Keys in memory. Immutable: rotation returns a new keyring."""

    active: str
    data_keys: dict[str, bytes]
    index_key: bytes
    audit_key: bytes = field(repr=False)

    def __repr__(self) -> str:  # never print key material
        return f"Keyring(active={self.active!r}, key_ids={sorted(self.data_keys)!r})"

    # -- field encryption -------------------------------------------------------------
    def encrypt(self, plaintext: str, aad: str) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = AESGCM(self.data_keys[self.active]).encrypt(
            nonce, plaintext.encode("utf-8"), aad.encode("utf-8")
        )
        return f"{_PREFIX}:{self.active}:{_b64(nonce + sealed)}"

    def decrypt(self, token: str, aad: str) -> str:
        try:
            prefix, key_id, body = token.split(":", 2)
        except ValueError:
            raise DecryptionError("ciphertext is malformed") from None
        if prefix != _PREFIX:
            raise DecryptionError("ciphertext has an unknown format")
        key = self.data_keys.get(key_id)
        if key is None:
            raise DecryptionError(f"ciphertext needs key {key_id!r}, which this key file lacks")
        try:
            raw = base64.b64decode(body.encode("ascii"), validate=True)
            plain = AESGCM(key).decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], aad.encode())
        except (ValueError, InvalidTag, UnicodeEncodeError):
            raise DecryptionError(
                "ciphertext failed authentication (tampered, or moved from another record)"
            ) from None
        return plain.decode("utf-8")

    @staticmethod
    def key_id_of(token: str) -> str:
        parts = token.split(":", 2)
        return parts[1] if len(parts) == 3 else ""

    # -- keyed digests ------------------------------------------------------------------
    def blind_index(self, kind: str, normalised: str) -> str:
        """HMAC of an already normalised value; equal inputs give equal digests."""
        msg = f"{kind}\x00{normalised}".encode()
        return hmac.new(self.index_key, msg, hashlib.sha256).hexdigest()

    def audit_digest(self, value: str) -> str:
        """Keyed hash recorded in the audit log in place of a sensitive value."""
        return "hmac-sha256:" + hmac.new(self.audit_key, value.encode(), hashlib.sha256).hexdigest()

    def with_new_active_key(self) -> Keyring:
        number = 1 + max(int(k[1:]) for k in self.data_keys if k[1:].isdigit())
        key_id = f"k{number}"
        keys = {**self.data_keys, key_id: secrets.token_bytes(32)}
        return replace(self, active=key_id, data_keys=keys)

    def without_keys_except_active(self) -> Keyring:
        return replace(self, data_keys={self.active: self.data_keys[self.active]})


def keyring_create() -> Keyring:
    return Keyring(
        active="k1",
        data_keys={"k1": secrets.token_bytes(32)},
        index_key=secrets.token_bytes(32),
        audit_key=secrets.token_bytes(32),
    )


def keyring_save(keyring: Keyring, path: Path) -> None:
    """Write atomically with mode 0600 (a crash leaves the old file or the new one)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    document = {
        "format": FORMAT,
        "active": keyring.active,
        "data_keys": {k: _b64(v) for k, v in sorted(keyring.data_keys.items())},
        "index_key": _b64(keyring.index_key),
        "audit_key": _b64(keyring.audit_key),
    }
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(document, handle, indent=2)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def keyring_load(path: Path) -> Keyring:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KeyFileError(
            f"key file {path} does not exist; create it with `crimebook keys init`"
        ) from None
    except (OSError, ValueError) as exc:
        raise KeyFileError(f"key file {path} is unreadable: {exc}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise KeyFileError(f"key file {path} is not a {FORMAT} file")
    try:
        keys = {str(k): _unb64(str(v), f"data key {k}") for k, v in document["data_keys"].items()}
        active = str(document["active"])
        keyring = Keyring(
            active=active,
            data_keys=keys,
            index_key=_unb64(str(document["index_key"]), "index_key"),
            audit_key=_unb64(str(document["audit_key"]), "audit_key"),
        )
    except (KeyError, AttributeError, TypeError) as exc:
        raise KeyFileError(f"key file {path} lacks {exc}") from None
    if active not in keys:
        raise KeyFileError(f"key file {path}: active key {active!r} is not among the data keys")
    return keyring
