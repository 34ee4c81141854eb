"""Writes of the evidence vault (CONVENTIONS 1–2): ingest from a path, an upload or bytes;
links to incidents and acts; audited access to originals; the whole-store verification."""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from django.db import transaction
from django.utils.translation import gettext

from crimebook.audit.services import Actor, audit_record
from crimebook.core.errors import NotFound, ValidationFailed
from crimebook.evidence import keys
from crimebook.evidence.models import EvidenceItem
from crimebook.evidence.pipeline import (
    OBJECT_TYPE,
    IngestRequest,
    RecordStage,
    SealStage,
    Staged,
    StoreStage,
    process_item,
    record_failure,
)
from crimebook.evidence.reasons import Reason, fields
from crimebook.evidence.sealing import SealError, decrypt_stream, hash_stream
from crimebook.evidence.storage import Store, StoreError
from crimebook.register.models import Act, Incident, Source
from crimebook.register.services._common import require_compartment_write

logger = logging.getLogger(__name__)

__all__ = [
    "IngestOutcome",
    "VerifyReport",
    "evidence_ingest_path",
    "evidence_ingest_staged",
    "evidence_ingest_stream",
    "evidence_link",
    "evidence_original_stream",
    "evidence_process_pending",
    "evidence_unlink",
    "hash_file",
    "vault_verify",
]


@dataclass(frozen=True)
class IngestOutcome:
    """``outcome`` is ``ingested``, ``duplicate``, ``failed`` or ``skipped``."""

    name: str
    outcome: str
    item_id: int | None = None
    sha256: str = ""
    size: int = 0
    reason: str = ""
    job_id: int | None = None  # the processing job queued for a new item
    # the reason as a key and parameters, worded in the reader's language (evidence.reasons)
    reason_data: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        row: dict[str, Any] = {
            "path": self.name, "outcome": self.outcome, "item_id": self.item_id,
            "sha256": self.sha256, "size": self.size, "reason": self.reason,
        }  # fmt: skip
        if self.reason_data is not None:
            row["reason_data"] = self.reason_data
        return row


def _request(
    actor: Actor | None, compartment_id: int, name: str, via: str, source_id: int | None,
    description: str = "",
) -> IngestRequest:  # fmt: skip
    require_compartment_write(actor, compartment_id)
    if (
        source_id is not None
        and not Source.objects.filter(pk=source_id, compartment_id=compartment_id).exists()
    ):
        raise ValidationFailed.single("source", gettext("No such source in this compartment."))
    return IngestRequest(
        compartment_id=compartment_id,
        original_name=name,
        actor_id=None if actor is None else int(actor.pk),
        actor_name="system" if actor is None else actor.get_username(),
        via=via,
        source_id=source_id,
        description=description,
    )


def _process(item_id: int) -> None:
    """Run the processing job now. It records its own failures; anything unexpected is
    logged and leaves the item ingested with metadata pending (re-runnable)."""
    try:
        process_item(item_id)
    except Exception:
        logger.exception("evidence processing failed for item %s", item_id)


PROCESS_JOB = "evidence.process"


def _submit_processing(actor: Actor | None, request: IngestRequest, item_id: int) -> int:
    """Queue the processing job (``crimebook.jobs``) instead of running it in the request."""
    from crimebook.jobs.services import job_submit

    return job_submit(
        actor=actor, kind=PROCESS_JOB, parameters={"item_id": item_id},
        compartment_id=request.compartment_id, subject=(OBJECT_TYPE, item_id),
    ).pk  # fmt: skip


def _finish(
    request: IngestRequest, staged: Staged, *, process: bool, actor: Actor | None = None,
    background: bool = True,
) -> IngestOutcome:  # fmt: skip
    """Store and record; then process the new item — as a background job (uploads, the API,
    the intake door) or at once (``background=False``: the folder import's own loop)."""
    store = keys.store()
    try:
        key, _created = StoreStage(store).run(staged)
    except (StoreError, OSError) as exc:  # e.g. the object store is unreachable
        failed = fields(Reason("evidence.not_stored", {"error": str(exc)}))
        item_id = record_failure(request, failed["reason"], sha256=staged.sha256, size=staged.size)
        return IngestOutcome(
            request.original_name, "failed", item_id, staged.sha256, staged.size, **failed
        )
    item_id, duplicate = RecordStage().run(
        request, sha256=staged.sha256, size=staged.size, head=staged.head,
        storage_key=key, backend=store.backend,
    )  # fmt: skip
    job_id = None
    if not duplicate and process:
        if background:
            job_id = _submit_processing(actor, request, item_id)
        else:
            _process(item_id)
    return IngestOutcome(
        request.original_name, "duplicate" if duplicate else "ingested", item_id,
        staged.sha256, staged.size, job_id=job_id,
    )  # fmt: skip


