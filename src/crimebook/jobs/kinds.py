"""The job kinds Crimebook runs in the background: thin shells that call one service each.

* ``evidence.process`` — metadata, perceptual hash and thumbnail of one evidence item
  (:func:`crimebook.evidence.pipeline.process_item`, re-runnable: a thumbnail that exists is
  not made twice);
* ``evidence.from_intake`` — every attachment of an intake submission into the vault
  (:func:`crimebook.evidence.intake_door.evidence_from_intake`; an attachment already stored
  is recognised by its hash);
* ``interchange.import`` — a file uploaded for import (kept sealed in the vault as an evidence
  item, for provenance) imported into the register, all or nothing
  (:func:`crimebook.interchange.files.file_import`; an import that committed is recorded on
  the job and is not run twice; re-importing the same rows skips them by external id).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from crimebook.core.errors import NotFound, PermissionDenied, ValidationFailed
from crimebook.jobs.models import Job
from crimebook.jobs.registry import JobContext, JobFailed, JobOutcome, Message, register
from crimebook.jobs.runner import clean_text, message_values

__all__ = ["FROM_INTAKE", "IMPORT_FILE", "PROCESS_ITEM"]

PROCESS_ITEM = "evidence.process"
FROM_INTAKE = "evidence.from_intake"
IMPORT_FILE = "interchange.import"
EVIDENCE_ITEM = "evidence.evidenceitem"
SUBMISSION = "intake.submission"


def _actor(context: JobContext) -> Any:
    from crimebook.accounts.models import User

    if context.actor_id is None:
        return None
    actor = User.objects.filter(pk=context.actor_id, is_active=True).first()
    if actor is None:
        raise JobFailed(Message("job.actor_inactive"))
    return actor


def _english(exc: BaseException) -> str:
    """An exception's text in English (a lazily translated one would follow the worker's
    language); it goes into a message's parameters as it is."""
    with translation.override("en"):
        return str(exc)


def _int(context: JobContext, name: str) -> int:
    value = context.parameters.get(name)
    if not isinstance(value, int) or isinstance(value, bool):
        raise JobFailed(Message("job.bad_parameter", {"name": name}))
    return value


@register(PROCESS_ITEM, _("Metadata, perceptual hash and thumbnail"), subject_type=EVIDENCE_ITEM)
def process_evidence_item(context: JobContext) -> JobOutcome:
    from crimebook.evidence.models import EvidenceItem
    from crimebook.evidence.pipeline import process_item

    item_id = _int(context, "item_id")
    if not EvidenceItem.objects.filter(pk=item_id).exists():
        raise JobFailed(Message("evidence.item_missing", {"item_id": item_id}))
    context.progress(0, 1)
    process_item(item_id)
    context.progress(1, 1)
    item = EvidenceItem.objects.get(pk=item_id)
    derived = list(item.derivatives.values_list("pk", flat=True))
    message = {
        EvidenceItem.MetadataStatus.EXTRACTED: Message("evidence.metadata_extracted"),
        EvidenceItem.MetadataStatus.NONE: Message("evidence.no_metadata"),
        EvidenceItem.MetadataStatus.FAILED: Message(
            "evidence.unparsable", {"error": item.metadata_error}
        ),
    }.get(EvidenceItem.MetadataStatus(item.metadata_status), Message("evidence.nothing_to_do"))
    return JobOutcome(
        message=message,
        result={"item_id": item_id, "metadata": item.metadata_status, "derivatives": derived},
    )


@register(FROM_INTAKE, _("Intake attachments into the evidence vault"), subject_type=SUBMISSION)
def intake_to_vault(context: JobContext) -> JobOutcome:
    from crimebook.evidence.intake_door import evidence_from_intake

    try:
        submission = uuid.UUID(str(context.parameters.get("submission")))
    except ValueError:
        raise JobFailed(Message("intake.bad_submission")) from None
    compartment_id = _int(context, "compartment_id")
    source = context.parameters.get("source_id")
    source_id = source if isinstance(source, int) and not isinstance(source, bool) else None
    actor = _actor(context)
    try:
        outcomes = evidence_from_intake(
            actor=actor, submission_uuid=submission, compartment_id=compartment_id,
            source_id=source_id, progress=context.progress,
        )  # fmt: skip
    except NotFound:
        raise JobFailed(Message("intake.no_submission")) from None
    except (PermissionDenied, ValidationFailed) as exc:
        raise JobFailed(Message("intake.refused", {"error": _english(exc)})) from None
    counts = {key: sum(1 for o in outcomes if o.outcome == key)
              for key in ("ingested", "duplicate", "failed")}  # fmt: skip
    result = {"outcomes": [o.as_dict() for o in outcomes], **counts}
    message = Message("intake.summary", {"total": len(outcomes), **counts})
    if counts["failed"]:
        # a hash mismatch or an undecryptable copy does not heal by itself: stop and say so
        raise JobFailed(message, result)
    return JobOutcome(message=message, result=result)


