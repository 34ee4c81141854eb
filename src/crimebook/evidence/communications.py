"""Writes of communication records (calls, messages, intercepts), each audited.

A communication is metadata only: when, in which cell area, between which pseudonymous
parties, and which evidence item holds the record (a CDR export, an intercept recording).
Phone numbers are never stored: :func:`phone_digest` keeps the blind-index digest of the
digits — the same digest a person's contact gets — so a party can be matched to a person
in the register without the number being readable anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext, gettext_noop

from crimebook.audit.services import Actor, snapshot
from crimebook.core.errors import ValidationFailed
from crimebook.core.keys import get_keyring
from crimebook.crypto import normalise_identifier
from crimebook.evidence import commrules
from crimebook.evidence.models import Communication, EvidenceItem
from crimebook.register.models import Source
from crimebook.register.services._common import (
    audited_save,
    clean,
    raise_problems,
    require_compartment_write,
)

__all__ = [
    "COMMUNICATION_FIELDS",
    "CommunicationData",
    "communication_create",
    "communication_update",
    "phone_digest",
]

COMMUNICATION_FIELDS = (
    "compartment", "kind", "start", "end", "latitude", "longitude", "radius_m", "place_name",
    "party_a", "party_b", "party_a_digest", "party_b_digest", "summary", "item", "source",
    "external_id",
)  # fmt: skip
SENSITIVE = ("party_a_digest", "party_b_digest")


@dataclass(frozen=True)
class CommunicationData:
    """``party_*_phone``: None keeps the stored digest (nothing on create), "" removes it,
    a number replaces it (only its digest is kept)."""

    compartment_id: int
    kind: str
    start: datetime | None
    end: datetime | None = None
    latitude: float | None = None
    longitude: float | None = None
    radius_m: float | None = None
    place_name: str = ""
    party_a: str = ""
    party_b: str = ""
    party_a_phone: str | None = None
    party_b_phone: str | None = None
    summary: str = ""
    item_id: int | None = None
    source_id: int | None = None
    external_id: str = ""


# The pure rules' (commrules) problem templates, marked here for the catalogs;
# raise_problems says them in the reader's language.
COMMRULES_MESSAGES = (
    gettext_noop("Not a phone number (7 to 20 digits, optional + and separators)."),
    gettext_noop("A party label has at most %(n)d characters."),
    gettext_noop(
        "A party label must be a pseudonym (e.g. “subscriber A”), not a phone number: give the "
        "number as the party's phone, which is kept only as a blind digest."
    ),
    gettext_noop("The summary has at most %(n)d characters."),
    gettext_noop(
        "The summary seems to contain a phone number; refer to the parties by their labels."
    ),
    gettext_noop("A communication needs its start time."),
    gettext_noop("The start must include a time zone (UTC offset)."),
    gettext_noop("The end must include a time zone (UTC offset)."),
    gettext_noop("The end (%(end)s) is before the start."),
    gettext_noop("A communication cannot last more than 31 days."),
    gettext_noop("A cell area needs latitude, longitude and radius together (or none of them)."),
    gettext_noop(
        "(%(latitude)s, %(longitude)s) is out of range (latitude -90…90, longitude -180…180)."
    ),
    gettext_noop(
        "(%(latitude)s, %(longitude)s) is out of range (latitude -90…90, longitude -180…180); "
        "latitude and longitude look swapped."
    ),
    gettext_noop("The cell area radius must be more than 0 m (%(radius)s)."),
    gettext_noop(
        "The cell area radius cannot exceed %(km)s km (%(radius)s m): such an area says nothing "
        "about where the call was placed."
    ),
)


def phone_digest(number: str) -> str:
    """The blind-index digest of a phone number (digits only; "+375 29 …" and "375-29-…"
    meet), equal to a person's contact digest for the same number."""
    return get_keyring().blind_index("contact", normalise_identifier(number))


def check(data: CommunicationData) -> list[commrules.Problem]:
    """Every pure rule, before any database access."""
    problems: list[commrules.Problem] = []
    if data.kind not in commrules.KINDS:
        problems.append(
            (
                "kind",
                gettext("Kind must be one of %(kinds)s.") % {"kinds": ", ".join(commrules.KINDS)},
            )
        )
    problems += commrules.check_span(data.start, data.end)
    problems += commrules.check_area(data.latitude, data.longitude, data.radius_m)
    problems += commrules.check_labels(data.party_a.strip(), data.party_b.strip(), data.summary)
    for field, phone in (("party_a_phone", data.party_a_phone),
                         ("party_b_phone", data.party_b_phone)):  # fmt: skip
        problems += commrules.check_phone((phone or "").strip(), field=field)
    if len(data.external_id) > 200:
        problems.append(("external_id", gettext("The record id has at most 200 characters.")))
    if len(data.place_name) > 300:
        problems.append(("place_name", gettext("The place has at most 300 characters.")))
    return problems


def _apply(
    *, actor: Actor | None, comm: Communication, data: CommunicationData, creating: bool
) -> Communication:
    require_compartment_write(actor, data.compartment_id)
    if not creating and comm.compartment_id != data.compartment_id:
        require_compartment_write(actor, comm.compartment_id)
    raise_problems(check(data))
    cid = data.compartment_id
    if (
        data.item_id is not None
        and not EvidenceItem.objects.filter(
            pk=data.item_id, compartment_id=cid, derived_from__isnull=True
        ).exists()
    ):
        raise ValidationFailed.single(
            "item_id", gettext("No such evidence item in this compartment.")
        )
    if (
        data.source_id is not None
        and not Source.objects.filter(pk=data.source_id, compartment_id=cid).exists()
    ):
        raise ValidationFailed.single("source_id", gettext("No such source in this compartment."))
    external = data.external_id.strip()
    if external and (
        Communication.objects.filter(compartment_id=cid, external_id=external)
        .exclude(pk=comm.pk)
        .exists()
    ):
        raise ValidationFailed.single(
            "external_id",
            gettext("The record id %(id)s is already used in this compartment.")
            % {"id": repr(external[:40])},
        )
    before = None if creating else snapshot(comm, COMMUNICATION_FIELDS)
    comm.compartment_id = cid
    comm.kind = data.kind
    comm.start = data.start  # type: ignore[assignment]  # checked above
    comm.end = data.end or data.start  # type: ignore[assignment]
    comm.latitude, comm.longitude, comm.radius_m = data.latitude, data.longitude, data.radius_m
    comm.place_name = data.place_name.strip()
    comm.party_a, comm.party_b = data.party_a.strip(), data.party_b.strip()
    for name, phone in (("party_a", data.party_a_phone), ("party_b", data.party_b_phone)):
        if phone is not None:
            setattr(comm, f"{name}_digest", phone_digest(phone) if phone.strip() else "")
    comm.summary = data.summary.strip()
    comm.item_id, comm.source_id = data.item_id, data.source_id
    comm.external_id = external
    if creating and actor is not None:
        comm.created_by_id = actor.pk
    clean(comm, exclude=("created_by",))
    with transaction.atomic():
        audited_save(
            actor=actor, instance=comm, before=before, fields=COMMUNICATION_FIELDS,
            sensitive=SENSITIVE,
        )  # fmt: skip
    return comm


def communication_create(*, actor: Actor | None, data: CommunicationData) -> Communication:
    return _apply(actor=actor, comm=Communication(), data=data, creating=True)


def communication_update(
    *, actor: Actor | None, communication: Communication, data: CommunicationData
) -> Communication:
    return _apply(actor=actor, comm=communication, data=data, creating=False)
