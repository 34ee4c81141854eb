"""Intake writes: receive a report or a follow-up, open a source by codename.

Order of a receipt (DESIGN §5, issue 4 item 4): attachments are already sealed in the
request's staging directory by the upload handler → the report document (JSON, listing every
attachment's hashes) is sealed in memory and written beside them → the staging directory is
fsynced and renamed into the store in one step → the database rows are written in one
transaction → only then does the view say "received". If the transaction fails, the renamed
directory is removed again (and :meth:`Store.sweep` removes it after a crash).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from django.db import transaction
from pyrage import x25519

from crimebook.intake import conf
from crimebook.intake.codenames import codename_derive, codename_generate
from crimebook.intake.models import IntakeSource, Reply, SealedAttachment, Submission
from crimebook.intake.receipts import Receipt, receipt_sign
from crimebook.intake.replykeys import ReplyOpenError, reply_open, reply_recipient
from crimebook.intake.sealing import seal_bytes
from crimebook.intake.store import Staging
from crimebook.intake.uploads import SealedUpload

__all__ = [
    "FOLLOWUPS_PER_SOURCE_PER_DAY",
    "REPORT_FORMAT",
    "Opened",
    "Received",
    "TooManyFollowups",
    "followup_receive",
    "report_receive",
    "source_open",
    "store_sweep",
]

REPORT_FORMAT = "crimebook-intake/1"
FOLLOWUPS_PER_SOURCE_PER_DAY = 50
REPORT_NAME = "report.age"

Sealer = Callable[[bytes, Sequence[x25519.Recipient]], bytes]


class TooManyFollowups(Exception):
    """A source sent more follow-ups today than any honest use needs."""


@dataclass(frozen=True)
class Received:
    submission_id: uuid.UUID
    codename: str | None
    receipt: Receipt | None


@dataclass(frozen=True)
class Opened:
    source_id: uuid.UUID
    replies: tuple[str, ...]


def today() -> date:
    """The UTC day: the finest time the intake ever stores."""
    return datetime.now(UTC).date()


def _attachment_entries(uploads: Sequence[SealedUpload]) -> list[dict[str, Any]]:
    return [
        {
            "file": u.stored_name,
            "original_name": u.original_name,
            "content_type": u.content_type,
            "size": u.info.plain_size,
            "sha256": u.info.plain_sha256,
            "sealed_size": u.info.sealed_size,
            "sealed_sha256": u.info.sealed_sha256,
        }
        for u in uploads
    ]


def _store_submission(
    *,
    source: IntakeSource | None,
    new_source: Callable[[], IntakeSource] | None,
    kind: str,
    insider: bool,
    document: dict[str, Any],
    uploads: Sequence[SealedUpload],
    staging: Staging,
    seal: Sealer,
    day: date,
) -> tuple[Submission, Receipt | None]:
    submission_id = uuid.uuid4()
    document = {**document, "attachments": _attachment_entries(uploads)}
    plaintext = json.dumps(document, ensure_ascii=False, sort_keys=True).encode("utf-8")
    sealed = seal(plaintext, conf.recipients())
    staging.write_file(REPORT_NAME, sealed)
    sealed_sha256 = hashlib.sha256(sealed).hexdigest()
    receipt = (
        receipt_sign(conf.signing_key(), sealed_sha256=sealed_sha256, issued_on=day)
        if insider
        else None
    )
    store = conf.store()
    staging.commit(submission_id, day=day)
    try:
        with transaction.atomic():
            owner = source if source is not None else new_source() if new_source else None
            assert owner is not None
            submission = Submission.objects.create(
                uuid=submission_id,
                source=owner,
                kind=kind,
                insider=insider,
                received_on=day,
                sealed_sha256=sealed_sha256,
                sealed_size=len(sealed),
                attachment_count=len(uploads),
                attachments_sealed_size=sum(u.info.sealed_size for u in uploads),
                receipt_id=receipt.receipt_id if receipt else None,
            )
            SealedAttachment.objects.bulk_create(
                SealedAttachment(
                    submission=submission,
                    position=i,
                    name=u.stored_name,
                    sealed_sha256=u.info.sealed_sha256,
                    sealed_size=u.info.sealed_size,
                )
                for i, u in enumerate(uploads)
            )
    except BaseException:
        store.remove(submission_id)
        raise
    return submission, receipt


def report_receive(
    *,
    report: Mapping[str, Any],
    language: str,
    insider: bool,
    uploads: Sequence[SealedUpload],
    staging: Staging,
    seal: Sealer = seal_bytes,
) -> Received:
    """Seal and durably store a new report; returns the codename (to be shown once)."""
    day = today()
    codename = codename_generate()
    keys = codename_derive(codename, conf.codename_salt())

    def new_source() -> IntakeSource:
        return IntakeSource.objects.create(
            lookup=keys.lookup,
            reply_recipient=reply_recipient(keys.reply_secret),
            created_on=day,
        )

    document = {
        "format": REPORT_FORMAT,
        "kind": Submission.Kind.REPORT.value,
        "language": language,
        "insider": insider,
        "received_on": day.isoformat(),
        "report": dict(report),
    }
    submission, receipt = _store_submission(
        source=None,
        new_source=new_source,
        kind=Submission.Kind.REPORT,
        insider=insider,
        document=document,
        uploads=uploads,
        staging=staging,
        seal=seal,
        day=day,
    )
    return Received(submission_id=submission.uuid, codename=codename, receipt=receipt)


def followup_receive(
    *,
    source_id: uuid.UUID,
    text: str,
    language: str,
    uploads: Sequence[SealedUpload],
    staging: Staging,
) -> Received:
    """Seal and store more text and files from a returning source."""
    day = today()
    source = IntakeSource.objects.get(uuid=source_id)
    if (
        Submission.objects.filter(source=source, received_on=day).count()
        >= FOLLOWUPS_PER_SOURCE_PER_DAY
    ):
        raise TooManyFollowups
    insider = Submission.objects.filter(source=source, insider=True).exists()
    document = {
        "format": REPORT_FORMAT,
        "kind": Submission.Kind.FOLLOWUP.value,
        "language": language,
        "insider": insider,
        "received_on": day.isoformat(),
        "text": text,
    }
    submission, receipt = _store_submission(
        source=source,
        new_source=None,
        kind=Submission.Kind.FOLLOWUP,
        insider=insider,
        document=document,
        uploads=uploads,
        staging=staging,
        seal=seal_bytes,
        day=day,
    )
    return Received(submission_id=submission.uuid, codename=None, receipt=receipt)


def source_open(*, codename: str) -> Opened | None:
    """The source's record and its replies, opened with the codename; ``None`` when the
    codename is unknown. A wrong and an unknown codename take the same slow derivation."""
    keys = codename_derive(codename, conf.codename_salt())
    source = IntakeSource.objects.filter(lookup=keys.lookup).first()
    if source is None:
        return None
    replies: list[str] = []
    for reply in Reply.objects.filter(source=source).order_by("id"):
        try:
            replies.append(reply_open(keys.reply_secret, bytes(reply.sealed)))
        except ReplyOpenError:
            continue
    return Opened(source_id=source.uuid, replies=tuple(replies))


def store_sweep(*, older_than_seconds: float = 6 * 3600) -> list[str]:
    """Remove staging leftovers and sealed directories that no record names (after a crash)."""
    known = (str(u) for u in Submission.objects.values_list("uuid", flat=True).iterator())
    return conf.store().sweep(known=known, older_than_seconds=older_than_seconds)
