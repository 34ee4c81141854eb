"""The vault's content-addressed store on the local file system (PURE: no Django).

Layout::

    <vault>/ab/cd/<sha256>.age      one age-sealed evidentiary copy per distinct content
    <vault>/.staging/<random>.part  ciphertext being written; renamed into place when complete

A path is computed from the SHA-256 of the plaintext only (64 lowercase hex digits, checked),
never from a name a user or a file supplied, and the resolved path is checked to stay inside
the store. A committed file is never rewritten: committing content that is already present
discards the new copy.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

__all__ = ["SHA256_HEX", "Store", "StoreError", "VaultStore"]

SHA256_HEX = re.compile(r"[0-9a-f]{64}")
_STAGING = ".staging"


class StoreError(Exception):
    """A path would leave the store, or the store cannot be written."""


class Store(Protocol):
    """What the pipeline and the services need of a store: the local file system
    (:class:`VaultStore`) or an S3-compatible bucket (``s3store.S3VaultStore``)."""

    backend: str

    def key_for(self, sha256: str) -> str: ...
    def check_key(self, key: str) -> str: ...
    def exists(self, sha256: str) -> bool: ...
    def staging_dir(self) -> Path: ...
    def open_staged(self) -> tuple[Path, BinaryIO]: ...
    def commit(self, staged: Path, sha256: str) -> tuple[str, bool]: ...
    def discard(self, staged: Path) -> None: ...
    def open(self, key: str) -> BinaryIO: ...
    def iter_keys(self) -> Iterator[str]: ...


class VaultStore:
    backend = "local"

    def __init__(self, root: Path) -> None:
        self.root = Path(root).expanduser().resolve()

    # -- addresses ---------------------------------------------------------------------

    @staticmethod
    def key_for(sha256: str) -> str:
        """The storage key (relative POSIX path) of a content hash."""
        if not SHA256_HEX.fullmatch(sha256):
            raise StoreError("not a SHA-256 hex digest")
        return f"{sha256[:2]}/{sha256[2:4]}/{sha256}.age"

    def path_for_key(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root) or path == self.root:
            raise StoreError("storage key leaves the vault")
        name = path.name
        if not (name.endswith(".age") and SHA256_HEX.fullmatch(name[:-4])):
            raise StoreError("storage key is not a content address")
        return path

    def check_key(self, key: str) -> str:
        """The path of a storage key; refuses anything but a content address in the store."""
        return str(self.path_for_key(key))

    def path_for(self, sha256: str) -> Path:
        return self.path_for_key(self.key_for(sha256))

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    # -- writing -----------------------------------------------------------------------

    def staging_dir(self) -> Path:
        path = self.root / _STAGING
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        return path

    def open_staged(self) -> tuple[Path, BinaryIO]:
        """A new 0600 file in the staging directory, opened for writing."""
        path = self.staging_dir() / f"{secrets.token_hex(16)}.part"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        return path, os.fdopen(fd, "wb")

    def commit(self, staged: Path, sha256: str) -> tuple[str, bool]:
        """Move a complete staged ciphertext to its content address.

        Returns ``(key, created)``; ``created`` is False when the content was already
        stored, in which case the staged copy is removed and the stored one kept unchanged.
        """
        key = self.key_for(sha256)
        target = self.path_for_key(key)
        staged = staged.resolve()
        if staged.parent != (self.root / _STAGING).resolve():
            raise StoreError("only staged files can be committed")
        if target.exists():
            staged.unlink(missing_ok=True)
            return key, False
        with open(staged, "rb") as handle:
            os.fsync(handle.fileno())
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(staged, 0o400)  # the evidentiary copy is never altered
        os.replace(staged, target)
        _fsync_dir(target.parent)
        return key, True

    def discard(self, staged: Path) -> None:
        with contextlib.suppress(FileNotFoundError):
            staged.unlink()

    # -- reading -----------------------------------------------------------------------

    def open(self, key: str) -> BinaryIO:
        return open(self.path_for_key(key), "rb")

    def iter_keys(self) -> Iterator[str]:
        """Every file under the store except staging, as a key (whatever its name)."""
        if not self.root.is_dir():
            return
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = sorted(d for d in dirnames if d != _STAGING)
            for name in sorted(filenames):
                yield (Path(dirpath) / name).relative_to(self.root).as_posix()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
