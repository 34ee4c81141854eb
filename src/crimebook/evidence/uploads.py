"""Workspace uploads sealed into the vault's staging directory while they stream in.

The evidence upload view installs :class:`VaultUploadHandler` as the request's only upload
handler before the body is parsed, so Django's memory and temporary-file handlers (which keep
plaintext) never see an evidence file. Each file's SHA-256 is computed by the same pass that
seals it (:class:`crimebook.intake.sealing.StreamSealer`, pure).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, cast

from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest

from crimebook.evidence import keys
from crimebook.evidence.pipeline import MAX_FILE_BYTES, Staged
from crimebook.evidence.sealing import HEAD_BYTES, CheckedWriter, SealError
from crimebook.intake.sealing import StreamSealer

__all__ = ["StagedUpload", "VaultUploadHandler", "discard_uploads", "upload_failures"]


class StagedUpload(UploadedFile):
    """What ``request.FILES`` holds: no content, the staged ciphertext and its hashes."""

    def __init__(self, *, name: str, staged: Staged) -> None:
        super().__init__(file=None, name=name, size=staged.size)
        self.staged = staged

    def open(self, mode: str | None = None, *args: Any, **kwargs: Any) -> StagedUpload:
        raise ValueError("a sealed upload cannot be read back")

    def close(self) -> None:
        return None


@dataclass
class _Current:
    path: Path
    sink: BinaryIO
    checked: CheckedWriter
    sealer: StreamSealer
    head: bytes = b""


class _Closer:
    def __init__(self, handler: VaultUploadHandler) -> None:
        self._handler = handler

    def close(self) -> None:
        self._handler.abort_current()


class VaultUploadHandler(FileUploadHandler):
    chunk_size = 256 * 1024

    def __init__(self, request: HttpRequest | None = None, limit: int = MAX_FILE_BYTES) -> None:
        super().__init__(request)
        self.limit = limit
        self.total = 0
        self.store = keys.store()
        self._current: _Current | None = None
        self.staged: list[Path] = []
        self.failures: list[tuple[str, str]] = []
        self.file = _Closer(self)
        if request is not None:
            request._crimebook_evidence_uploads = self.staged  # type: ignore[attr-defined]
            request._crimebook_evidence_failures = self.failures  # type: ignore[attr-defined]

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self._current = None
        try:
            recipients = keys.vault_recipients()
        except SealError as exc:  # no vault key yet: the view says so, nothing is stored
            self.failures.append((self.file_name or "", str(exc)[:300]))
            return
        path, sink = self.store.open_staged()
        self.staged.append(path)
        checked = CheckedWriter(sink)  # the sealer's pyrage call would ignore write errors
        try:
            sealer = StreamSealer(cast(BinaryIO, checked), recipients)
        except Exception:
            sink.close()
            raise
        self._current = _Current(path, sink, checked, sealer)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        current = self._current
        if current is None:
            return None
        self.total += len(raw_data)
        if self.total > self.limit:
            self.abort_current()
            raise StopUpload(connection_reset=True)
        if len(current.head) < HEAD_BYTES:
            current.head += raw_data[: HEAD_BYTES - len(current.head)]
        current.sealer.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> UploadedFile | None:
        current, self._current = self._current, None
        if current is None:
            return None
        try:
            info = current.sealer.close()
            current.checked.check()
        except Exception as exc:  # e.g. a full disk: reported by the view, nothing kept
            current.sink.close()
            self.store.discard(current.path)
            self.failures.append((self.file_name or "", str(exc)[:300]))
            return None
        current.sink.flush()
        os.fsync(current.sink.fileno())
        current.sink.close()
        staged = Staged(current.path, info.plain_sha256, info.plain_size, current.head)
        return StagedUpload(name=self.file_name or "", staged=staged)

    def abort_current(self) -> None:
        current, self._current = self._current, None
        if current is not None:
            current.sealer.abort()
            current.sink.close()
            self.store.discard(current.path)

    def upload_interrupted(self) -> None:
        self.abort_current()


def upload_failures(request: HttpRequest) -> list[tuple[str, str]]:
    """(file name, reason) of files that could not be sealed during this request."""
    return list(getattr(request, "_crimebook_evidence_failures", []))


def discard_uploads(request: HttpRequest) -> None:
    """Remove staged files the view did not hand to the store (call in ``finally``)."""
    store = keys.store()
    for path in getattr(request, "_crimebook_evidence_uploads", []):
        store.discard(path)