def evidence_ingest_staged(
    *, actor: Actor | None, compartment_id: int, name: str, staged: Staged,
    via: str = "upload", source_id: int | None = None, description: str = "",
    process: bool = True,
) -> IngestOutcome:  # fmt: skip
    """Store and record content already sealed into the staging directory (an upload)."""
    try:
        request = _request(actor, compartment_id, name, via, source_id, description)
    except BaseException:
        keys.store().discard(staged.path)
        raise
    return _finish(request, staged, process=process, actor=actor)


def evidence_ingest_stream(
    *, actor: Actor | None, compartment_id: int, name: str, stream: BinaryIO,
    via: str = "api", source_id: int | None = None, process: bool = True,
) -> IngestOutcome:  # fmt: skip
    request = _request(actor, compartment_id, name, via, source_id)
    try:
        staged = SealStage(keys.store()).run(stream)
    except (SealError, StoreError, OSError) as exc:
        reason = f"could not be sealed: {exc}"
        return IngestOutcome(name, "failed", record_failure(request, reason), reason=reason)
    return _finish(request, staged, process=process, actor=actor)


def hash_file(path: Path) -> tuple[str, int]:
    """First pass of an import: SHA-256 and size (no sealing)."""
    with path.open("rb") as handle:
        return hash_stream(handle)


def evidence_ingest_path(
    *, actor: Actor | None, compartment_id: int, path: Path, name: str | None = None,
    source_id: int | None = None, process: bool = True,
) -> IngestOutcome:  # fmt: skip
    """Import one file from disk in two passes: hash it (known content is recorded as a
    duplicate without sealing it again), then hash + seal it. If the two hashes differ the
    file changed while it was read: the staged copy is discarded and the failure recorded."""
    label = name or path.name
    request = _request(actor, compartment_id, label, "import", source_id)
    try:
        first_sha, first_size = hash_file(path)
    except OSError as exc:
        return IngestOutcome(label, "skipped", reason=f"unreadable: {exc.strerror or exc}")
    known = RecordStage().existing(request, first_sha)
    if known is not None:
        return IngestOutcome(label, "duplicate", known, first_sha, first_size)
    store = keys.store()
    try:
        with path.open("rb") as handle:
            staged = SealStage(store).run(handle)
    except OSError as exc:
        return IngestOutcome(label, "skipped", reason=f"unreadable: {exc.strerror or exc}")
    except SealError as exc:
        reason = f"could not be sealed: {exc}"
        return IngestOutcome(label, "failed", record_failure(request, reason), reason=reason)
    if staged.sha256 != first_sha or staged.size != first_size:
        store.discard(staged.path)
        reason = (
            f"file changed while being imported (SHA-256 {first_sha[:16]}… then "
            f"{staged.sha256[:16]}…); nothing stored"
        )
        item_id = record_failure(request, reason, sha256=staged.sha256, size=staged.size)
        return IngestOutcome(label, "failed", item_id, staged.sha256, staged.size, reason)
    return _finish(request, staged, process=process, actor=actor, background=False)


def _linkable(actor: Actor | None, item: EvidenceItem) -> None:
    require_compartment_write(actor, item.compartment_id)


def _target(kind: str, target_id: int, item: EvidenceItem) -> Incident | Act:
    if kind == "incident":
        incident = Incident.objects.filter(pk=target_id, compartment_id=item.compartment_id)
        found: Incident | Act | None = incident.first()
    elif kind == "act":
        found = Act.objects.filter(
            pk=target_id, incident__compartment_id=item.compartment_id
        ).first()
    else:
        raise ValidationFailed.single("kind", gettext("Link to an incident or an act."))
    if found is None:
        raise ValidationFailed.single(
            "target",
            (
                gettext("No such incident in this compartment.")
                if kind == "incident"
                else gettext("No such act in this compartment.")
            ),
        )
    return found


