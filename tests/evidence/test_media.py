"""Video and audio metadata (PyAV in the sandboxed worker), keyframe perceptual hashes."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from crimebook.evidence import services
from crimebook.evidence.models import EvidenceItem
from crimebook.evidence.selectors import evidence_near_duplicates
from tests.evidence.helpers import mp4_bytes, wav_bytes

pytestmark = pytest.mark.django_db


def _ingest(compartment: Any, name: str, data: bytes) -> EvidenceItem:
    out = services.evidence_ingest_stream(
        actor=None, compartment_id=compartment.pk, name=name, stream=io.BytesIO(data)
    )
    return EvidenceItem.objects.get(pk=out.item_id)


def test_video_duration_fps_creation_time_location_and_keyframe(
    vault: Path, compartment: Any
) -> None:
    data = mp4_bytes(
        metadata={"creation_time": "2020-08-10T18:05:00.000000Z", "location": "+53.9045+027.5536/"}
    )
    item = _ingest(compartment, "clip.mp4", data)
    assert item.kind == "video" and item.metadata_status == "extracted", item.metadata_error
    assert item.fps == 25.0
    assert item.duration_s is not None and 1.5 < item.duration_s < 2.5
    assert item.captured_at == datetime(2020, 8, 10, 18, 5, tzinfo=UTC)
    assert not item.tz_inferred
    assert item.latitude is not None and abs(item.latitude - 53.9045) < 1e-4
    assert item.phash is not None
    assert item.derivatives.get().media_type == "image/jpeg"


def test_same_clip_reencoded_is_a_near_duplicate(
    vault: Path, compartment: Any, investigator: Any
) -> None:
    a = _ingest(compartment, "a.mp4", mp4_bytes(frames=30))
    b = _ingest(compartment, "b.mp4", mp4_bytes(frames=40))  # same picture, other bytes
    assert a.sha256 != b.sha256
    assert [i.pk for i in evidence_near_duplicates(investigator, a)] == [b.pk]


def test_audio_duration(vault: Path, compartment: Any) -> None:
    item = _ingest(compartment, "call.wav", wav_bytes(2.0))
    assert item.kind == "audio" and item.metadata_status == "extracted", item.metadata_error
    assert item.duration_s is not None and abs(item.duration_s - 2.0) < 0.05
    assert item.phash is None and not item.derivatives.exists()


def test_truncated_video_is_recorded_as_failed(vault: Path, compartment: Any) -> None:
    data = mp4_bytes()
    item = _ingest(compartment, "cut.mp4", data[:200])
    assert item.status == "ingested" and item.metadata_status == "failed"
