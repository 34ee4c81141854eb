"""``crimebook evidence import|verify`` and ``crimebook cameras|recordings import``."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from crimebook.cli.app import app
from crimebook.evidence.models import Camera, EvidenceItem, Recording
from tests.evidence.helpers import jpeg_bytes, png_bytes

pytestmark = pytest.mark.django_db
runner = CliRunner()


def _tree(root: Path) -> Path:
    (root / "sub").mkdir(parents=True)
    (root / "a.jpg").write_bytes(jpeg_bytes())
    (root / "sub" / "b.png").write_bytes(png_bytes())
    (root / "sub" / "a-again.jpg").write_bytes(jpeg_bytes())
    (root / "link.jpg").symlink_to(root / "a.jpg")
    return root


def test_import_reports_every_file_and_verify_passes(
    vault: Path, compartment: Any, tmp_path: Path
) -> None:
    root = _tree(tmp_path / "drop")
    report = tmp_path / "report.json"
    result = runner.invoke(
        app, ["evidence", "import", str(root), "-c", compartment.name, "--report", str(report)]
    )
    # the symlink is skipped (exit 1 says something was not imported) and reported
    assert result.exit_code == 1, result.output
    doc = json.loads(report.read_text())
    outcomes = {row["path"].rsplit("/", 1)[-1]: row["outcome"] for row in doc["files"]}
    assert outcomes == {
        "a.jpg": "ingested", "b.png": "ingested", "a-again.jpg": "duplicate", "link.jpg": "skipped"
    }  # fmt: skip
    assert doc["summary"] == {"ingested": 2, "duplicate": 1, "failed": 0, "skipped": 1}
    assert EvidenceItem.objects.filter(derived_from__isnull=True).count() == 2
    ok = runner.invoke(app, ["evidence", "verify"])
    assert ok.exit_code == 0, ok.output
    assert "vault intact" in ok.output


def test_verify_names_changed_missing_and_unexpected_files(
    vault: Path, compartment: Any, tmp_path: Path
) -> None:
    root = tmp_path / "drop"
    root.mkdir()
    for i in range(3):
        (root / f"{i}.bin").write_bytes(f"file {i}".encode() * 100)
    runner.invoke(app, ["evidence", "import", str(root), "-c", compartment.name])
    keys = sorted(EvidenceItem.objects.values_list("storage_key", flat=True))
    changed, missing = vault / keys[0], vault / keys[1]
    changed.chmod(0o600)
    blob = bytearray(changed.read_bytes())
    blob[-5] ^= 0xFF
    changed.write_bytes(bytes(blob))
    missing.chmod(0o600)
    missing.unlink()
    (vault / "ff" / "ff").mkdir(parents=True)
    (vault / "ff" / "ff" / "planted.age").write_bytes(b"x")
    result = runner.invoke(app, ["evidence", "verify", "--json"])
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["changed"] == [keys[0]] and data["missing"] == [keys[1]]
    assert data["unexpected"] == ["ff/ff/planted.age"]


def test_unreadable_directory_is_reported(
    vault: Path, compartment: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "drop"
    (root / "locked").mkdir(parents=True)
    (root / "ok.bin").write_bytes(b"fine")
    real_scandir = os.scandir

    def scandir(path: Any) -> Any:
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    report = tmp_path / "r.json"
    result = runner.invoke(
        app, ["evidence", "import", str(root), "-c", compartment.name, "--report", str(report)]
    )
    assert result.exit_code == 1
    rows = json.loads(report.read_text())["files"]
    assert any(r["outcome"] == "skipped" and "unreadable directory" in r["reason"] for r in rows)
    assert any(r["outcome"] == "ingested" for r in rows)


def test_cameras_and_recordings_csv_with_row_errors(compartment: Any, tmp_path: Path) -> None:
    cams = tmp_path / "cams.csv"
    cams.write_text(
        "camera_id,name,latitude,longitude,fov_radius_m\n"
        "C1,Nemiga exit,53.9045,27.5536,40\n"
        "C2,,53.9,27.5,\n"
        "C3,bad,95,27.5,10\n"
        "C1,duplicate id,53.9,27.5,10\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["cameras", "import", str(cams), "-c", compartment.name])
    assert result.exit_code == 1
    assert "line 4: latitude out of range" in result.output
    assert sorted(Camera.objects.values_list("external_id", flat=True)) == ["C1", "C2"]
    assert Camera.objects.get(external_id="C2").fov_radius_m == 50.0
    recs = tmp_path / "recs.csv"
    recs.write_text(
        "camera_id,start,end,held_by\n"
        "C1,2020-08-10T18:00:00+03:00,2020-08-10T19:00:00+03:00,City CCTV archive\n"
        "C2,2020-08-10T18:00:00Z,2020-08-10T17:00:00Z,\n"
        "C9,2020-08-10T18:00:00Z,2020-08-10T19:00:00Z,\n"
        "C1,yesterday,2020-08-10T19:00:00Z,\n"
        "C1,2020-08-10T18:00:00,2020-08-10T19:00:00Z,\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["recordings", "import", str(recs), "-c", compartment.name])
    assert result.exit_code == 1
    out = result.output
    assert "line 3: end is before start" in out and "line 4: unknown camera_id" in out
    assert (
        "line 5: start is not an ISO 8601 time" in out and "line 6: start has no time zone" in out
    )
    rec = Recording.objects.get()
    assert rec.item is None and rec.held_by == "City CCTV archive"
    assert rec.start.isoformat() == "2020-08-10T15:00:00+00:00"


def test_csv_missing_columns_is_one_clear_error(compartment: Any, tmp_path: Path) -> None:
    bad = tmp_path / "x.csv"
    bad.write_text("id,lat\n1,2\n", encoding="utf-8")
    result = runner.invoke(app, ["cameras", "import", str(bad), "-c", compartment.name])
    assert result.exit_code == 1 and "lacks the column(s) camera_id" in result.output


@pytest.mark.parametrize("argv", [["evidence", "import"], ["evidence", "verify"],
                                  ["evidence", "keygen"], ["cameras", "import"],
                                  ["recordings", "import"]])  # fmt: skip
def test_help(argv: list[str]) -> None:
    assert runner.invoke(app, [*argv, "--help"]).exit_code == 0


def test_process_resumes_items_left_pending(
    vault: Path, compartment: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from crimebook.evidence import services

    # GIVEN an import whose processing job died (worker killed) before it ran
    def killed(item_id: int) -> None:
        raise RuntimeError("worker killed")

    monkeypatch.setattr(services, "process_item", killed)
    root = tmp_path / "drop"
    root.mkdir()
    (root / "a.jpg").write_bytes(jpeg_bytes())
    assert (
        runner.invoke(app, ["evidence", "import", str(root), "-c", compartment.name]).exit_code == 0
    )
    item = EvidenceItem.objects.get()
    assert item.status == "ingested" and item.metadata_status == "pending"
    # WHEN processing is run again THEN it completes, once
    monkeypatch.undo()
    result = runner.invoke(app, ["evidence", "process"])
    assert result.exit_code == 0 and "processed 1 item" in result.output
    item.refresh_from_db()
    assert item.metadata_status == "extracted" and item.derivatives.count() == 1
    assert "processed 0 items" in runner.invoke(app, ["evidence", "process"]).output


def test_verify_resumes_after_an_interruption(
    vault: Path, compartment: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from crimebook.evidence import services

    root = tmp_path / "drop"
    root.mkdir()
    for i in range(5):
        (root / f"{i}.bin").write_bytes(f"content {i}".encode())
    runner.invoke(app, ["evidence", "import", str(root), "-c", compartment.name])
    real = services.decrypt_stream
    calls: list[int] = []

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        if len(calls) == 3:
            raise KeyboardInterrupt
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "decrypt_stream", interrupted)
    with pytest.raises(KeyboardInterrupt):
        services.vault_verify(checkpoint_seconds=0)
    monkeypatch.setattr(services, "decrypt_stream", real)
    seen: list[int] = []
    monkeypatch.setattr(services, "decrypt_stream", lambda *a, **k: seen.append(1) or real(*a, **k))
    report = services.vault_verify(resume=True)
    assert report.ok and report.checked == 5
    assert len(seen) == 2  # only the files the interrupted run had not checked
    assert not (vault / ".staging" / "verify-state.json").exists()


def test_recording_linked_to_footage_in_the_vault_by_hash(
    vault: Path, compartment: Any, tmp_path: Path
) -> None:
    import hashlib
    import io

    from crimebook.evidence.services import evidence_ingest_stream

    footage = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64
    out = evidence_ingest_stream(
        actor=None, compartment_id=compartment.pk, name="cam1.mp4", stream=io.BytesIO(footage)
    )
    cams = tmp_path / "cams.csv"
    cams.write_text("camera_id,latitude,longitude\nC1,53.9,27.55\n", encoding="utf-8")
    runner.invoke(app, ["cameras", "import", str(cams), "-c", compartment.name])
    sha = hashlib.sha256(footage).hexdigest()
    recs = tmp_path / "recs.csv"
    recs.write_text(
        "camera_id,start,end,sha256\n"
        f"C1,2020-08-10T18:00:00Z,2020-08-10T19:00:00Z,{sha.upper()}\n"
        f"C1,2020-08-10T19:00:00Z,2020-08-10T20:00:00Z,{'0' * 64}\n"
        "C1,2020-08-10T20:00:00Z,2020-08-10T21:00:00Z,xyz\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["recordings", "import", str(recs), "-c", compartment.name])
    assert "line 3: no footage with SHA-256" in result.output
    assert "line 4: sha256 is not 64 hexadecimal digits" in result.output
    assert Recording.objects.get().item_id == out.item_id


def test_import_without_vault_keys_fails_fast(
    compartment: Any, tmp_path: Path, settings: Any
) -> None:
    settings.CRIMEBOOK_VAULT_DIR = tmp_path / "vault"
    settings.CRIMEBOOK_VAULT_RECIPIENTS = []
    (tmp_path / "drop").mkdir()
    (tmp_path / "drop" / "a.bin").write_bytes(b"x")
    result = runner.invoke(
        app, ["evidence", "import", str(tmp_path / "drop"), "-c", compartment.name]
    )
    assert result.exit_code == 1 and "crimebook evidence keygen" in result.output
    assert not EvidenceItem.objects.exists()
