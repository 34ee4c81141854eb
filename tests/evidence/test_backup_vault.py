"""The vault travels with the backup: restored on a fresh directory, it verifies."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pyrage import x25519

from crimebook.backup.services import backup_create
from crimebook.evidence import services
from crimebook.evidence.models import EvidenceItem
from tests.evidence.helpers import jpeg_bytes

pytestmark = pytest.mark.django_db


def _run(data_dir: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRIMEBOOK_")}
    env["CRIMEBOOK_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-c", "from crimebook.cli import main; main()", *argv],
        env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip


@pytest.mark.slow
def test_backup_carries_the_vault_and_restore_verifies(
    vault: Path, compartment: Any, tmp_path: Path
) -> None:
    services.evidence_ingest_stream(
        actor=None, compartment_id=compartment.pk, name="p.jpg", stream=io.BytesIO(jpeg_bytes())
    )
    keys = set(EvidenceItem.objects.values_list("storage_key", flat=True))
    assert len(keys) == 2  # the original and its thumbnail
    identity = x25519.Identity.generate()
    (tmp_path / "id.txt").write_text(f"{identity}\n")
    archive = tmp_path / "b.tar.age"
    manifest = backup_create(out=archive, recipients=[str(identity.to_public())])
    assert {f"vault/{k}" for k in keys} <= set(manifest["files"])
    assert "keys/vault-identities.txt" in manifest["files"]
    fresh = tmp_path / "fresh"
    restored = _run(fresh, "restore", str(archive), "--identity", str(tmp_path / "id.txt"))
    assert restored.returncode == 0, restored.stderr
    assert all((fresh / "vault" / k).is_file() for k in keys)
    verify = _run(fresh, "evidence", "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert "2 files re-hashed" in verify.stdout
