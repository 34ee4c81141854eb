"""The intake host's side of carrying submissions to the workspace (see :mod:`.bundle`).

``bundle_export`` runs where the intake's tables and sealed store are (``crimebook intake
pack``); ``replies_import`` takes the workspace's sealed replies back (``crimebook intake
unpack-replies``). Neither decrypts anything: the host holds public keys only.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import IO

from django.db import transaction

from crimebook.intake import conf
from crimebook.intake.bundle import (
    AttachmentRow,
    BundleError,
    Manifest,
    SourceRow,
    SubmissionRow,
    bundle_write,
    replies_parse,
)
from crimebook.intake.models import IntakeSource, Reply, Submission

__all__ = ["bundle_export", "replies_import"]


@dataclass(frozen=True)
class Packed:
    sources: int
    submissions: int
    files: int


def bundle_export(out: IO[bytes], *, since: date | None = None) -> Packed:
    """Write every submission received on or after ``since`` (all when ``None``), with its
    source, as a bundle signed with this host's receipt key."""
    store = conf.store()
    submissions = Submission.objects.select_related("source").prefetch_related("attachments")
    if since is not None:
        submissions = submissions.filter(received_on__gte=since)
    rows: list[SubmissionRow] = []
    sources: dict[str, SourceRow] = {}
    for s in submissions.order_by("id"):
        src = s.source
        sources.setdefault(
            str(src.uuid),
            SourceRow(
                uuid=str(src.uuid),
                lookup=src.lookup,
                reply_recipient=src.reply_recipient,
                created_on=src.created_on.isoformat(),
            ),
        )
        rows.append(
            SubmissionRow(
                uuid=str(s.uuid),
                source=str(src.uuid),
                kind=s.kind,
                insider=s.insider,
                received_on=s.received_on.isoformat(),
                sealed_sha256=s.sealed_sha256,
                sealed_size=s.sealed_size,
                receipt_id=s.receipt_id,
                attachments=tuple(
                    AttachmentRow(
                        position=a.position,
                        name=a.name,
                        sealed_sha256=a.sealed_sha256,
                        sealed_size=a.sealed_size,
                    )
                    for a in s.attachments.all()
                ),
            )
        )
    manifest = Manifest(
        created_on=datetime.now(UTC).date().isoformat(),
        sources=tuple(sources.values()),
        submissions=tuple(rows),
    )
    files = [
        (row.uuid, name, store.path(uuid.UUID(row.uuid), name))
        for row in rows
        for name, _digest, _size in row.files()
    ]
    missing = [f"{u}/{n}" for u, n, p in files if not p.is_file()]
    if missing:
        raise BundleError(
            f"{len(missing)} sealed file(s) missing from the store, e.g. {missing[0]}"
        )
    bundle_write(out, manifest, files, conf.signing_key())
    return Packed(sources=len(sources), submissions=len(rows), files=len(files))


@dataclass(frozen=True)
class RepliesTaken:
    added: int
    already_here: int


def replies_import(raw: bytes) -> RepliesTaken:
    """Store replies for sources this host knows; all or nothing. A reply already stored
    (same source, same sealed bytes) is counted, not duplicated."""
    rows = replies_parse(raw)
    known = {
        str(u): pk
        for u, pk in IntakeSource.objects.filter(uuid__in={r.source for r in rows}).values_list(
            "uuid", "id"
        )
    }
    unknown = sorted({r.source for r in rows} - known.keys())
    if unknown:
        raise BundleError(
            f"{len(unknown)} repl(y/ies) for a source this host does not know, e.g. {unknown[0]}"
        )
    added = already = 0
    with transaction.atomic():
        for r in rows:
            source_id = known[r.source]
            if Reply.objects.filter(source_id=source_id, sealed=r.sealed).exists():
                already += 1
                continue
            Reply.objects.create(
                source_id=source_id, sealed=r.sealed, created_on=date.fromisoformat(r.created_on)
            )
            added += 1
    return RepliesTaken(added=added, already_here=already)
