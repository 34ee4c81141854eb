"""Intake attachments into the vault: the door from triage (workspace side only).

An attachment is decrypted with the intake identity (workspace key directory) in a thread
that writes into a pipe, and :class:`~crimebook.evidence.pipeline.SealStage` reads the pipe
and re-seals it to the vault recipients: the plaintext never touches disk. The sealed file's
SHA-256 is checked against what the intake recorded, and the plaintext's against the hash
the intake wrote into the sealed report, before anything is recorded.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyrage

from crimebook.audit.services import Actor
from crimebook.core.errors import NotFound
from crimebook.evidence import keys
from crimebook.evidence.pipeline import SealStage, Staged
from crimebook.evidence.reasons import Reason, fields
from crimebook.evidence.sealing import SealError, decrypt_stream
from crimebook.evidence.services import IngestOutcome, evidence_ingest_staged

__all__ = ["evidence_from_intake"]


def _report(submission: Any, identities: list[Any]) -> dict[str, Any]:
    from crimebook.intake import conf as intake_conf

    sealed = intake_conf.store().path(submission.uuid, "report.age").read_bytes()
    document: dict[str, Any] = json.loads(bytes(pyrage.decrypt(sealed, identities)))
    return document


def _sha256_file(path: Any) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _reseal(path: Path, identities: list[Any]) -> tuple[Staged | None, Reason | None]:
    """Decrypt an intake file into a pipe in a thread while SealStage reads the other end."""
    read_fd, write_fd = os.pipe()
    errors: list[BaseException] = []

    def pump() -> None:
        try:
            with os.fdopen(write_fd, "wb") as sink, path.open("rb") as sealed:
                decrypt_stream(sealed, identities, sink)
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=pump, name="intake-to-vault", daemon=True)
    thread.start()
    try:
        with os.fdopen(read_fd, "rb") as source:
            staged = SealStage(keys.store()).run(source)
    except SealError as exc:
        thread.join()
        return None, Reason("evidence.not_sealed", {"error": str(exc)})
    thread.join()
    if errors:
        keys.store().discard(staged.path)
        return None, Reason("intake.undecryptable", {"error": str(errors[0])})
    return staged, None


def evidence_from_intake(
    *, actor: Actor | None, submission_uuid: uuid.UUID, compartment_id: int,
    source_id: int | None = None, progress: Callable[[int, int | None], None] | None = None,
) -> list[IngestOutcome]:  # fmt: skip
    """Every attachment of one intake submission into the vault, with custody entries that
    name the submission. Only intake reviewers (or the system) may do this. Safe to run
    again: an attachment already in the vault is recognised by its hash (``duplicate``)."""
    from crimebook.intake import conf as intake_conf
    from crimebook.intake.models import Submission
    from crimebook.triage.keys import identities as intake_identities
    from crimebook.triage.selectors import can_triage

    if actor is not None and not can_triage(actor):
        raise NotFound("submission")
    submission = Submission.objects.filter(uuid=submission_uuid).first()
    if submission is None:
        raise NotFound("submission")
    ids = intake_identities()
    entries = {a["file"]: a for a in _report(submission, ids).get("attachments", [])}
    outcomes: list[IngestOutcome] = []
    attachments = list(submission.attachments.order_by("position"))
    for attachment in attachments:
        if progress is not None:
            progress(len(outcomes), len(attachments))
        entry = entries.get(attachment.name, {})
        name = str(entry.get("original_name") or attachment.name)
        path = intake_conf.store().path(submission.uuid, attachment.name)
        if _sha256_file(path) != attachment.sealed_sha256:
            failed = fields(Reason("intake.sealed_changed"))
            outcomes.append(IngestOutcome(name, "failed", **failed))
            continue
        staged, error = _reseal(path, ids)
        if staged is None or staged.sha256 != entry.get("sha256"):
            if staged is not None:
                keys.store().discard(staged.path)
            failed = fields(error or Reason("intake.hash_mismatch"))
            outcomes.append(IngestOutcome(name, "failed", **failed))
            continue
        outcomes.append(
            evidence_ingest_staged(
                actor=actor,
                compartment_id=compartment_id,
                name=name,
                staged=staged,
                via=f"intake:{submission.uuid}",
                source_id=source_id,
            )
        )
    if progress is not None:
        progress(len(outcomes), len(attachments))
    return outcomes
