"""The ingest pipeline: ordered stages, each with a written contract (CONVENTIONS 4).

Ingest (runs while the bytes arrive, in the caller's process)::

    SealStage  →  StoreStage  →  RecordStage

Processing (a job: receives an item id, never an ORM object; safe to run again)::

    InspectStage  →  PreviewStage

A file is read once: its SHA-256, size and first bytes are computed while it is sealed
with age into a staging file; the staging file is then renamed to the content address.
Plaintext is never written to the vault. Decryption for inspection happens in this (workspace)
process, which holds the vault identity, into a 0600 temporary file that the parsing worker
reads under time and memory limits and that is removed afterwards.
"""

from __future__ import annotations

import base64
import contextlib
import io
import os
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from django.apps import apps as django_apps
from django.db import IntegrityError, transaction

from crimebook.audit.services import audit_record
from crimebook.evidence import keys
from crimebook.evidence.extract import Inspection, run_worker
from crimebook.evidence.metadata import normalise
from crimebook.evidence.models import EvidenceItem
from crimebook.evidence.sealing import SealError, decrypt_stream, seal_stream
from crimebook.evidence.sniff import kind_of, sniff
from crimebook.evidence.storage import Store, StoreError
from crimebook.jobs.housekeeping import inspection_copy_name

__all__ = [
    "OBJECT_TYPE",
    "IngestRequest",
    "InspectStage",
    "PreviewStage",
    "RecordStage",
    "SealStage",
    "Staged",
    "StoreStage",
    "clean_name",
    "process_item",
    "record_failure",
]

OBJECT_TYPE = "evidence.evidenceitem"
MAX_NAME_CHARS = 200
MAX_FILE_BYTES = 64 * 1024**3
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def clean_name(name: str | None) -> str:
    """A file name kept for display only: last path component, no control characters, no
    leading dots, at most 200 characters. It never becomes part of a path."""
    text = unicodedata.normalize("NFC", name or "")
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = _CONTROL.sub("", text).strip().lstrip(".")
    return text[:MAX_NAME_CHARS] or "unnamed"


@dataclass(frozen=True)
class Staged:
    """A complete ciphertext in the staging directory and what its plaintext hashed to."""

    path: Path
    sha256: str
    size: int
    head: bytes


@dataclass(frozen=True)
class IngestRequest:
    compartment_id: int
    original_name: str
    actor_id: int | None = None
    actor_name: str = "system"
    via: str = "import"
    source_id: int | None = None
    kind: str = ""
    description: str = ""
    derived_from_id: int | None = None
    derivation: str = ""


@dataclass(frozen=True)
class _Actor:
    pk: int | None
    name: str

    def get_username(self) -> str:
        return self.name


def _actor(request: IngestRequest) -> _Actor | None:
    return None if request.actor_id is None else _Actor(request.actor_id, request.actor_name)


class SealStage:
    """Read the source exactly once, to its end. MUST compute SHA-256, size and the first
    512 bytes of the plaintext while sealing it with age to the vault recipients into a new
    0600 staging file; MUST NOT write plaintext anywhere. On any failure the staging file is
    removed and :class:`SealError` raised."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def run(self, source: BinaryIO, *, limit: int = MAX_FILE_BYTES) -> Staged:
        recipients = keys.vault_recipients()
        path, sink = self.store.open_staged()
        try:
            with sink:
                sealed = seal_stream(source, sink, recipients, limit=limit)
                sink.flush()
                os.fsync(sink.fileno())
        except BaseException:
            self.store.discard(path)
            raise
        return Staged(path, sealed.sha256, sealed.size, sealed.head)


class StoreStage:
    """Move a staged ciphertext to ``ab/cd/<sha256>.age`` (fsync, then rename). MUST NOT
    overwrite stored content: if the address is taken the staged copy is deleted and the
    stored one kept. Returns ``(storage key, created)``."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def run(self, staged: Staged) -> tuple[str, bool]:
        try:
            return self.store.commit(staged.path, staged.sha256)
        except BaseException:
            self.store.discard(staged.path)
            raise