def evidence_link(*, actor: Actor | None, item: EvidenceItem, kind: str, target_id: int) -> None:
    _linkable(actor, item)
    target = _target(kind, target_id, item)
    with transaction.atomic():
        getattr(item, f"{kind}s").add(target)
        audit_record(
            actor=actor, action="link", object_type=OBJECT_TYPE, object_id=item.pk,
            changes={kind: target.pk},
        )  # fmt: skip


def evidence_unlink(*, actor: Actor | None, item: EvidenceItem, kind: str, target_id: int) -> None:
    _linkable(actor, item)
    target = _target(kind, target_id, item)
    with transaction.atomic():
        getattr(item, f"{kind}s").remove(target)
        audit_record(
            actor=actor, action="unlink", object_type=OBJECT_TYPE, object_id=item.pk,
            changes={kind: target.pk},
        )  # fmt: skip


def evidence_process_pending(
    *, include_failed: bool = False, progress: Callable[[int], None] | None = None
) -> int:
    """Run the processing job for every original still pending (after a crash or a killed
    worker), and optionally for those whose extraction failed. Returns how many ran."""
    statuses = [EvidenceItem.MetadataStatus.PENDING]
    if include_failed:
        statuses.append(EvidenceItem.MetadataStatus.FAILED)
    ids = list(
        EvidenceItem.objects.filter(
            status=EvidenceItem.Status.INGESTED,
            derived_from__isnull=True,
            metadata_status__in=statuses,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for item_id in ids:
        _process(item_id)
        if progress is not None:
            progress(1)
    return len(ids)


def _decrypting_chunks(sealed: BinaryIO, chunk: int = 256 * 1024) -> Iterator[bytes]:
    """Plaintext of an opened sealed copy (a file, or an S3 object's streamed body),
    decrypted in a thread into a pipe (never to disk)."""

    read_fd, write_fd = os.pipe()
    errors: list[BaseException] = []

    def pump() -> None:
        try:
            with os.fdopen(write_fd, "wb") as sink, sealed:
                decrypt_stream(sealed, keys.vault_identities(), sink)
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=pump, name="vault-decrypt", daemon=True)
    thread.start()
    with os.fdopen(read_fd, "rb") as source:
        yield from iter(lambda: source.read(chunk), b"")
    thread.join()
    if errors:
        failed = getattr(getattr(sealed, "raw", None), "failed", None)
        if failed is not None:
            raise StoreError(f"object store read failed: {failed}")
        raise SealError(str(errors[0]))


def evidence_original_stream(
    *, actor: Actor | None, item: EvidenceItem, purpose: str = "download"
) -> Iterator[bytes]:
    """The plaintext of an item, for a download or export. The stored copy is opened first
    (an unreachable object store is a :class:`StoreError` before anything is sent or
    audited), then the access is audited."""
    if item.status != EvidenceItem.Status.INGESTED or not item.storage_key:
        raise NotFound("evidence item")
    store = keys.store_for(item.storage_backend)
    store.check_key(item.storage_key)  # a key that is no content address is refused
    try:
        sealed = store.open(item.storage_key)
    except FileNotFoundError:
        raise SealError("the stored copy is missing (run crimebook evidence verify)") from None
    try:
        with transaction.atomic():
            audit_record(
                actor=actor, action=purpose, object_type=OBJECT_TYPE, object_id=item.pk,
                changes={"sha256": item.sha256, "original": item.is_original},
            )  # fmt: skip
    except BaseException:
        sealed.close()
        raise
    return _decrypting_chunks(sealed)


@dataclass
class VerifyReport:
    checked: int = 0
    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.changed or self.missing or self.unexpected or self.unreadable)

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "checked": self.checked, "changed": self.changed,
                "missing": self.missing, "unexpected": self.unexpected,
                "unreadable": self.unreadable}  # fmt: skip


