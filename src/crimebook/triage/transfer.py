"""The workspace's side of carrying submissions from a separate intake host (see
:mod:`crimebook.intake.bundle`): ``crimebook intake unpack BUNDLE`` and ``crimebook intake
pack-replies``.

Unpacking checks the intake's signature and every file's SHA-256 while the files are written
to a staging directory of the workspace's intake store; only then are new submissions moved
into ``sealed/`` and recorded (rows + one audit entry) in one transaction. A submission already
here is skipped, so the same bundle (or overlapping ones) can be unpacked twice. Any problem:
nothing is recorded and no file stays behind.
"""

from __future__ import annotations

import os
import secrets
import shutil
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.db import transaction

from crimebook.audit.services import Actor, audit_record
from crimebook.intake import conf as intake_conf
from crimebook.intake.bundle import BundleError, ReplyRow, bundle_read, replies_document
from crimebook.intake.models import IntakeSource, Reply, SealedAttachment, Submission
from crimebook.intake.store import day_timestamp

__all__ = ["Unpacked", "bundle_import", "replies_export"]


@dataclass(frozen=True)
class Unpacked:
    submissions_added: int
    submissions_already_here: int
    sources_added: int


def _fsync(path: Path, *, directory: bool = False) -> None:
    fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if directory else 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def bundle_import(*, actor: Actor | None, path: Path, keys: Iterable[Ed25519PublicKey]) -> Unpacked:
    store = intake_conf.store()
    store.ensure()
    staging = store.staging_root / secrets.token_hex(16)
    staging.mkdir(mode=0o700)
    moved: list[Path] = []
    try:
        with path.open("rb") as handle:
            manifest, _written = bundle_read(handle, list(keys), staging)
        here = {
            str(u)
            for u in Submission.objects.filter(
                uuid__in=[s.uuid for s in manifest.submissions]
            ).values_list("uuid", flat=True)
        }
        sources_here = {
            str(u): (lookup, recipient)
            for u, lookup, recipient in IntakeSource.objects.filter(
                uuid__in=[s.uuid for s in manifest.sources]
            ).values_list("uuid", "lookup", "reply_recipient")
        }
        for row in manifest.sources:
            if row.uuid in sources_here and sources_here[row.uuid] != (
                row.lookup,
                row.reply_recipient,
            ):
                raise BundleError(f"source {row.uuid} is known here with other keys")
        new = [s for s in manifest.submissions if s.uuid not in here]
        try:
            for s in new:
                target = store.submission_dir(uuid.UUID(s.uuid))
                if target.exists():
                    raise BundleError(
                        f"the store holds an unrecorded directory for {s.uuid}: "
                        "run `crimebook intake sweep`, then unpack again"
                    )
                folder = staging / s.uuid
                stamp = day_timestamp(date.fromisoformat(s.received_on))
                for name, _digest, _size in s.files():
                    _fsync(folder / name)
                    os.utime(folder / name, (stamp, stamp))
                os.utime(folder, (stamp, stamp))
                _fsync(folder, directory=True)
                os.rename(folder, target)
                moved.append(target)
            _fsync(store.sealed_root, directory=True)
            with transaction.atomic():
                sources_added = 0
                source_pks: dict[str, int] = {}
                for src in manifest.sources:
                    obj, created = IntakeSource.objects.get_or_create(
                        uuid=uuid.UUID(src.uuid),
                        defaults={
                            "lookup": src.lookup,
                            "reply_recipient": src.reply_recipient,
                            "created_on": date.fromisoformat(src.created_on),
                        },
                    )
                    sources_added += created
                    source_pks[src.uuid] = obj.pk
                for s in new:
                    submission = Submission.objects.create(
                        uuid=uuid.UUID(s.uuid),
                        source_id=source_pks[s.source],
                        kind=s.kind,
                        insider=s.insider,
                        received_on=date.fromisoformat(s.received_on),
                        sealed_sha256=s.sealed_sha256,
                        sealed_size=s.sealed_size,
                        attachment_count=len(s.attachments),
                        attachments_sealed_size=sum(a.sealed_size for a in s.attachments),
                        receipt_id=s.receipt_id,
                    )
                    SealedAttachment.objects.bulk_create(
                        SealedAttachment(
                            submission=submission,
                            position=a.position,
                            name=a.name,
                            sealed_sha256=a.sealed_sha256,
                            sealed_size=a.sealed_size,
                        )
                        for a in s.attachments
                    )
                audit_record(
                    actor=actor,
                    action="intake_unpack",
                    object_type="intake.bundle",
                    object_id=manifest.created_on,
                    changes={
                        "added": [s.uuid for s in new],
                        "already_here": len(manifest.submissions) - len(new),
                    },
                )
        except BaseException:
            for target in moved:
                shutil.rmtree(target, ignore_errors=True)
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Unpacked(
        submissions_added=len(new),
        submissions_already_here=len(manifest.submissions) - len(new),
        sources_added=sources_added,
    )


def replies_export(*, actor: Actor | None, since: date | None = None) -> tuple[bytes, int]:
    """The sealed replies (since a day) for the intake host, and how many; audited."""
    replies = Reply.objects.select_related("source").order_by("id")
    if since is not None:
        replies = replies.filter(created_on__gte=since)
    rows = [
        ReplyRow(
            source=str(r.source.uuid), sealed=bytes(r.sealed), created_on=r.created_on.isoformat()
        )
        for r in replies
    ]
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="intake_pack_replies",
            object_type="intake.reply",
            object_id=len(rows),
            changes={"since": since.isoformat() if since else None},
        )
    return replies_document(rows, created_on=datetime.now(UTC).date()), len(rows)