class RecordStage:
    """In one transaction, create the item and append its ``ingest`` audit entry — or, when
    the compartment already holds an original with this content, append a ``duplicate``
    entry to that item instead. Returns ``(item id, duplicate)``."""

    def run(self, request: IngestRequest, *, sha256: str, size: int, head: bytes,
            storage_key: str, backend: str) -> tuple[int, bool]:  # fmt: skip
        existing = self.existing(request, sha256)
        if existing is not None:
            return existing, True
        media_type = sniff(head)
        item = EvidenceItem(
            compartment_id=request.compartment_id,
            kind=request.kind or kind_of(media_type),
            original_name=clean_name(request.original_name),
            size=size,
            sha256=sha256,
            storage_backend=backend,
            storage_key=storage_key,
            media_type=media_type,
            derived_from_id=request.derived_from_id,
            derivation=request.derivation[:300],
            source_id=request.source_id,
            description=request.description,
            created_by_id=request.actor_id,
            metadata_status=EvidenceItem.MetadataStatus.PENDING,
        )
        try:
            with transaction.atomic():
                item.save()
                audit_record(
                    actor=_actor(request),
                    action="ingest" if request.derived_from_id is None else "derive",
                    object_type=OBJECT_TYPE,
                    object_id=item.pk,
                    changes={
                        "sha256": sha256, "size": size, "media_type": media_type,
                        "name": item.original_name, "via": request.via,
                        "storage_key": storage_key, "derived_from": request.derived_from_id,
                        "derivation": item.derivation,
                    },
                )  # fmt: skip
                if request.derived_from_id is not None:
                    audit_record(
                        actor=_actor(request), action="derive", object_type=OBJECT_TYPE,
                        object_id=request.derived_from_id,
                        changes={"derivative": item.pk, "derivation": item.derivation,
                                 "sha256": sha256},
                    )  # fmt: skip
        except IntegrityError:  # a concurrent ingest of the same content won
            existing = self.existing(request, sha256)
            if existing is None:
                raise
            return existing, True
        return item.pk, False

    def existing(self, request: IngestRequest, sha256: str) -> int | None:
        """Record a re-import of known content on the existing item; its id, or None."""
        if request.derived_from_id is not None:
            return None
        with transaction.atomic():
            found = (
                EvidenceItem.objects.filter(
                    compartment_id=request.compartment_id,
                    sha256=sha256,
                    status=EvidenceItem.Status.INGESTED,
                    derived_from__isnull=True,
                )
                .values_list("pk", flat=True)
                .first()
            )
            if found is None:
                return None
            audit_record(
                actor=_actor(request), action="duplicate", object_type=OBJECT_TYPE,
                object_id=found, changes={"name": clean_name(request.original_name),
                                          "via": request.via, "sha256": sha256},
            )  # fmt: skip
        return found


def record_failure(request: IngestRequest, reason: str, *, sha256: str = "", size: int = 0) -> int:
    """An honest record of an ingest that did not complete: a ``failed`` item, audited."""
    with transaction.atomic():
        item = EvidenceItem.objects.create(
            compartment_id=request.compartment_id,
            kind=request.kind or EvidenceItem.Kind.OTHER,
            original_name=clean_name(request.original_name),
            size=size,
            sha256=sha256,
            status=EvidenceItem.Status.FAILED,
            failure_reason=reason[:500],
            source_id=request.source_id,
            created_by_id=request.actor_id,
            metadata_status=EvidenceItem.MetadataStatus.NONE,
        )
        audit_record(
            actor=_actor(request), action="ingest_failed", object_type=OBJECT_TYPE,
            object_id=item.pk, changes={"reason": reason[:500], "via": request.via,
                                        "name": item.original_name, "sha256": sha256},
        )  # fmt: skip
    return item.pk


@contextlib.contextmanager
def plaintext_copy(store: Store, key: str) -> Iterator[Path]:
    """Decrypt a stored item to a 0600 file in the 0700 staging directory; always removed."""
    path = store.staging_dir() / inspection_copy_name()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as sink, store.open(key) as sealed:
            decrypt_stream(sealed, keys.vault_identities(), sink)
        yield path
    finally:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


INSPECTED = ("image/", "video/", "audio/", "application/pdf", "application/zip")
MAX_TEXT_CHARS = 500_000


def _refined_type(item: EvidenceItem, result: Inspection) -> dict[str, str]:
    """A ZIP archive the worker recognised as an office document gets its real media type
    (and kind ``document`` unless one was chosen); nothing else is re-typed."""
    declared = result.fields.get("media_type")
    if item.media_type != "application/zip" or not isinstance(declared, str) or not declared:
        return {}
    refined = {"media_type": declared[:100]}
    if item.kind == EvidenceItem.Kind.OTHER:
        refined["kind"] = EvidenceItem.Kind.DOCUMENT
    return refined


def _reindex(item_id: int) -> None:
    if django_apps.is_installed("crimebook.search"):
        from crimebook.search import index_records

        index_records("evidence", [item_id])


