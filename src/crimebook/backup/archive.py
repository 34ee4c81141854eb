"""Pure archive handling (no Django): manifest of SHA-256 hashes, tar, and age sealing.

Archive layout (a tar, sealed with age to the backup recipients)::

    manifest.json           {"format": "crimebook-backup/1", "files": {path: {"sha256", "size"}}, ...}
    database.json           the register, accounts and audit log (Django serialisation)
    keys/data-keys.json     the key file (without it identities cannot be read)

The age layer authenticates every chunk, so a modified or truncated archive fails to open;
the manifest hashes then check each member after unpacking.
"""

from __future__ import annotations

import hashlib
import json
import os
import tarfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import pyrage
from pyrage import x25519

FORMAT = "crimebook-backup/1"
MANIFEST = "manifest.json"


class BackupError(Exception):
    """The archive cannot be written or read; the message says why."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def parse_recipients(values: list[str]) -> list[x25519.Recipient]:
    if not values:
        raise BackupError(
            "no backup recipients: set CRIMEBOOK_BACKUP_RECIPIENTS or pass --recipient age1…"
        )
    recipients = []
    for value in values:
        try:
            recipients.append(x25519.Recipient.from_str(value.strip()))
        except Exception:  # pyrage raises its own RecipientError types
            raise BackupError(f"not an age X25519 recipient: {value.strip()[:16]}…") from None
    return recipients


def load_identity(path: Path) -> x25519.Identity:
    try:
        lines = [
            line.strip()
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip().startswith("AGE-SECRET-KEY-")
        ]
    except OSError as exc:
        raise BackupError(f"cannot read identity file {path}: {exc.strerror}") from None
    if not lines:
        raise BackupError(f"{path} holds no AGE-SECRET-KEY line")
    try:
        return x25519.Identity.from_str(lines[0])
    except Exception:
        raise BackupError(f"{path}: the age secret key is malformed") from None


@dataclass(frozen=True)
class Member:
    name: str  # path inside the archive, POSIX
    source: Path


def write_archive(
    members: list[Member], extra: dict[str, Any], out: Path, recipients: list[x25519.Recipient]
) -> dict[str, Any]:
    """Hash each member, write manifest + members into a tar, seal it with age to ``out``.

    The plain tar is built next to ``out`` in a 0700 work file and removed afterwards; the
    sealed file is written under a temporary name and renamed into place when complete.
    """
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "files": {
            m.name: {"sha256": sha256_file(m.source), "size": m.source.stat().st_size}
            for m in members
        },
        **extra,
    }
    work = out.with_name(f".{out.name}.tar.part")
    sealed = out.with_name(f".{out.name}.age.part")
    try:
        fd = os.open(work, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w") as tar:
            data = json.dumps(manifest, indent=2, sort_keys=True).encode("utf-8")
            manifest_path = work.with_suffix(".manifest")
            manifest_path.write_bytes(data)
            try:
                tar.add(manifest_path, arcname=MANIFEST)
            finally:
                manifest_path.unlink()
            for member in members:
                tar.add(member.source, arcname=member.name)
        with work.open("rb") as reader, sealed.open("wb") as writer:
            pyrage.encrypt_io(reader, writer, recipients)
            writer.flush()
            os.fsync(writer.fileno())
        _check_sealed_size(work.stat().st_size, sealed)
        os.replace(sealed, out)
    finally:
        work.unlink(missing_ok=True)
        sealed.unlink(missing_ok=True)
    return manifest


def _check_sealed_size(plain: int, sealed: Path) -> None:
    """pyrage 1.4 can swallow the sink's error on its last write (a full disk), leaving a
    short file that looks complete. After the header (ending in a "--- <mac>" line) an age
    payload is a 16-byte nonce plus every 64 KiB chunk with a 16-byte tag: check it exactly."""
    with sealed.open("rb") as handle:
        head = handle.read(1 << 16)
    mark = head.find(b"\n--- ")
    end = head.find(b"\n", mark + 1) if mark >= 0 else -1
    chunks = max(1, -(-plain // 65536))
    expected = 16 + plain + 16 * chunks
    if end < 0 or sealed.stat().st_size - (end + 1) != expected:
        raise BackupError(
            f"the sealed archive is incomplete ({sealed.stat().st_size} bytes for {plain} bytes "
            "of content): is the disk full?"
        )


def _safe_member(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts


def open_archive(archive: Path, identity: x25519.Identity, into: Path) -> dict[str, Any]:
    """Decrypt and unpack into ``into`` (a fresh directory), then check every hash.
    Raises BackupError naming the first problem; returns the manifest."""
    plain = into / "archive.tar"
    try:
        with archive.open("rb") as reader, plain.open("wb") as writer:
            pyrage.decrypt_io(reader, writer, [identity])
    except FileNotFoundError:
        raise BackupError(f"archive {archive} does not exist") from None
    except Exception as exc:  # pyrage.DecryptError and friends
        raise BackupError(
            "the archive cannot be decrypted: it is corrupted, truncated, or sealed to another "
            f"key ({type(exc).__name__})"
        ) from None
    try:
        with tarfile.open(plain, mode="r:") as tar:
            for info in tar.getmembers():
                if not info.isfile() or not _safe_member(info.name):
                    raise BackupError(f"archive member {info.name!r} is not a plain file")
            tar.extractall(into / "content", filter="data")
    except tarfile.TarError as exc:
        raise BackupError(f"the archive's contents are damaged: {exc}") from None
    finally:
        plain.unlink(missing_ok=True)
    content = into / "content"
    try:
        manifest: dict[str, Any] = json.loads((content / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise BackupError("the archive has no readable manifest") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"not a {FORMAT} archive")
    for name, meta in manifest["files"].items():
        path = content / name
        if not path.is_file():
            raise BackupError(f"{name} is listed in the manifest but missing")
        if sha256_file(path) != meta["sha256"]:
            raise BackupError(f"{name} does not match its SHA-256 in the manifest")
    return manifest
