"""The job kinds Crimebook runs in the background: thin shells that call one service each.

* ``evidence.process`` — metadata, perceptual hash and thumbnail of one evidence item
  (:func:`crimebook.evidence.pipeline.process_item`, re-runnable: a thumbnail that exists is
  not made twice);
* ``evidence.from_intake`` — every attachment of an intake submission into the vault
  (:func:`crimebook.evidence.intake_door.evidence_from_intake`; an attachment already stored
  is recognised by its hash).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.utils.translation import gettext_lazy as _

from crimebook.core.errors import NotFound, PermissionDenied, ValidationFailed
from crimebook.jobs.registry import JobContext, JobFailed, JobOutcome, register

__all__ = ["FROM_INTAKE", "PROCESS_ITEM"]

PROCESS_ITEM = "evidence.process"
FROM_INTAKE = "evidence.from_intake"
EVIDENCE_ITEM = "evidence.evidenceitem"
SUBMISSION = "intake.submission"


def _actor(context: JobContext) -> Any:
    from crimebook.accounts.models import User

    if context.actor_id is None:
        return None
    actor = User.objects.filter(pk=context.actor_id, is_active=True).first()
    if actor is None:
        raise JobFailed("the account that asked for this job is no longer active")
    return actor


def _int(context: JobContext, name: str) -> int:
    value = context.parameters.get(name)
    if not isinstance(value, int) or isinstance(value, bool):
        raise JobFailed(f"parameter {name!r} is not a record id")
    return value


@register(PROCESS_ITEM, _("Metadata, perceptual hash and thumbnail"), subject_type=EVIDENCE_ITEM)
def process_evidence_item(context: JobContext) -> JobOutcome:
    from crimebook.evidence.models import EvidenceItem
    from crimebook.evidence.pipeline import process_item

    item_id = _int(context, "item_id")
    if not EvidenceItem.objects.filter(pk=item_id).exists():
        raise JobFailed(f"evidence item {item_id} does not exist")
    context.progress(0, 1)
    process_item(item_id)
    context.progress(1, 1)
    item = EvidenceItem.objects.get(pk=item_id)
    derived = list(item.derivatives.values_list("pk", flat=True))
    message = {
        EvidenceItem.MetadataStatus.EXTRACTED: "metadata extracted",
        EvidenceItem.MetadataStatus.NONE: "no metadata for this type of file",
        EvidenceItem.MetadataStatus.FAILED: f"the file could not be parsed: {item.metadata_error}",
    }.get(EvidenceItem.MetadataStatus(item.metadata_status), "nothing to do for this item")
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
        raise JobFailed("parameter 'submission' is not a submission id") from None
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
        raise JobFailed("no such submission, or no access to it") from None
    except (PermissionDenied, ValidationFailed) as exc:
        raise JobFailed(str(exc)) from None
    counts = {key: sum(1 for o in outcomes if o.outcome == key)
              for key in ("ingested", "duplicate", "failed")}  # fmt: skip
    result = {"outcomes": [o.as_dict() for o in outcomes], **counts}
    message = (
        f"{len(outcomes)} attachment(s): {counts['ingested']} stored, "
        f"{counts['duplicate']} already in the vault, {counts['failed']} failed"
    )
    if counts["failed"]:
        # a hash mismatch or an undecryptable copy does not heal by itself: stop and say so
        raise JobFailed(message, result)
    return JobOutcome(message=message, result=result)
