"""Triage writes. Each checks the reviewer role, runs in one transaction and is audited.

Opening a submission decrypts it in memory with the intake identity from the workspace key
directory and appends an ``open_submission`` audit entry; nothing decrypted is written back.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pyrage
from django.db import transaction
from django.utils.translation import gettext, ngettext

from crimebook.audit.services import Actor, audit_record
from crimebook.core.errors import NotFound, ValidationFailed
from crimebook.core.keys import get_keyring
from crimebook.intake import conf as intake_conf
from crimebook.intake.models import Reply, Submission
from crimebook.intake.replykeys import reply_seal
from crimebook.register.services import (
    ActData,
    IncidentData,
    PersonData,
    PersonIdentity,
    SourceData,
    act_create,
    incident_create,
    person_create,
    source_create,
)
from crimebook.triage.keys import identities
from crimebook.triage.models import RecordLink, Review
from crimebook.triage.selectors import can_triage

__all__ = [
    "ConversionData",
    "Opened",
    "reply_send",
    "submission_convert",
    "submission_mark",
    "submission_open",
    "submission_to_vault",
]

MAX_REPLY_CHARS = 10_000


def _require_reviewer(actor: Actor | None) -> None:
    if actor is not None and not can_triage(actor):
        raise NotFound("submission")


def _object_type(submission: Submission) -> str:
    return "intake.submission"


@dataclass(frozen=True)
class Opened:
    document: dict[str, Any]
    sealed_sha256_ok: bool


def submission_open(*, actor: Actor | None, submission: Submission) -> Opened:
    """Decrypt the report document (not the attachments) for a reviewer; audited."""
    _require_reviewer(actor)
    path = intake_conf.store().path(submission.uuid, "report.age")
    sealed = path.read_bytes()
    ok = hashlib.sha256(sealed).hexdigest() == submission.sealed_sha256
    document = json.loads(bytes(pyrage.decrypt(sealed, identities())).decode("utf-8"))
    with transaction.atomic():
        review, _ = Review.objects.get_or_create(submission=submission)
        if review.state == Review.State.NEW:
            review.state = Review.State.OPENED
            review.updated_by_id = actor.pk if actor is not None else None
            review.save()
        audit_record(
            actor=actor,
            action="open_submission",
            object_type=_object_type(submission),
            object_id=submission.uuid,
            changes={"sealed_sha256_ok": ok},
        )
    return Opened(document=document, sealed_sha256_ok=ok)


def reply_send(*, actor: Actor | None, submission: Submission, text: str) -> Reply:
    """Seal a reply to the source's codename key; only the codename can open it."""
    _require_reviewer(actor)
    text = text.strip()
    if not text:
        raise ValidationFailed.single("text", gettext("Write a reply."))
    if len(text) > MAX_REPLY_CHARS:
        raise ValidationFailed.single(
            "text",
            ngettext(
                "Keep a reply under %(n)d character.",
                "Keep a reply under %(n)d characters.",
                MAX_REPLY_CHARS,
            )
            % {"n": MAX_REPLY_CHARS},
        )
    with transaction.atomic():
        reply = Reply.objects.create(
            source=submission.source,
            sealed=reply_seal(text, submission.source.reply_recipient),
            created_on=datetime.now(UTC).date(),
        )
        audit_record(
            actor=actor,
            action="reply",
            object_type=_object_type(submission),
            object_id=submission.uuid,
            changes={"reply": reply.pk, "text": get_keyring().audit_digest(text)},
        )
    return reply


def submission_mark(
    *,
    actor: Actor | None,
    submission: Submission,
    state: str,
    duplicate_of: Submission | None = None,
) -> Review:
    _require_reviewer(actor)
    allowed = {Review.State.SPAM, Review.State.DUPLICATE, Review.State.OPENED}
    if state not in allowed:
        raise ValidationFailed.single("state", gettext("Mark as spam, duplicate, or back to open."))
    if state == Review.State.DUPLICATE and (duplicate_of is None or duplicate_of == submission):
        raise ValidationFailed.single(
            "duplicate_of", gettext("Name the submission this one repeats.")
        )
    with transaction.atomic():
        review, _ = Review.objects.get_or_create(submission=submission)
        if review.state == Review.State.CONVERTED:
            raise ValidationFailed.single(
                "state", gettext("This submission is already in the register.")
            )
        old = review.state
        review.state = state
        review.duplicate_of = duplicate_of if state == Review.State.DUPLICATE else None
        review.updated_by_id = actor.pk if actor is not None else None
        review.save()
        audit_record(
            actor=actor,
            action="mark_submission",
            object_type=_object_type(submission),
            object_id=submission.uuid,
            changes={
                "state": [old, state],
                "duplicate_of": str(duplicate_of.uuid) if duplicate_of else None,
            },
        )
    return review


