"""Ingest: hash while sealing, content address, duplicates, custody, failures."""

from __future__ import annotations

import io
import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from crimebook.audit.models import AuditEntry
from crimebook.core.errors import NotFound
from crimebook.evidence import services
from crimebook.evidence.keys import identity_file_path
from crimebook.evidence.models import EvidenceItem
from crimebook.evidence.selectors import evidence_custody
from tests.evidence.helpers import jpeg_bytes, png_bytes

pytestmark = pytest.mark.django_db


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / "in" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_ingest_seals_under_content_address_and_age_cli_decrypts(
    vault: Path, compartment: Any, tmp_path: Path
) -> None:
    # GIVEN a photo on disk
    data = jpeg_bytes(taken=datetime(2020, 8, 10, 21, 5), gps=(53.9, 27.56), make="Apple")
    path = _write(tmp_path, "IMG_0001.JPG", data)
    # WHEN it is imported
    outcome = services.evidence_ingest_path(actor=None, compartment_id=compartment.pk, path=path)
    # THEN it is stored once, sealed, under its hash, and the stock age tool opens it
    assert outcome.outcome == "ingested"
    item = EvidenceItem.objects.get(pk=outcome.item_id)
    import hashlib

    sha = hashlib.sha256(data).hexdigest()
    assert item.sha256 == sha and item.size == len(data)
    assert item.storage_key == f"{sha[:2]}/{sha[2:4]}/{sha}.age"
    stored = vault / item.storage_key
    assert stored.is_file() and data not in stored.read_bytes()
    assert oct(stored.stat().st_mode & 0o777) == "0o400"
    if os.path.exists("/usr/bin/age"):
        plain = subprocess.run(
            ["/usr/bin/age", "-d", "-i", str(identity_file_path()), str(stored)],
            capture_output=True, check=True,
        ).stdout  # fmt: skip
        assert plain == data
    assert item.media_type == "image/jpeg" and item.kind == "photo"
    assert item.original_name == "IMG_0001.JPG"
    # metadata extracted in the worker, time zone inferred from GPS (Minsk, UTC+3)
    assert item.metadata_status == "extracted", item.metadata_error
    assert item.captured_at == datetime(2020, 8, 10, 18, 5, tzinfo=UTC)
    assert item.tz_inferred and item.tz_name == "Europe/Minsk"
    assert item.device_make == "Apple"
    assert abs((item.latitude or 0) - 53.9) < 1e-3
    assert item.phash is not None
    assert item.metadata_raw["Make"] == "Apple"
    # a thumbnail derivative records where it came from
    thumb = item.derivatives.get()
    assert thumb.derivation.startswith("thumbnail") and thumb.media_type == "image/jpeg"
    actions = [e.action for e in evidence_custody(item)]
    assert actions[:1] == ["ingest"] and "extract" in actions and "derive" in actions


def test_reimport_is_recognised_and_recorded_not_stored_twice(
    vault: Path, compartment: Any, tmp_path: Path
) -> None:
    data = png_bytes()
    first = services.evidence_ingest_path(
        actor=None, compartment_id=compartment.pk, path=_write(tmp_path, "a.png", data)
    )
    files_before = sorted(p for p in vault.rglob("*.age"))
    second = services.evidence_ingest_path(
        actor=None, compartment_id=compartment.pk, path=_write(tmp_path, "copy of a.png", data)
    )
    assert second.outcome == "duplicate" and second.item_id == first.item_id
    assert sorted(p for p in vault.rglob("*.age")) == files_before
    assert EvidenceItem.objects.filter(derived_from__isnull=True).count() == 1
    dup = AuditEntry.objects.get(action="duplicate")
    assert dup.object_id == str(first.item_id) and dup.changes["name"] == "copy of a.png"


def test_uploaded_stream_dedupes_too(vault: Path, compartment: Any) -> None:
    data = png_bytes((10, 10))
    a = services.evidence_ingest_stream(
        actor=None, compartment_id=compartment.pk, name="x.png", stream=io.BytesIO(data)
    )
    b = services.evidence_ingest_stream(
        actor=None, compartment_id=compartment.pk, name="y.png", stream=io.BytesIO(data)
    )
    assert (a.outcome, b.outcome) == ("ingested", "duplicate")
    assert a.item_id == b.item_id
    assert not list((vault / ".staging").iterdir())


def test_mislabelled_file_is_typed_by_content(
    vault: Path, compartment: Any, tmp_path: Path
) -> None:
    out = services.evidence_ingest_path(
        actor=None, compartment_id=compartment.pk, path=_write(tmp_path, "clip.mp4", png_bytes())
    )
    item = EvidenceItem.objects.get(pk=out.item_id)
    assert item.media_type == "image/png" and item.kind == "photo"
    assert item.original_name == "clip.mp4"


def test_path_tricks_in_names_never_reach_the_store(
    vault: Path, compartment: Any, tmp_path: Path
) -> None:
    data = b"not much here"
    out = services.evidence_ingest_stream(
        actor=None, compartment_id=compartment.pk, name="../../../etc/passwd\x00.jpg",
        stream=io.BytesIO(data),
    )  # fmt: skip
    item = EvidenceItem.objects.get(pk=out.item_id)
    assert item.original_name == "passwd.jpg"
    assert all(p.resolve().is_relative_to(vault) for p in vault.rglob("*"))
    assert not (tmp_path / "etc").exists()
    from crimebook.evidence.keys import store
    from crimebook.evidence.storage import StoreError

    with pytest.raises(StoreError):
        store().path_for_key("../../etc/passwd")
    with pytest.raises(StoreError):
        store().key_for("../" + "a" * 61)


def test_file_changing_between_passes_is_recorded_as_failed(
    vault: Path, compartment: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path, "growing.bin", b"A" * 1000)
    real = services.hash_file

    def hash_then_change(p: Path) -> tuple[str, int]:
        result = real(p)
        p.write_bytes(b"B" * 1000)  # the file is rewritten after the first pass
        return result

    monkeypatch.setattr(services, "hash_file", hash_then_change)
    out = services.evidence_ingest_path(actor=None, compartment_id=compartment.pk, path=path)
    assert out.outcome == "failed" and "changed while being imported" in out.reason
    item = EvidenceItem.objects.get(pk=out.item_id)
    assert item.status == "failed" and not item.storage_key
    assert not list(vault.rglob("*.age"))
    assert AuditEntry.objects.filter(action="ingest_failed", object_id=str(item.pk)).exists()


def test_unreadable_file_is_skipped_with_reason(
    vault: Path, compartment: Any, tmp_path: Path
) -> None:
    path = _write(tmp_path, "secret.jpg", b"x")
    path.chmod(0)
    if os.access(path, os.R_OK):
        pytest.skip("running as root: permissions do not stop reading")
    out = services.evidence_ingest_path(actor=None, compartment_id=compartment.pk, path=path)
    assert out.outcome == "skipped" and "unreadable" in out.reason


def test_outsider_cannot_ingest_into_a_compartment(
    vault: Path, compartment: Any, mallory: Any, reader: Any
) -> None:
    with pytest.raises(NotFound):
        services.evidence_ingest_stream(
            actor=mallory, compartment_id=compartment.pk, name="x", stream=io.BytesIO(b"x")
        )
    from crimebook.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.evidence_ingest_stream(
            actor=reader, compartment_id=compartment.pk, name="x", stream=io.BytesIO(b"x")
        )