class InspectStage:
    """Job stage (item id in): decrypt the evidentiary copy to a temporary 0600 file, parse
    it in the resource-limited worker, and store every raw tag, the normalised fields, the
    perceptual hash and (PDF, office documents) the text for search, audited as ``extract``. MUST NOT raise for a hostile or broken file:
    that is recorded as ``metadata_status=failed`` with the reason."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def run(self, item_id: int) -> Inspection | None:
        item = EvidenceItem.objects.get(pk=item_id)
        if item.status != EvidenceItem.Status.INGESTED or not item.is_original:
            return None
        if not item.media_type.startswith(INSPECTED):
            self._save(item_id, status=EvidenceItem.MetadataStatus.NONE)
            return None
        store = self.store
        if item.storage_backend != store.backend:  # written before the backend changed
            store = keys.store_for(item.storage_backend)
        try:
            with plaintext_copy(store, item.storage_key) as path:
                result = run_worker(path, item.media_type)
        except (SealError, StoreError, OSError) as exc:
            result = Inspection(ok=False, error=f"cannot open the stored copy: {exc}")
        if not result.ok:
            self._save(item_id, status=EvidenceItem.MetadataStatus.FAILED, error=result.error)
            return None
        if not result.raw and not result.fields:  # e.g. a ZIP archive that is no document
            self._save(item_id, status=EvidenceItem.MetadataStatus.NONE)
            return None
        norm = normalise(result.fields)
        refined = _refined_type(item, result)
        self._save(
            item_id,
            **refined,
            text=result.text[:MAX_TEXT_CHARS],
            status=EvidenceItem.MetadataStatus.EXTRACTED,
            metadata_raw=result.raw,
            metadata_problems=norm.problems,
            captured_at=norm.captured_at, tz_name=norm.tz_name, tz_inferred=norm.tz_inferred,
            latitude=norm.latitude, longitude=norm.longitude, gps_accuracy_m=norm.gps_accuracy_m,
            device_make=norm.device_make, device_model=norm.device_model,
            software=norm.software, orientation=norm.orientation, width=norm.width,
            height=norm.height, duration_s=norm.duration_s, fps=norm.fps,
            phash=result.phash if isinstance(result.phash, int) else None,
        )  # fmt: skip
        return result

    def _save(self, item_id: int, *, status: str, error: str = "", **values: Any) -> None:
        with transaction.atomic():
            EvidenceItem.objects.filter(pk=item_id).update(
                metadata_status=status, metadata_error=error[:500], **values
            )
            _reindex(item_id)  # update() sends no signal: the search document (text) follows
            audit_record(
                actor=None, action="extract", object_type=OBJECT_TYPE, object_id=item_id,
                changes={"metadata": status, "error": error[:500] or None,
                         "phash": values.get("phash"), "text_chars": len(values.get("text", "")),
                         **({"media_type": values["media_type"]} if "media_type" in values else {})},
            )  # fmt: skip


class PreviewStage:
    """Job stage: turn the worker's thumbnail (decoded and re-encoded as JPEG by Pillow in
    the sandbox, no metadata) into a derived item of the original, sealed and stored like
    any other. Idempotent: an original that already has a thumbnail gets no second one."""

    DERIVATION = "thumbnail: 320 px JPEG re-encoded by Pillow, metadata removed"

    def __init__(self, store: Store) -> None:
        self.store = store

    def run(self, item_id: int, inspection: Inspection | None) -> int | None:
        if inspection is None or not inspection.thumbnail_b64:
            return None
        if EvidenceItem.objects.filter(derived_from_id=item_id, kind="photo").exists():
            return None
        original = EvidenceItem.objects.get(pk=item_id)
        data = base64.b64decode(inspection.thumbnail_b64, validate=True)
        staged = SealStage(self.store).run(io.BytesIO(data), limit=4 * 1024**2)
        key, _ = StoreStage(self.store).run(staged)
        request = IngestRequest(
            compartment_id=original.compartment_id,
            original_name=f"{Path(original.original_name).stem}.thumbnail.jpg",
            via="derivation",
            kind=EvidenceItem.Kind.PHOTO,
            derived_from_id=item_id,
            derivation=self.DERIVATION,
        )
        derived_id, _ = RecordStage().run(
            request, sha256=staged.sha256, size=staged.size, head=staged.head,
            storage_key=key, backend=self.store.backend,
        )  # fmt: skip
        EvidenceItem.objects.filter(pk=derived_id).update(
            metadata_status=EvidenceItem.MetadataStatus.NONE
        )
        return derived_id


INGEST_STAGES = (SealStage, StoreStage, RecordStage)
PROCESS_STAGES = (InspectStage, PreviewStage)


def process_item(item_id: int) -> None:
    """The processing job for one ingested item (id in; re-runnable)."""
    store = keys.store()
    inspection = InspectStage(store).run(item_id)
    PreviewStage(store).run(item_id, inspection)