def _summary_message(summaries: list[dict[str, Any]], dry_run: bool) -> Message:
    keys = ("kind", "rows", "created", "updated", "skipped")
    return Message(
        "import.summary",
        {
            "dry_run": dry_run,
            "summaries": [{k: s.get(k) for k in keys} for s in summaries if isinstance(s, dict)],
        },
    )


def _import_result(result: Any, item_id: int) -> dict[str, Any]:
    return {
        "summaries": [s.as_dict() for s in result.summaries], "rejected": result.error_count,
        "errors": result.errors, "file_item_id": item_id, "committed": result.committed,
    }  # fmt: skip


@register(IMPORT_FILE, _("Import into the register"), subject_type=EVIDENCE_ITEM)
def import_file(context: JobContext) -> JobOutcome:
    from crimebook.evidence import keys
    from crimebook.evidence.models import EvidenceItem
    from crimebook.evidence.pipeline import plaintext_copy
    from crimebook.interchange.files import FORMATS, ImportFileError, file_import
    from crimebook.interchange.formats.records import REGIONS, CsvOptions
    from crimebook.interchange.imports import ImportOptions

    item_id, compartment_id = _int(context, "item_id"), _int(context, "compartment_id")
    fmt, kind = str(context.parameters.get("format")), str(context.parameters.get("kind"))
    on_duplicate = context.parameters.get("on_duplicate", "skip")
    dry_run = context.parameters.get("dry_run") is True
    mapping = context.parameters.get("mapping") or {}
    region = context.parameters.get("region") or "none"
    encoding = context.parameters.get("encoding") or None
    if (
        fmt not in FORMATS
        or on_duplicate not in ("skip", "update")
        or not isinstance(mapping, dict)
        or not all(isinstance(k, str) and isinstance(v, str) for k, v in mapping.items())
        or (region != "none" and region not in REGIONS)
        or encoding not in (None, "utf-8", "cp1251", "utf-16")
    ):
        raise JobFailed(Message("import.bad_parameters"))
    csv_options = CsvOptions(
        mapping=dict(mapping), us_dates=context.parameters.get("us_dates") is True,
        region=REGIONS.get(region),
        ignore_extra=context.parameters.get("ignore_extra") is True,
    )  # fmt: skip
    item = EvidenceItem.objects.filter(
        pk=item_id, compartment_id=compartment_id, status=EvidenceItem.Status.INGESTED
    ).first()
    if item is None:
        raise JobFailed(Message("import.file_missing", {"item_id": item_id}))
    actor = _actor(context)
    options = ImportOptions(
        compartment_id=compartment_id, dry_run=dry_run, on_duplicate=on_duplicate
    )
    earlier = Job.objects.filter(pk=context.job_id).values_list("result", flat=True).first()
    if isinstance(earlier, dict) and earlier.get("committed"):
        # an earlier attempt committed and died before finishing: never import twice
        summaries = earlier.get("summaries")
        if isinstance(summaries, list):
            return JobOutcome(message=_summary_message(summaries, dry_run), result=earlier)
        return JobOutcome(message=str(earlier.get("message", "imported")), result=earlier)
    try:
        store = keys.store_for(item.storage_backend)
        # the import and the record that it committed are one transaction
        with plaintext_copy(store, item.storage_key) as path, transaction.atomic():
            result = file_import(
                actor=actor, path=path, fmt=fmt, kind=kind, options=options,
                csv_options=csv_options, encoding=encoding, on_progress=context.progress,
            )  # fmt: skip
            if result.committed:
                outcome = _import_result(result, item_id)
                message = _summary_message(outcome["summaries"], dry_run)
                committed = {**outcome, "message": message_values(message)["message"]}
                Job.objects.filter(pk=context.job_id).update(result=clean_text(committed))
                return JobOutcome(message=message, result=committed)
    except ImportFileError as exc:
        raise JobFailed(Message("import.unreadable", {"error": _english(exc)})) from None
    except (NotFound, PermissionDenied):
        raise JobFailed(Message("import.no_write_access")) from None
    outcome = _import_result(result, item_id)
    if result.error_count:
        raise JobFailed(Message("import.rejected", {"count": result.error_count}), outcome)
    return JobOutcome(message=_summary_message(outcome["summaries"], dry_run), result=outcome)
