"""Insider receipts: Ed25519 signatures over what was submitted and when (PURE: no Django).

A receipt is a small JSON file::

    {"format": "crimebook-receipt/1", "receipt_id": "R-…", "sealed_sha256": "<hex>",
     "issued_on": "2020-08-12", "key_id": "<16 hex>", "signature": "<base64>"}

The signature covers ``crimebook-receipt/1\\n<receipt_id>\\n<sealed_sha256>\\n<issued_on>\\n``.
``sealed_sha256`` is the SHA-256 of the sealed report file, which itself lists the SHA-256 of
every attachment, so one hash commits to everything given. The time is the UTC day only. A
receipt names nobody and says nothing about the content; whoever holds it can later show
that *this* sealed submission existed on that day, and the organisation can match it to its
store. The signing key is not a decryption key and lives on the intake host.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import secrets
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

__all__ = [
    "FORMAT",
    "Receipt",
    "ReceiptInvalid",
    "key_id",
    "public_key_from_text",
    "public_key_text",
    "receipt_sign",
    "receipt_verify",
    "signing_key_load_or_create",
]

FORMAT = "crimebook-receipt/1"
KEY_FORMAT = "crimebook-receipt-signing-key/1"
MAX_RECEIPT_BYTES = 4096
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_RECEIPT_ID = re.compile(r"R-[A-HJ-NP-Z2-9]{20}")
_HEX64 = re.compile(r"[0-9a-f]{64}")


class ReceiptInvalid(Exception):
    """The file is not a receipt, or its signature does not verify with the given key."""


@dataclass(frozen=True)
class Receipt:
    receipt_id: str
    sealed_sha256: str
    issued_on: str
    key_id: str
    signature: str
    format: str = FORMAT

    def message(self) -> bytes:
        return f"{FORMAT}\n{self.receipt_id}\n{self.sealed_sha256}\n{self.issued_on}\n".encode()

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, indent=1) + "\n"


def _public_raw(key: Ed25519PublicKey) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(key: Ed25519PublicKey) -> str:
    return hashlib.sha256(_public_raw(key)).hexdigest()[:16]


def public_key_text(key: Ed25519PublicKey) -> str:
    """The published form of the verification key: ``ed25519:<base64 of 32 bytes>``."""
    return "ed25519:" + base64.b64encode(_public_raw(key)).decode("ascii")


def public_key_from_text(text: str) -> Ed25519PublicKey:
    body = text.strip().removeprefix("ed25519:")
    try:
        raw = base64.b64decode(body, validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except ValueError as exc:
        raise ReceiptInvalid("not an Ed25519 public key (ed25519:<base64>)") from exc


def new_receipt_id() -> str:
    return "R-" + "".join(secrets.choice(_ALPHABET) for _ in range(20))  # 100 bits


def receipt_sign(
    key: Ed25519PrivateKey, *, sealed_sha256: str, issued_on: date, receipt_id: str | None = None
) -> Receipt:
    if not _HEX64.fullmatch(sealed_sha256):
        raise ValueError("sealed_sha256 must be 64 lower-case hex digits")
    unsigned = Receipt(
        receipt_id=receipt_id or new_receipt_id(),
        sealed_sha256=sealed_sha256,
        issued_on=issued_on.isoformat(),
        key_id=key_id(key.public_key()),
        signature="",
    )
    signature = base64.b64encode(key.sign(unsigned.message())).decode("ascii")
    return Receipt(**{**asdict(unsigned), "signature": signature})


def receipt_verify(text: str | bytes, keys: Iterable[Ed25519PublicKey]) -> Receipt:
    """Parse and check a receipt; raise :class:`ReceiptInvalid` with a reason otherwise."""
    if len(text) > MAX_RECEIPT_BYTES:
        raise ReceiptInvalid("too large to be a receipt")
    try:
        document = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        raise ReceiptInvalid("not a receipt file (not JSON)") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ReceiptInvalid(f"not a {FORMAT} file")
    try:
        receipt = Receipt(
            receipt_id=str(document["receipt_id"]),
            sealed_sha256=str(document["sealed_sha256"]),
            issued_on=str(document["issued_on"]),
            key_id=str(document["key_id"]),
            signature=str(document["signature"]),
        )
        date.fromisoformat(receipt.issued_on)
        signature = base64.b64decode(receipt.signature, validate=True)
    except (KeyError, ValueError):
        raise ReceiptInvalid("receipt is incomplete or malformed") from None
    if not _RECEIPT_ID.fullmatch(receipt.receipt_id) or not _HEX64.fullmatch(receipt.sealed_sha256):
        raise ReceiptInvalid("receipt is incomplete or malformed")
    for key in keys:
        if key_id(key) != receipt.key_id:
            continue
        try:
            key.verify(signature, receipt.message())
        except InvalidSignature:
            raise ReceiptInvalid("signature does not match: the receipt was altered") from None
        return receipt
    raise ReceiptInvalid("signed with a key that is not the published one")


def signing_key_load_or_create(path: Path) -> Ed25519PrivateKey:
    """Load the intake's signing key, creating it (mode 0600, atomically) on first use."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        raw = Ed25519PrivateKey.generate().private_bytes_raw()
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(f"{KEY_FORMAT}\n{base64.b64encode(raw).decode('ascii')}\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)  # fails if another process created it first: theirs wins
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    lines = path.read_text(encoding="ascii").split()
    if len(lines) != 2 or lines[0] != KEY_FORMAT:
        raise ValueError(f"{path} is not a {KEY_FORMAT} file")
    return Ed25519PrivateKey.from_private_bytes(base64.b64decode(lines[1], validate=True))
