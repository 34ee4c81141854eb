"""Streaming hash + age sealing and unsealing of evidence (PURE: no Django).

``encrypt_io`` pulls plaintext from a reader; :class:`_HashingReader` wraps the source so the
SHA-256 of the plaintext, its size and its first bytes (for content sniffing) are computed in
the same single pass that seals it. Memory stays at one chunk whatever the file's size.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, BinaryIO, cast

import pyrage
from pyrage import x25519

__all__ = [
    "HEAD_BYTES",
    "CheckedWriter",
    "SealError",
    "Sealed",
    "decrypt_stream",
    "hash_stream",
    "parse_identities",
    "parse_recipients",
    "seal_stream",
]

HEAD_BYTES = 512
CHUNK = 1 << 20


class SealError(Exception):
    """Sealing or unsealing failed; the message says why."""


@dataclass(frozen=True)
class Sealed:
    sha256: str
    size: int
    head: bytes


def parse_recipients(values: Sequence[str]) -> list[x25519.Recipient]:
    if not values:
        raise SealError(
            "no vault recipients: set CRIMEBOOK_VAULT_RECIPIENTS or run `crimebook evidence keygen`"
        )
    out = []
    for value in values:
        try:
            out.append(x25519.Recipient.from_str(value.strip()))
        except Exception:  # pyrage raises its own RecipientError
            raise SealError(f"not an age X25519 public key: {value[:16]!r}…") from None
    return out


def parse_identities(text: str) -> list[x25519.Identity]:
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            try:
                found.append(x25519.Identity.from_str(line))
            except Exception:
                raise SealError("the vault identity file holds a malformed line") from None
    return found


class CheckedWriter(io.RawIOBase):
    """Wraps the ciphertext sink: ``pyrage.encrypt_io`` (1.4) ignores an exception the sink
    raises on its final write (for a file under ~64 KiB its only write) and never checks
    short writes, so a full disk would leave a truncated file that looks complete. This writer writes everything or remembers the first error, which the
    caller raises after the call (:meth:`check`)."""

    def __init__(self, sink: BinaryIO | None) -> None:
        self._sink = sink
        self.error: BaseException | None = None
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        view = memoryview(data).cast("B")
        if self.error is not None:
            raise self.error
        try:
            while view and self._sink is not None:
                written = self._sink.write(view)
                if written is None or written <= 0:
                    raise OSError("short write to the sealed copy")
                view = view[written:]
        except BaseException as exc:
            self.error = exc
            raise
        self.size += len(data)
        return len(data)

    def check(self) -> None:
        if self.error is not None:
            raise SealError(f"writing failed: {self.error}") from self.error


class _HashingReader(io.RawIOBase):
    def __init__(self, source: BinaryIO, limit: int | None) -> None:
        self._source = source
        self._limit = limit
        self.sha256 = hashlib.sha256()
        self.size = 0
        self.head = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._source.read(len(buffer))
        if not data:
            return 0
        n = len(data)
        self.size += n
        if self._limit is not None and self.size > self._limit:
            raise SealError(f"larger than the limit of {self._limit} bytes")
        if len(self.head) < HEAD_BYTES:
            self.head += data[: HEAD_BYTES - len(self.head)]
        self.sha256.update(data)
        buffer[:n] = data
        return n


def seal_stream(
    source: BinaryIO,
    sink: BinaryIO,
    recipients: Sequence[x25519.Recipient],
    *,
    limit: int | None = None,
) -> Sealed:
    """Read ``source`` once to its end, writing its age ciphertext to ``sink``."""
    reader = _HashingReader(source, limit)
    writer = CheckedWriter(sink)
    try:
        pyrage.encrypt_io(
            cast(IO[bytes], io.BufferedReader(reader, CHUNK)),
            cast(IO[bytes], writer),
            list(recipients),
        )
    except SealError:
        raise
    except Exception as exc:
        raise SealError(f"age encryption failed: {exc}") from exc
    writer.check()
    return Sealed(reader.sha256.hexdigest(), reader.size, reader.head)


def hash_stream(source: BinaryIO) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    for chunk in iter(lambda: source.read(CHUNK), b""):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


class _HashingWriter(CheckedWriter):
    def __init__(self, sink: BinaryIO | None) -> None:
        super().__init__(sink)
        self.sha256 = hashlib.sha256()

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        n = super().write(data)
        self.sha256.update(data)
        return n


def decrypt_stream(
    sealed: BinaryIO, identities: Sequence[x25519.Identity], sink: BinaryIO | None = None
) -> tuple[str, int]:
    """Decrypt to ``sink`` (or nowhere) while hashing the plaintext: ``(sha256, size)``."""
    writer = _HashingWriter(sink)
    try:
        pyrage.decrypt_io(cast(IO[bytes], sealed), cast(IO[bytes], writer), list(identities))
    except Exception as exc:
        raise SealError(f"cannot decrypt: {exc}") from exc
    writer.check()
    return writer.sha256.hexdigest(), writer.size