def _label(backend: str, key: str) -> str:
    """How a stored file is named in reports: its key, prefixed by the backend unless local."""
    return key if backend == "local" else f"{backend}:{key}"


def vault_expected() -> dict[str, str]:
    """Report label (storage key, ``s3:``-prefixed for the bucket) → SHA-256 of every stored
    item (distinct content)."""
    rows = (
        EvidenceItem.objects.filter(status=EvidenceItem.Status.INGESTED)
        .exclude(storage_key="")
        .values_list("storage_backend", "storage_key", "sha256")
        .distinct()
    )
    return {_label(backend, key): sha for backend, key, sha in rows.iterator()}


VERIFY_STATE = "verify-state.json"


def _verify_state_path() -> Path:
    return keys.store().staging_dir() / VERIFY_STATE


def _save_state(report: VerifyReport, last_key: str) -> None:
    path = _verify_state_path()
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"last_key": last_key, "report": report.as_dict()}))
    os.replace(tmp, path)


def _load_state() -> tuple[VerifyReport, str]:
    try:
        data = json.loads(_verify_state_path().read_text())
        saved = data["report"]
        report = VerifyReport(
            checked=int(saved["checked"]), changed=list(saved["changed"]),
            missing=list(saved["missing"]), unreadable=list(saved["unreadable"]),
        )  # fmt: skip
        return report, str(data["last_key"])
    except (OSError, ValueError, KeyError, TypeError):
        return VerifyReport(), ""


def _recheck(store: Store, key: str, sha256: str, identities: Any) -> str | None:
    """``missing``, ``changed`` or None (intact). StoreError: the store cannot be reached
    (a read that failed in transit is not mistaken for altered content)."""
    try:
        sealed = store.open(key)
    except FileNotFoundError:
        return "missing"
    except StoreError:
        raise
    except OSError:
        return "changed"
    with sealed:
        try:
            actual, _size = decrypt_stream(sealed, identities)
        except (SealError, OSError):
            failed = getattr(getattr(sealed, "raw", None), "failed", None)
            if failed is not None:
                raise StoreError(f"object store read failed: {failed}") from None
            return "changed"  # an age file that no longer opens was altered
    return None if actual == sha256 else "changed"


def vault_verify(
    progress: Callable[[int], None] | None = None,
    *,
    resume: bool = False,
    checkpoint_seconds: float = 5.0,
) -> VerifyReport:
    """Decrypt-stream and re-hash every stored file; name changed, missing, unexpected ones.

    Progress is saved every few seconds in the staging directory; with ``resume`` an
    interrupted run continues after the last file it checked (keys are walked in order)."""
    identities = keys.vault_identities()
    expected = vault_expected()
    stores = {"local": keys.store_for("local")}
    stores[keys.store().backend] = keys.store()
    report, last = _load_state() if resume else (VerifyReport(), "")
    saved_at = time.monotonic()
    for label, sha256 in sorted(expected.items()):
        if label <= last:
            if progress is not None:
                progress(1)
            continue
        backend, key = label.split(":", 1) if ":" in label else ("local", label)
        try:
            store = stores.setdefault(backend, keys.store_for(backend))
            store.check_key(key)
        except StoreError:
            report.unreadable.append(label)
            continue
        try:
            problem = _recheck(store, key, sha256, identities)
        except StoreError:  # the object store is unreachable: keep what was checked, stop
            _save_state(report, last)
            raise
        if problem is not None:
            getattr(report, problem).append(label)
        last = label
        report.checked += 1
        if progress is not None:
            progress(1)
        if time.monotonic() - saved_at > checkpoint_seconds:
            _save_state(report, label)
            saved_at = time.monotonic()
    report.unexpected = [
        _label(backend, key)
        for backend, store in sorted(stores.items())
        for key in store.iter_keys()
        if _label(backend, key) not in expected
    ]
    _verify_state_path().unlink(missing_ok=True)
    with transaction.atomic():
        audit_record(
            actor=None, action="verify", object_type="evidence.vault", object_id="vault",
            changes={"checked": report.checked, "changed": report.changed,
                     "missing": report.missing, "unexpected": report.unexpected[:100]},
        )  # fmt: skip
    return report
