"""Sealing with age to public keys, streaming (PURE: no Django).

Only the *encrypting* half of pyrage (the Rust ``age`` implementation) is used here:
``x25519.Recipient``, ``encrypt`` and ``encrypt_io``. The output is the standard age v1 format
(X25519 recipient stanzas, ChaCha20-Poly1305 STREAM payload), so the stock ``age -d`` command
decrypts it. No primitive is implemented here.

``encrypt_io`` *pulls* plaintext from a reader, while a web upload *pushes* chunks as they
arrive. :class:`StreamSealer` bridges the two with a bounded queue and one worker thread per
file: memory stays at ``queue_depth`` chunks whatever the file's size, and the ciphertext goes
straight to the sink (a file in the store's staging directory). Plaintext never touches disk.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import queue
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, BinaryIO, cast

import pyrage
from pyrage import x25519

__all__ = [
    "SealError",
    "SealedInfo",
    "StreamSealer",
    "parse_recipients",
    "seal_bytes",
]


class SealError(Exception):
    """Sealing failed (bad recipient, aborted upload, disk error); nothing usable was written."""


def parse_recipients(values: Sequence[str]) -> list[x25519.Recipient]:
    """Parse age X25519 public keys (``age1…``); refuse an empty list."""
    if not values:
        raise SealError("no intake recipients configured (CRIMEBOOK_INTAKE_RECIPIENTS)")
    recipients = []
    for value in values:
        try:
            recipients.append(x25519.Recipient.from_str(value.strip()))
        except Exception as exc:  # pyrage raises its own RecipientError
            raise SealError(f"not an age X25519 public key: {value[:16]!r}…") from exc
    return recipients


def seal_bytes(plaintext: bytes, recipients: Sequence[x25519.Recipient]) -> bytes:
    """Seal a small document held in memory (the report JSON)."""
    try:
        return bytes(pyrage.encrypt(plaintext, list(recipients)))
    except Exception as exc:
        raise SealError(f"age encryption failed: {exc}") from exc


@dataclass(frozen=True)
class SealedInfo:
    plain_sha256: str
    plain_size: int
    sealed_sha256: str
    sealed_size: int


_EOF = b""


class _Abort:
    pass


_ABORT = _Abort()


class _QueueReader(io.RawIOBase):
    """The reader ``encrypt_io`` pulls from: serves the chunks pushed into a queue."""

    def __init__(self, chunks: queue.Queue[bytes | _Abort]) -> None:
        self._chunks = chunks
        self._current = memoryview(b"")
        self._done = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if not self._current:
            if self._done:
                return 0
            item = self._chunks.get()
            if isinstance(item, _Abort):
                raise SealError("upload aborted")
            if item == _EOF:
                self._done = True
                return 0
            self._current = memoryview(item)
        n = min(len(buffer), len(self._current))
        buffer[:n] = self._current[:n]
        self._current = self._current[n:]
        return n


class _HashingWriter(io.RawIOBase):
    """Writes ciphertext to the sink while hashing and counting it."""

    def __init__(self, sink: BinaryIO) -> None:
        self._sink = sink
        self.sha256 = hashlib.sha256()
        self.size = 0
        # pyrage 1.4 swallows an exception raised on its final write and never checks short
        # writes: a full disk would look like success. The first error is kept and re-raised.
        self.error: BaseException | None = None

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        view = memoryview(data).cast("B")
        if self.error is not None:
            raise self.error
        try:
            rest = view
            while rest:
                written = self._sink.write(rest)
                if not written:
                    raise OSError("short write of the sealed file")
                rest = rest[written:]
        except BaseException as exc:
            self.error = exc
            raise
        self.sha256.update(view)
        self.size += len(view)
        return len(view)


class StreamSealer:
    """Push plaintext chunks in with :meth:`write`; :meth:`close` returns hashes and sizes.

    The ciphertext is written to ``sink`` by a worker thread. :meth:`abort` stops the worker
    and leaves the sink holding an incomplete ciphertext, which the caller deletes.
    """

    def __init__(
        self,
        sink: BinaryIO,
        recipients: Sequence[x25519.Recipient],
        *,
        queue_depth: int = 8,
    ) -> None:
        self._chunks: queue.Queue[bytes | _Abort] = queue.Queue(maxsize=queue_depth)
        self._writer = _HashingWriter(sink)
        self._plain = hashlib.sha256()
        self._plain_size = 0
        self._error: BaseException | None = None
        self._closed = False
        self._thread = threading.Thread(
            target=self._run,
            args=(_QueueReader(self._chunks), list(recipients)),
            name="age-sealer",
            daemon=True,
        )
        self._thread.start()

    def _run(self, reader: _QueueReader, recipients: list[x25519.Recipient]) -> None:
        try:
            pyrage.encrypt_io(cast(IO[bytes], reader), cast(IO[bytes], self._writer), recipients)
        except BaseException as exc:  # reported to the pushing thread
            self._error = exc

    def _put(self, item: bytes | _Abort) -> None:
        while True:
            if self._error is not None or not self._thread.is_alive():
                raise SealError(f"sealing stopped: {self._error}")
            try:
                self._chunks.put(item, timeout=0.5)
                return
            except queue.Full:
                continue

    def write(self, chunk: bytes) -> None:
        if self._closed:
            raise SealError("sealer is closed")
        if not chunk:
            return
        self._plain.update(chunk)
        self._plain_size += len(chunk)
        self._put(bytes(chunk))

    def close(self) -> SealedInfo:
        """Finish the age stream and wait for the worker; raise :class:`SealError` on failure."""
        if self._closed:
            raise SealError("sealer is closed")
        self._closed = True
        self._put(_EOF)
        self._thread.join()
        if self._error is None and self._writer.error is not None:
            self._error = self._writer.error
        if self._error is not None:
            raise SealError(f"age encryption failed: {self._error}") from self._error
        return SealedInfo(
            plain_sha256=self._plain.hexdigest(),
            plain_size=self._plain_size,
            sealed_sha256=self._writer.sha256.hexdigest(),
            sealed_size=self._writer.size,
        )

    def abort(self) -> None:
        """Stop without producing a valid ciphertext (idempotent)."""
        if self._closed and not self._thread.is_alive():
            return
        self._closed = True
        if self._thread.is_alive():
            with contextlib.suppress(queue.Full):
                self._chunks.put(_ABORT, timeout=5)
            self._thread.join(timeout=5)