def submission_to_vault(*, actor: Actor | None, submission: Submission, compartment_id: int) -> Any:
    """Queue the job that moves every attachment into the evidence vault (the intake door,
    :func:`crimebook.evidence.intake_door.evidence_from_intake`). A job for the same
    submission that is still queued or running is returned instead of a second one; a later
    job recognises attachments already in the vault by their hashes."""
    from crimebook.jobs.kinds import FROM_INTAKE, SUBMISSION
    from crimebook.jobs.models import Job
    from crimebook.jobs.services import job_submit
    from crimebook.register.services._common import require_compartment_write

    _require_reviewer(actor)
    require_compartment_write(actor, compartment_id)
    if not submission.attachments.exists():
        raise ValidationFailed.single("submission", gettext("This submission has no attachments."))
    active = Job.objects.filter(
        kind=FROM_INTAKE, subject_type=SUBMISSION, subject_id=str(submission.uuid),
        status__in=[Job.Status.QUEUED, Job.Status.RUNNING],
    ).first()  # fmt: skip
    if active is not None:
        return active
    return job_submit(
        actor=actor, kind=FROM_INTAKE,
        parameters={"submission": str(submission.uuid), "compartment_id": compartment_id},
        compartment_id=compartment_id, subject=(SUBMISSION, submission.uuid),
    )  # fmt: skip


@dataclass(frozen=True)
class ConversionData:
    compartment_id: int
    title: str
    description: str = ""
    start: datetime | None = None
    end: datetime | None = None
    precision: str = "range"
    place_name: str = ""
    latitude: float | None = None
    longitude: float | None = None
    radius_m: float | None = None
    violation_types: tuple[str, ...] = ()
    act_types: tuple[str, ...] = ()
    injuries: tuple[str, ...] = ()
    detention_place: str = ""
    create_victim: bool = True
    victim_name: str = field(default="", repr=False)
    consent_investigation: bool = False
    consent_prosecution: bool = False
    consent_publication: bool = False


@dataclass(frozen=True)
class Converted:
    source_id: int
    incident_id: int
    person_id: int | None
    act_ids: tuple[int, ...]


def submission_convert(
    *, actor: Actor | None, submission: Submission, data: ConversionData
) -> Converted:
    """Source (with the consent the source gave), incident, victim and acts — through the
    register's services, in one transaction, each linked back to the submission."""
    _require_reviewer(actor)
    if data.act_types and not data.create_victim:
        raise ValidationFailed.single(
            "act_types", gettext("Acts need a victim: tick “Create a victim record”.")
        )
    links: list[tuple[str, int]] = []
    with transaction.atomic():
        review, _ = Review.objects.select_for_update().get_or_create(submission=submission)
        if review.state == Review.State.CONVERTED:
            raise ValidationFailed.single(
                "__all__", gettext("This submission is already in the register.")
            )
        source = source_create(
            actor=actor,
            data=SourceData(
                compartment_id=data.compartment_id,
                kind="insider" if submission.insider else "submission",
                title=f"Intake submission {str(submission.uuid)[:8]} ({submission.received_on})",
                received_on=submission.received_on,
                consent_investigation=data.consent_investigation,
                consent_prosecution=data.consent_prosecution,
                consent_publication=data.consent_publication,
                external_id=f"intake:{submission.uuid}",
            ),
        )
        links.append(("register.source", source.pk))
        person_id: int | None = None
        if data.create_victim:
            identity = PersonIdentity(full_name=data.victim_name) if data.victim_name else None
            person = person_create(
                actor=actor,
                data=PersonData(
                    compartment_id=data.compartment_id, is_victim=True, identity=identity
                ),
            )
            person_id = person.pk
            links.append(("register.person", person.pk))
        incident = incident_create(
            actor=actor,
            data=IncidentData(
                compartment_id=data.compartment_id,
                title=data.title,
                description=data.description,
                start=data.start,
                end=data.end,
                precision=data.precision,
                place_name=data.place_name,
                latitude=data.latitude,
                longitude=data.longitude,
                radius_m=data.radius_m,
                violation_types=data.violation_types,
                source_ids=(source.pk,),
            ),
        )
        links.append(("register.incident", incident.pk))
        act_ids: list[int] = []
        for act_type in data.act_types:
            assert person_id is not None
            act = act_create(
                actor=actor,
                data=ActData(
                    incident_id=incident.pk,
                    victim_id=person_id,
                    act_type=act_type,
                    injuries=data.injuries,
                    detention_place=data.detention_place or None,
                ),
            )
            act_ids.append(act.pk)
            links.append(("register.act", act.pk))
        RecordLink.objects.bulk_create(
            RecordLink(
                submission=submission,
                object_type=kind,
                object_id=str(pk),
                created_by_id=actor.pk if actor is not None else None,
            )
            for kind, pk in links
        )
        review.state = Review.State.CONVERTED
        review.updated_by_id = actor.pk if actor is not None else None
        review.save()
        audit_record(
            actor=actor,
            action="convert_submission",
            object_type=_object_type(submission),
            object_id=submission.uuid,
            changes={"records": [f"{k}:{pk}" for k, pk in links]},
        )
    return Converted(
        source_id=source.pk, incident_id=incident.pk, person_id=person_id, act_ids=tuple(act_ids)
    )
