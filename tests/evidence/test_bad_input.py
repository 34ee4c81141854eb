"""Hostile and broken files: recorded honestly, never crash the pipeline."""

from __future__ import annotations

import io
import struct
import zlib
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from crimebook.evidence import services
from crimebook.evidence.extract import Limits, run_worker
from crimebook.evidence.metadata import normalise
from crimebook.evidence.models import EvidenceItem
from crimebook.evidence.sniff import sniff
from tests.evidence.helpers import jpeg_bytes, png_bytes

pytestmark = pytest.mark.django_db


def _ingest(compartment: Any, name: str, data: bytes) -> EvidenceItem:
    out = services.evidence_ingest_stream(
        actor=None, compartment_id=compartment.pk, name=name, stream=io.BytesIO(data)
    )
    assert out.item_id is not None
    return EvidenceItem.objects.get(pk=out.item_id)


def _png_bomb(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge image (compressed zero rows)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    raw = zlib.compress(b"\x00" * (width // 8 + 1) * 64, 9)
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def test_decompression_bomb_is_recorded_as_failed_metadata(vault: Path, compartment: Any) -> None:
    item = _ingest(compartment, "bomb.png", _png_bomb(50_000, 50_000))
    assert item.status == "ingested"  # the evidentiary copy is kept as received
    assert item.metadata_status == "failed"
    assert "DecompressionBomb" in item.metadata_error or "pixels" in item.metadata_error
    assert not item.derivatives.exists()


def test_truncated_and_corrupted_images(vault: Path, compartment: Any) -> None:
    data = jpeg_bytes(size=(300, 200))
    truncated = _ingest(compartment, "cut.jpg", data[: len(data) // 3])
    assert truncated.media_type == "image/jpeg"
    assert truncated.metadata_status == "failed" and truncated.metadata_error
    garbage = _ingest(compartment, "noise.png", b"\x89PNG\r\n\x1a\n" + b"\xde\xad" * 500)
    assert garbage.metadata_status == "failed"


def test_worker_time_and_memory_limits(tmp_path: Path) -> None:
    path = tmp_path / "x.png"
    path.write_bytes(png_bytes())
    slow = run_worker(path, "image/png", Limits(seconds=0.01))
    assert not slow.ok and "timed out" in slow.error
    starved = run_worker(path, "image/png", Limits(memory_bytes=32 * 1024**2))
    assert not starved.ok


def test_absurd_exif_values_are_left_out_and_named(vault: Path, compartment: Any) -> None:
    data = jpeg_bytes(taken=datetime(1066, 10, 14, 9, 0), make="X" * 5000, exif_extra={0x0112: 999})
    item = _ingest(compartment, "absurd.jpg", data)
    assert item.metadata_status == "extracted"
    assert item.captured_at is None and item.orientation is None
    assert len(item.device_make) <= 200
    assert any("implausible" in p for p in item.metadata_problems)
    assert any("orientation" in p for p in item.metadata_problems)


def test_normalise_rejects_impossible_values() -> None:
    out = normalise({
        "DateTimeOriginal": "2020:02:30 25:61:00", "GPSLatitude": [400.0, 0.0, 0.0],
        "GPSLatitudeRef": "N", "GPSLongitude": [27.5, 0.0, 0.0], "GPSLongitudeRef": "E",
        "OffsetTimeOriginal": "+99:00", "Orientation": -1,
    })  # fmt: skip
    assert out.captured_at is None and out.latitude is None and out.orientation is None
    assert len(out.problems) >= 3


def test_exif_offset_wins_over_gps_zone() -> None:
    out = normalise({"DateTimeOriginal": "2020:08:10 21:00:00", "OffsetTimeOriginal": "+02:00",
                     "GPSLatitude": [53.9, 0, 0], "GPSLatitudeRef": "N",
                     "GPSLongitude": [27.5, 0, 0], "GPSLongitudeRef": "E"})  # fmt: skip
    assert out.captured_at is not None and out.captured_at.hour == 19 and not out.tz_inferred


def test_no_zone_no_gps_is_flagged() -> None:
    out = normalise({"DateTimeOriginal": "2020:08:10 21:00:00"})
    assert out.tz_inferred and out.tz_name == "" and out.captured_at is not None


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (png_bytes()[:64], "image/png"),
        (b"\x00\x00\x00\x18ftypmp42\x00\x00", "video/mp4"),
        (b"\x00\x00\x00\x18ftypheic", "image/heic"),
        (b"PK\x03\x04", "application/zip"),
        (b"hello", "application/octet-stream"),
        (b"", "application/octet-stream"),
    ],
)
def test_sniff_by_content(head: bytes, expected: str) -> None:
    assert sniff(head) == expected


def test_zip_is_stored_but_not_parsed(vault: Path, compartment: Any) -> None:
    buf = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("big.bin", b"\x00" * 20_000_000)
    item = _ingest(compartment, "bomb.zip", buf.getvalue())
    assert item.media_type == "application/zip" and item.metadata_status == "none"


def test_video_without_moov_named_as_photo_is_not_parsed_as_image(
    vault: Path, compartment: Any
) -> None:
    item = _ingest(compartment, "holiday.jpg", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 100)
    assert item.media_type == "video/mp4" and item.kind == "video"
    assert item.metadata_status == "failed" and item.metadata_error


def test_worker_session_reuses_one_process_and_recovers_from_a_timeout(tmp_path: Path) -> None:
    from crimebook.evidence.extract import WorkerSession

    good = tmp_path / "x.png"
    good.write_bytes(png_bytes())
    session = WorkerSession(Limits(seconds=30))
    try:
        first = session.run(good, "image/png")
        pid = session._proc.pid if session._proc else None
        second = session.run(good, "image/png")
        assert first.ok and second.ok and first.phash == second.phash
        assert session._proc is not None and session._proc.pid == pid  # reused
        big = tmp_path / "big.jpg"
        big.write_bytes(jpeg_bytes(size=(2500, 2000)))
        session.limits = Limits(seconds=0.0001)  # the next file "hangs"
        slow = session.run(big, "image/jpeg")
        assert not slow.ok and "timed out" in slow.error and session._proc is None
        session.limits = Limits(seconds=30)
        assert session.run(good, "image/png").ok  # a fresh worker took over
    finally:
        session.close()


def test_worker_session_survives_a_bomb(tmp_path: Path) -> None:
    from crimebook.evidence.extract import worker_session

    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(_png_bomb(50_000, 50_000))
    good = tmp_path / "ok.png"
    good.write_bytes(png_bytes())
    with worker_session():
        assert not run_worker(bomb, "image/png").ok
        assert run_worker(good, "image/png").ok


def test_full_disk_while_sealing_is_recorded_and_leaves_nothing(
    vault: Path, compartment: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from crimebook.evidence.storage import VaultStore

    real = VaultStore.open_staged

    class FullDisk(io.BufferedWriter):
        def write(self, data: Any) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

    def open_staged(self: VaultStore) -> tuple[Path, Any]:
        path, sink = real(self)
        sink.close()
        return path, FullDisk(io.FileIO(path, "wb"))

    monkeypatch.setattr(VaultStore, "open_staged", open_staged)
    out = services.evidence_ingest_stream(
        actor=None, compartment_id=compartment.pk, name="big.mov", stream=io.BytesIO(b"x" * 5000)
    )
    assert out.outcome == "failed" and "No space left" in out.reason
    item = EvidenceItem.objects.get(pk=out.item_id)
    assert item.status == "failed" and not item.storage_key
    assert not [p for p in vault.rglob("*") if p.is_file()]
