"""The sealed store on disk (PURE: no Django). Holds ciphertext only.

Layout under the store root (``CRIMEBOOK_INTAKE_STORE_DIR``)::

    staging/<random>/      files of one submission while they stream in (ciphertext)
    sealed/<submission uuid>/report.age, a0.age, a1.age, …

A submission is staged in its own directory; :meth:`Staging.commit` fsyncs every file and the
directory, renames the directory into ``sealed/`` in one atomic step and fsyncs ``sealed/``.
Only after that does the caller record it in the database (one transaction) and tell the
source "received". A crash therefore leaves either a complete sealed submission or nothing
the application knows about: a staging directory or an unrecorded sealed directory, both
ciphertext, which :meth:`Store.sweep` deletes. Every path is built from names this module
generated and is checked to stay inside the store: an uploaded file's own name is never used.
File times are set to the UTC day so that the file system keeps no precise time either.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import time
import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import BinaryIO

__all__ = ["Staging", "Store", "StoreError", "day_timestamp"]

_FILE_NAME = re.compile(r"(report|a\d{1,3})\.age")
_STAGING_NAME = re.compile(r"[0-9a-f]{32}")


class StoreError(Exception):
    """A path or name is not one the store made, or a disk operation failed."""


def day_timestamp(day: date) -> float:
    return datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Store:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.staging_root = self.root / "staging"
        self.sealed_root = self.root / "sealed"

    def ensure(self) -> None:
        for path in (self.root, self.staging_root, self.sealed_root):
            path.mkdir(mode=0o700, parents=True, exist_ok=True)

    def stage(self) -> Staging:
        path = self.staging_root / secrets.token_hex(16)
        try:
            path.mkdir(mode=0o700)
        except FileNotFoundError:  # first use, or the store was moved away: make it again
            self.ensure()
            path.mkdir(mode=0o700)
        return Staging(self, path)

    def _inside(self, path: Path) -> Path:
        resolved = path.resolve()
        if not resolved.is_relative_to(self.sealed_root):
            raise StoreError("path leaves the store")
        return resolved

    def submission_dir(self, submission_id: uuid.UUID) -> Path:
        return self._inside(self.commit_target(submission_id))

    def commit_target(self, submission_id: uuid.UUID) -> Path:
        """Where a new submission's directory is renamed to. Built from the canonical form
        of a UUID only, so it names a direct child of ``sealed/`` without resolving links
        (``rename`` refuses an existing target, link or not)."""
        return self.sealed_root / str(uuid.UUID(str(submission_id)))

    def path(self, submission_id: uuid.UUID, name: str) -> Path:
        if not _FILE_NAME.fullmatch(name):
            raise StoreError(f"not a stored file name: {name[:40]!r}")
        return self._inside(self.submission_dir(submission_id) / name)

    def open_sealed(self, submission_id: uuid.UUID, name: str) -> BinaryIO:
        return self.path(submission_id, name).open("rb")

    def remove(self, submission_id: uuid.UUID) -> None:
        """Undo a commit whose database record failed (best effort; sweep catches the rest)."""
        shutil.rmtree(self.submission_dir(submission_id), ignore_errors=True)

    def sweep(self, *, known: Iterable[str], older_than_seconds: float = 6 * 3600) -> list[str]:
        """Delete abandoned staging directories and sealed directories without a record.

        ``known`` holds the uuids recorded in the database. Only entries older than the
        grace period go, so uploads in progress and commits about to be recorded are safe.
        """
        self.ensure()
        removed: list[str] = []
        limit = time.time() - older_than_seconds
        recorded = {str(k) for k in known}
        for entry in self.staging_root.iterdir():
            if entry.stat().st_ctime < limit:
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(f"staging/{entry.name}")
        for entry in self.sealed_root.iterdir():
            if entry.name not in recorded and entry.stat().st_ctime < limit:
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(f"sealed/{entry.name}")
        return removed


class Staging:
    """One submission's files while they are written. Not thread-safe; one per request."""

    def __init__(self, store: Store, path: Path) -> None:
        if not _STAGING_NAME.fullmatch(path.name):
            raise StoreError("bad staging directory")
        self.store = store
        self.path = path
        self.committed: Path | None = None
        self._attachments = 0
        self._names: list[str] = []

    def new_attachment_name(self) -> str:
        name = f"a{self._attachments}.age"
        self._attachments += 1
        return name

    def open_new(self, name: str) -> BinaryIO:
        if not _FILE_NAME.fullmatch(name) or self.committed is not None:
            raise StoreError(f"cannot create {name[:40]!r} here")
        fd = os.open(self.path / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self._names.append(name)
        return os.fdopen(fd, "wb")

    def write_file(self, name: str, data: bytes) -> None:
        with self.open_new(name) as handle:
            handle.write(data)

    def discard_file(self, name: str) -> None:
        if name in self._names:
            (self.path / name).unlink(missing_ok=True)
            self._names.remove(name)

    def commit(self, submission_id: uuid.UUID, *, day: date) -> Path:
        """fsync files and directory, rename into ``sealed/``, fsync ``sealed/``."""
        if self.committed is not None:
            raise StoreError("already committed")
        stamp = day_timestamp(day)
        for name in self._names:
            path = self.path / name
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            os.utime(path, (stamp, stamp))
        os.utime(self.path, (stamp, stamp))
        _fsync_dir(self.path)
        target = self.store.commit_target(submission_id)
        os.rename(self.path, target)  # atomic; fails if the target exists
        _fsync_dir(self.store.sealed_root)
        self.committed = target
        return target

    def discard(self) -> None:
        if self.committed is None:
            shutil.rmtree(self.path, ignore_errors=True)
