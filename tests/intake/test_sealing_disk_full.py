"""A full disk while sealing is an error, never a truncated file reported as stored."""

from __future__ import annotations

import io

import pytest
from pyrage import x25519

from crimebook.intake.sealing import SealError, StreamSealer


class _FullDisk(io.RawIOBase):
    def __init__(self, room: int) -> None:
        self.room = room

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        if len(data) > self.room:
            raise OSError(28, "No space left on device")
        self.room -= len(data)
        return len(data)


@pytest.mark.parametrize("size", [100, 200_000])  # one final write only; several chunks
def test_full_disk_while_sealing_is_reported(size: int) -> None:
    recipient = x25519.Identity.generate().to_public()
    sealer = StreamSealer(_FullDisk(room=150), [recipient])  # type: ignore[arg-type]
    try:
        sealer.write(b"x" * size)
    except SealError:
        return  # stopped while writing: reported
    with pytest.raises(SealError):
        sealer.close()
