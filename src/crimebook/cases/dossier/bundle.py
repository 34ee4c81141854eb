"""The exhibit ZIP (PURE: no Django).

Each exhibit is decrypted from the vault in a thread into a pipe and sealed with age to the
recipient named at export time as it streams into the ZIP entry: no plaintext touches the
disk, memory stays at one chunk per file. The plaintext is hashed on the way and must equal
the SHA-256 recorded at ingest, otherwise the export stops (a changed vault file is never
handed over silently). The manifest (JSON and CSV) lists every exhibit with its SHA-256, the
name and SHA-256 of its sealed copy; entries are stored, not deflated (age output does not
compress).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import threading
import zipfile
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import IO, Any, BinaryIO, cast

import pyrage
from pyrage import x25519

from crimebook.evidence.sealing import CheckedWriter, SealError, decrypt_stream

__all__ = [
    "BundleError",
    "BundleResult",
    "ExhibitFile",
    "parse_recipient",
    "recipient_fingerprint",
    "write_bundle",
]

CHUNK = 1 << 20
MANIFEST_COLUMNS = (
    "number", "exhibit_uuid", "original_name", "size", "sha256", "sealed_file", "sealed_sha256",
    "kind", "media_type", "captured_at", "source", "consent_limited_to",
)  # fmt: skip
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class BundleError(Exception):
    """The bundle could not be written; the message says why."""


@dataclass(frozen=True)
class ExhibitFile:
    number: str  # E0001
    uuid: str
    original_name: str
    size: int
    sha256: str
    storage_key: str
    storage_backend: str = "local"  # the store the item was written to (mixed FS/S3 vaults)
    kind: str = ""
    media_type: str = ""
    captured_at: str = ""
    source: str = ""
    consent_limited_to: str = ""


@dataclass(frozen=True)
class BundleResult:
    sha256: str  # of the whole ZIP as written
    size: int
    manifest: dict[str, Any]


def parse_recipient(value: str) -> x25519.Recipient:
    try:
        return x25519.Recipient.from_str(value.strip())
    except Exception:
        raise BundleError(
            "the recipient is not an age X25519 public key (age1…); ask the prosecutor for theirs"
        ) from None


def recipient_fingerprint(value: str) -> str:
    """A short, stable name for a recipient key in audit entries and manifests."""
    return "sha256:" + hashlib.sha256(value.strip().encode()).hexdigest()[:16]


def _safe(name: str) -> str:
    base = _UNSAFE.sub("_", os.path.basename(name.replace("\\", "/"))).strip("._")
    return base[:80] or "file"


class _HashingSink(io.RawIOBase):
    """Counts and hashes everything written to the real sink (the ZIP file)."""

    def __init__(self, sink: BinaryIO) -> None:
        self._sink = sink
        self.sha256 = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        view = memoryview(data).cast("B")
        self._sink.write(view)
        self.sha256.update(view)
        self.size += len(view)
        return len(view)

    def flush(self) -> None:
        self._sink.flush()


class _Hashing(io.RawIOBase):
    """Hashes what passes to the ZIP entry (the sealed bytes)."""

    def __init__(self, sink: IO[bytes]) -> None:
        self._sink = sink
        self.sha256 = hashlib.sha256()

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        view = memoryview(data).cast("B")
        self._sink.write(view)
        self.sha256.update(view)
        return len(view)


def _reseal(
    sealed: BinaryIO,
    identities: Sequence[x25519.Identity],
    recipient: x25519.Recipient,
    sink: IO[bytes],
) -> tuple[str, int, str]:
    """Vault ciphertext → plaintext (thread, pipe) → age to the recipient → sink.
    Returns (plaintext sha256, plaintext size, sealed sha256)."""
    read_fd, write_fd = os.pipe()
    result: list[tuple[str, int]] = []
    errors: list[BaseException] = []

    def pump() -> None:
        try:
            with os.fdopen(write_fd, "wb") as pipe_in:
                result.append(decrypt_stream(sealed, identities, cast(BinaryIO, pipe_in)))
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=pump, name="dossier-decrypt", daemon=True)
    thread.start()
    hashing = _Hashing(sink)
    writer = CheckedWriter(cast(BinaryIO, hashing))
    try:
        with os.fdopen(read_fd, "rb") as pipe_out:
            try:
                pyrage.encrypt_io(
                    cast(IO[bytes], io.BufferedReader(cast(Any, pipe_out), CHUNK)),
                    cast(IO[bytes], writer),
                    [recipient],
                )
            except Exception as exc:
                raise BundleError(f"sealing for the recipient failed: {exc}") from exc
    finally:
        thread.join()
    writer.check()
    if errors:
        raise BundleError(f"reading from the vault failed: {errors[0]}")
    sha, size = result[0]
    return sha, size, hashing.sha256.hexdigest()


def _csv(rows: Sequence[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=MANIFEST_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        # no cell may start a formula in a spreadsheet (names come from uploads)
        writer.writerow({
            k: ("'" + v if isinstance(v, str) and v[:1] in "=+-@\t\r" else v)
            for k, v in row.items()
        })  # fmt: skip
    return out.getvalue().encode("utf-8")


def write_bundle(
    sink: BinaryIO,
    *,
    exhibits: Sequence[ExhibitFile],
    open_sealed: Callable[[ExhibitFile], AbstractContextManager[BinaryIO]],
    identities: Sequence[x25519.Identity],
    recipient: str,
    header: dict[str, Any],
    extra_files: Sequence[tuple[str, bytes]] = (),
    progress: Callable[[int], None] | None = None,
) -> BundleResult:
    """Write the ZIP to ``sink``: ``exhibits/<number>-<name>.age`` for each exhibit, the
    ``extra_files`` (sealed by the caller or public: timestamp tokens, the sealed PDF), then
    ``manifest.json`` and ``manifest.csv``. Raises BundleError, leaving the sink partial."""
    key = parse_recipient(recipient)
    counted = _HashingSink(sink)
    rows: list[dict[str, Any]] = []
    try:
        with zipfile.ZipFile(
            cast(IO[bytes], counted), "w", compression=zipfile.ZIP_STORED, allowZip64=True
        ) as archive:
            for exhibit in exhibits:
                name = f"exhibits/{exhibit.number}-{_safe(exhibit.original_name)}.age"
                with (
                    open_sealed(exhibit) as sealed,
                    archive.open(name, "w", force_zip64=True) as entry,
                ):
                    sha, size, sealed_sha = _reseal(sealed, identities, key, entry)
                if sha != exhibit.sha256 or size != exhibit.size:
                    raise BundleError(
                        f"exhibit {exhibit.number}: the vault copy does not match its recorded "
                        "SHA-256 — run `crimebook evidence verify`; nothing was handed over"
                    )
                rows.append({
                    "number": exhibit.number, "exhibit_uuid": exhibit.uuid,
                    "original_name": exhibit.original_name, "size": exhibit.size,
                    "sha256": exhibit.sha256, "sealed_file": name, "sealed_sha256": sealed_sha,
                    "kind": exhibit.kind, "media_type": exhibit.media_type,
                    "captured_at": exhibit.captured_at, "source": exhibit.source,
                    "consent_limited_to": exhibit.consent_limited_to,
                })  # fmt: skip
                if progress is not None:
                    progress(1)
            extras = []
            for name, data in extra_files:
                archive.writestr(name, data)
                extras.append({"file": name, "sha256": hashlib.sha256(data).hexdigest()})
            manifest = {
                **header, "recipient": recipient_fingerprint(recipient),
                "exhibits": rows, "files": extras,
            }  # fmt: skip
            archive.writestr(
                "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            )
            archive.writestr("manifest.csv", _csv(rows))
    except (SealError, OSError) as exc:
        raise BundleError(str(exc)) from exc
    return BundleResult(counted.sha256.hexdigest(), counted.size, manifest)
