"""Intake attachments into the vault: re-sealed without plaintext on disk, hashes checked."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from crimebook.audit.models import AuditEntry
from crimebook.cli.app import app
from crimebook.evidence.models import EvidenceItem
from crimebook.intake import conf
from crimebook.intake.sealing import StreamSealer, parse_recipients
from crimebook.intake.services import report_receive
from crimebook.intake.uploads import SealedUpload
from crimebook.triage.keys import intake_keygen
from tests.evidence.helpers import jpeg_bytes

pytestmark = pytest.mark.django_db
runner = CliRunner()


@pytest.fixture
def submission(settings: Any, tmp_path: Path, vault: Path) -> tuple[Any, bytes]:
    settings.CRIMEBOOK_INTAKE_STORE_DIR = tmp_path / "intake"
    settings.CRIMEBOOK_INTAKE_SIGNING_KEY_FILE = tmp_path / "intake" / "receipt.key"
    _, public, _ = intake_keygen()
    settings.CRIMEBOOK_INTAKE_RECIPIENTS = [public]
    for cached in (conf._codename_salt, conf._signing_key):
        cached.cache_clear()
    data = jpeg_bytes(make="Xiaomi")
    staging = conf.store().stage()
    name = staging.new_attachment_name()
    with staging.open_new(name) as sink:
        sealer = StreamSealer(sink, parse_recipients([public]))
        sealer.write(data)
        info = sealer.close()
    upload = SealedUpload(
        stored_name=name, original_name="IMG_2020.jpg", content_type="image/jpeg", info=info
    )
    received = report_receive(
        report={"what_happened": "Beaten in the van.", "when_kind": "unknown"},
        language="en", insider=False, uploads=[upload], staging=staging,
    )  # fmt: skip
    from crimebook.intake.models import Submission

    return Submission.objects.get(uuid=received.submission_id), data


def test_attachment_moves_into_the_vault_with_custody(
    submission: tuple[Any, bytes], compartment: Any, vault: Path
) -> None:
    sub, data = submission
    result = runner.invoke(app, ["evidence", "from-intake", str(sub.uuid), "-c", compartment.name])
    assert result.exit_code == 0, result.output
    item = EvidenceItem.objects.get(derived_from__isnull=True)
    assert item.sha256 == hashlib.sha256(data).hexdigest()
    assert item.original_name == "IMG_2020.jpg" and item.device_make == "Xiaomi"
    entry = AuditEntry.objects.get(action="ingest", object_id=str(item.pk))
    assert entry.changes["via"] == f"intake:{sub.uuid}"
    again = runner.invoke(app, ["evidence", "from-intake", str(sub.uuid), "-c", compartment.name])
    assert "duplicate" in again.output


def test_a_changed_intake_file_is_refused(
    submission: tuple[Any, bytes], compartment: Any, vault: Path
) -> None:
    sub, _ = submission
    path = conf.store().path(sub.uuid, sub.attachments.get().name)
    path.chmod(0o600)
    path.write_bytes(path.read_bytes()[:-10])
    result = runner.invoke(app, ["evidence", "from-intake", str(sub.uuid), "-c", compartment.name])
    assert result.exit_code == 1 and "sealed attachment changed" in result.output
    assert not EvidenceItem.objects.exists()


def test_unknown_submission(compartment: Any, vault: Path) -> None:
    result = runner.invoke(
        app, ["evidence", "from-intake", "00000000-0000-0000-0000-000000000000", "-c",
              compartment.name],
    )  # fmt: skip
    assert result.exit_code == 1
