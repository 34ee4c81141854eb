"""Uploads sealed while they stream in: the only upload handler the intake installs.

``FILE_UPLOAD_HANDLERS`` in :mod:`crimebook.intake_settings` names
:class:`SealingUploadHandler` alone, so *any* parse of a multipart body (including the CSRF
check's) seals each file's chunks into the request's staging directory as they arrive; Django's
memory and temporary-file handlers, which would keep plaintext, are never used.

Each request has one :class:`UploadState` (``state_for(request)``): its staging directory, the
byte count, and the first problem seen (too large, truncated, sealing failed). Views check
``state.error`` before using anything; the guard middleware discards the staging directory at
the end of every request that did not commit it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest

from crimebook.intake import conf
from crimebook.intake.sealing import SealedInfo, SealError, StreamSealer
from crimebook.intake.store import Staging

__all__ = [
    "GuardedStream",
    "SealedUpload",
    "SealingUploadHandler",
    "UploadState",
    "clean_file_name",
    "state_for",
]

_STATE_ATTR = "_crimebook_intake_upload"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_NAME_CHARS = 200


def clean_file_name(name: str | None) -> str:
    """A file name as the source's device gave it, made harmless to *display*.

    It is only ever written inside the sealed report (it may be evidence); the store names
    files itself (``a0.age``…), so no part of this reaches a path.
    """
    text = unicodedata.normalize("NFC", name or "")
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = _CONTROL.sub("", text).strip().lstrip(".")
    return text[:MAX_NAME_CHARS] or "unnamed"


@dataclass
class UploadState:
    staging: Staging | None = None
    total_bytes: int = 0
    error: str | None = None
    committed: bool = False
    guard: GuardedStream | None = None
    uploads: list[SealedUpload] = field(default_factory=list)

    def staging_dir(self) -> Staging:
        if self.staging is None:
            self.staging = conf.store().stage()
        return self.staging

    def fail(self, reason: str) -> None:
        if self.error is None:
            self.error = reason

    def discard(self) -> None:
        if self.staging is not None and not self.committed:
            self.staging.discard()


def state_for(request: HttpRequest) -> UploadState:
    state = getattr(request, _STATE_ATTR, None)
    if state is None:
        state = UploadState()
        setattr(request, _STATE_ATTR, state)
    return state


class GuardedStream:
    """Wraps the request body: counts bytes and keeps the tail, so that a body that ends
    early, or without the closing multipart delimiter, is recognised as truncated."""

    TAIL = 512

    def __init__(self, stream: Any, content_length: int, boundary: bytes | None) -> None:
        self._stream = stream
        self.expected = content_length
        self.boundary = boundary
        self.read_bytes = 0
        self._tail = b""

    def _seen(self, data: bytes) -> bytes:
        self.read_bytes += len(data)
        self._tail = (self._tail + data)[-self.TAIL :]
        return data

    def read(self, *args: Any, **kwargs: Any) -> bytes:
        return self._seen(self._stream.read(*args, **kwargs))

    def readline(self, *args: Any, **kwargs: Any) -> bytes:
        return self._seen(self._stream.readline(*args, **kwargs))

    def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close is not None:
            close()

    def __getattr__(self, name: str) -> Any:  # anything else Django may ask of the stream
        return getattr(self._stream, name)

    def complete(self) -> bool:
        if self.read_bytes != self.expected:
            return False
        if self.boundary is None:
            return True
        return self._tail.rstrip(b"\r\n").endswith(b"--" + self.boundary + b"--")


class SealedUpload(UploadedFile):
    """What ``request.FILES`` holds: no content, only the sealed file's name and hashes."""

    def __init__(
        self,
        *,
        stored_name: str,
        original_name: str,
        content_type: str,
        info: SealedInfo,
    ) -> None:
        super().__init__(
            file=None, name=original_name, content_type=content_type, size=info.plain_size
        )
        self.stored_name = stored_name
        self.original_name = original_name
        self.info = info

    def open(self, mode: str | None = None, *args: Any, **kwargs: Any) -> SealedUpload:
        raise ValueError("a sealed upload cannot be read on the intake host")

    def close(self) -> None:  # the staging directory is the resource; see UploadState
        return None


class _CurrentFile:
    """What MultiPartParser._close_files() closes when an upload stops midway."""

    def __init__(self, handler: SealingUploadHandler) -> None:
        self._handler = handler

    def close(self) -> None:
        self._handler.abort_current()


class SealingUploadHandler(FileUploadHandler):
    chunk_size = 1024 * 1024

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        if request is None:
            raise ValueError("the sealing upload handler needs the request")
        self.state = state_for(request)
        self.limit = conf.max_upload_bytes()
        self._sealer: StreamSealer | None = None
        self._sink: Any = None
        self._name = ""
        self._original = ""
        self._type = ""
        self.file = _CurrentFile(self)

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        if self.state.error is not None:
            raise StopUpload(connection_reset=False)
        staging = self.state.staging_dir()
        self._name = staging.new_attachment_name()
        self._original = clean_file_name(self.file_name)
        self._type = (self.content_type or "application/octet-stream")[:100]
        self._sink = staging.open_new(self._name)
        try:
            self._sealer = StreamSealer(self._sink, conf.recipients())
        except Exception:
            self.abort_current()
            raise

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.state.total_bytes += len(raw_data)
        if self.state.total_bytes > self.limit:
            self.state.fail("too_large")
            self.abort_current()
            raise StopUpload(connection_reset=False)
        assert self._sealer is not None
        try:
            self._sealer.write(raw_data)
        except SealError:
            self.state.fail("seal_failed")
            self.abort_current()
            raise StopUpload(connection_reset=False) from None
        return None

    def file_complete(self, file_size: int) -> SealedUpload | None:
        sealer, sink = self._sealer, self._sink
        self._sealer = self._sink = None
        if sealer is None or sink is None:
            return None
        try:
            info = sealer.close()
            sink.flush()
        except (SealError, OSError):
            self.state.fail("seal_failed")
            return None
        finally:
            sink.close()
        upload = SealedUpload(
            stored_name=self._name,
            original_name=self._original,
            content_type=self._type,
            info=info,
        )
        self.state.uploads.append(upload)
        return upload

    def abort_current(self) -> None:
        sealer, sink = self._sealer, self._sink
        self._sealer = self._sink = None
        if sealer is not None:
            sealer.abort()
        if sink is not None:
            sink.close()
            if self.state.staging is not None:
                self.state.staging.discard_file(self._name)

    def upload_interrupted(self) -> None:
        self.state.fail("truncated")
        self.abort_current()

    def upload_complete(self) -> None:
        guard = self.state.guard
        if guard is not None and not guard.complete():
            self.state.fail("truncated")
