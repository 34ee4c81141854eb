"""Carrying sealed submissions from a separate intake host to the workspace and replies back
(``crimebook intake pack|unpack|pack-replies|unpack-replies``)."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from typer.testing import CliRunner

from crimebook.audit.models import AuditEntry
from crimebook.cli.app import app
from crimebook.intake import conf
from crimebook.intake.bundle import (
    BundleError,
    Manifest,
    SourceRow,
    SubmissionRow,
    bundle_read,
    bundle_write,
    replies_parse,
)
from crimebook.intake.models import IntakeSource, Reply, SealedAttachment, Submission
from crimebook.intake.receipts import public_key_text
from crimebook.intake.services import source_open
from crimebook.intake.transfer import bundle_export, replies_import
from crimebook.triage.services import reply_send, submission_open
from crimebook.triage.transfer import bundle_import, replies_export

pytestmark = pytest.mark.django_db


def _move_to_workspace(settings: Any, tmp_path: Path) -> Path:
    """Stand for the workspace host: an empty intake store and no intake rows."""
    SealedAttachment.objects.all().delete()
    Reply.objects.all().delete()
    Submission.objects.all().delete()
    IntakeSource.objects.all().delete()
    settings.CRIMEBOOK_INTAKE_STORE_DIR = tmp_path / "workspace-intake"
    return tmp_path / "workspace-intake"


def _pack(tmp_path: Path) -> tuple[Path, Any]:
    bundle = tmp_path / "bundle.tar"
    with bundle.open("wb") as out:
        bundle_export(out)
    return bundle, conf.signing_key().public_key()


def test_bundle_carries_submissions_that_triage_then_opens(
    receive: Any, reviewer: Any, settings: Any, tmp_path: Path
) -> None:
    first, _ = receive()
    insider, _ = receive(insider=True, perpetrators_unit="SOBR")
    before = {s.uuid: (s.sealed_sha256, s.receipt_id) for s in (first, insider)}
    bundle, key = _pack(tmp_path)
    store = _move_to_workspace(settings, tmp_path)

    result = bundle_import(actor=reviewer, path=bundle, keys=[key])
    assert (result.submissions_added, result.sources_added) == (2, 2)
    after = {s.uuid: (s.sealed_sha256, s.receipt_id) for s in Submission.objects.all()}
    assert after == before
    opened = submission_open(actor=reviewer, submission=Submission.objects.get(uuid=insider.uuid))
    assert opened.sealed_sha256_ok and opened.document["report"]["perpetrators_unit"] == "SOBR"
    assert not any((store / "staging").iterdir())
    assert AuditEntry.objects.filter(action="intake_unpack", actor_id=reviewer.pk).count() == 1

    again = bundle_import(actor=reviewer, path=bundle, keys=[key])
    assert (again.submissions_added, again.submissions_already_here) == (0, 2)


def test_tampered_or_foreign_bundles_add_nothing(
    receive: Any, reviewer: Any, settings: Any, tmp_path: Path
) -> None:
    receive()
    bundle, key = _pack(tmp_path)
    store = _move_to_workspace(settings, tmp_path)

    with pytest.raises(BundleError, match="published key"):
        bundle_import(actor=reviewer, path=bundle, keys=[Ed25519PrivateKey.generate().public_key()])
    raw = bytearray(bundle.read_bytes())
    raw[raw.rindex(b"age-encryption.org/v1") + 60] ^= 0x01  # inside the sealed report
    tampered = tmp_path / "tampered.tar"
    tampered.write_bytes(bytes(raw))
    truncated = tmp_path / "truncated.tar"
    truncated.write_bytes(bundle.read_bytes()[:3000])
    garbage = tmp_path / "garbage.tar"
    garbage.write_bytes(b"not a tar at all" * 100)
    for bad, reason in (
        (tampered, "SHA-256|damaged"),
        (truncated, "damaged|missing|first"),
        (garbage, "tar|damaged|first"),
    ):
        with pytest.raises(BundleError, match=reason):
            bundle_import(actor=reviewer, path=bad, keys=[key])
    assert Submission.objects.count() == 0 and IntakeSource.objects.count() == 0
    assert not any((store / "sealed").iterdir()) and not any((store / "staging").iterdir())
    assert not AuditEntry.objects.filter(action="intake_unpack").exists()


def test_bundle_reader_refuses_extra_entries_links_and_unsigned_changes(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    sid, src = "5f0c3f7e-8e4b-4b8e-9a43-0c1d2e3f4a5b", "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
    report = b"age-encryption.org/v1\n-> sealed bytes"
    (tmp_path / "report.age").write_bytes(report)
    manifest = Manifest(
        created_on="2020-08-12",
        sources=(SourceRow(uuid=src, lookup="ab" * 32, reply_recipient="age1" + "q" * 58, created_on="2020-08-12"),),
        submissions=(
            SubmissionRow(
                uuid=sid, source=src, kind="report", insider=False, received_on="2020-08-12",
                sealed_sha256=hashlib.sha256(report).hexdigest(), sealed_size=len(report), receipt_id=None,
            ),
        ),
    )  # fmt: skip
    good = io.BytesIO()
    bundle_write(good, manifest, [(sid, "report.age", tmp_path / "report.age")], key)
    out = tmp_path / "out"
    out.mkdir()
    read, written = bundle_read(io.BytesIO(good.getvalue()), [key.public_key()], out)
    assert read == manifest and written[(sid, "report.age")].read_bytes() == report

    def rewrite(extra: tarfile.TarInfo, body: bytes = b"") -> bytes:
        buffer = io.BytesIO()
        with (
            tarfile.open(fileobj=io.BytesIO(good.getvalue())) as src_tar,
            tarfile.open(fileobj=buffer, mode="w") as dst,
        ):
            for member in src_tar.getmembers():
                dst.addfile(member, src_tar.extractfile(member))
            dst.addfile(extra, io.BytesIO(body) if body else None)
        return buffer.getvalue()

    link = tarfile.TarInfo(f"sealed/{sid}/a0.age")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    escape = tarfile.TarInfo("../../escape.age")
    escape.size = 3
    for bad, reason in (
        (rewrite(link), "unexpected entry"),
        (rewrite(escape, b"abc"), "unexpected entry"),
    ):
        target = tmp_path / f"t{len(reason)}{id(bad)}"
        target.mkdir()
        with pytest.raises(BundleError, match=reason):
            bundle_read(io.BytesIO(bad), [key.public_key()], target)
    assert not (tmp_path.parent / "escape.age").exists()

    # the manifest changed after signing: the signature no longer verifies
    forged = good.getvalue().replace(b'"insider": false', b'"insider": true ')
    target = tmp_path / "forged"
    target.mkdir()
    with pytest.raises(BundleError, match="published key"):
        bundle_read(io.BytesIO(forged), [key.public_key()], target)


def test_replies_go_back_to_the_intake_host(
    receive: Any, reviewer: Any, settings: Any, tmp_path: Path
) -> None:
    submission, codename = receive()
    reply_send(actor=reviewer, submission=submission, text="Which unit was it?")
    document, count = replies_export(actor=reviewer)
    assert count == 1 and b"Which unit" not in document
    Reply.objects.all().delete()  # the intake host has not got it yet
    taken = replies_import(document)
    assert (taken.added, taken.already_here) == (1, 0)
    assert replies_import(document).already_here == 1
    opened = source_open(codename=codename)
    assert opened is not None and opened.replies == ("Which unit was it?",)

    doc = json.loads(document)
    doc["replies"][0]["source"] = "00000000-0000-4000-8000-000000000000"
    with pytest.raises(BundleError, match="does not know"):
        replies_import(json.dumps(doc).encode())
    doc["replies"][0]["sealed"] = "bm90IGFnZQ=="
    with pytest.raises(BundleError, match="not an age file"):
        replies_parse(json.dumps(doc).encode())
    assert Reply.objects.count() == 1


def test_cli_pack_and_unpack(receive: Any, settings: Any, tmp_path: Path) -> None:
    receive()
    published = public_key_text(conf.signing_key().public_key())
    bundle = tmp_path / "carry.tar"
    result = CliRunner().invoke(app, ["intake", "pack", "--out", str(bundle)])
    assert result.exit_code == 0, result.output
    assert "1 submission(s)" in result.output
    again = CliRunner().invoke(app, ["intake", "pack", "--out", str(bundle)])
    assert again.exit_code == 1 and "exists" in again.output
    _move_to_workspace(settings, tmp_path)
    result = CliRunner().invoke(app, ["intake", "unpack", str(bundle), "--public-key", published])
    assert result.exit_code == 0, result.output
    assert "added 1 submission(s)" in result.output
    wrong = public_key_text(Ed25519PrivateKey.generate().public_key())
    result = CliRunner().invoke(app, ["intake", "unpack", str(bundle), "--public-key", wrong])
    assert result.exit_code == 1 and "nothing added" in result.output
