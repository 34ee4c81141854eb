"""Writes for sources and the staffing figures they report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils.translation import gettext

from crimebook.audit.services import Actor, snapshot
from crimebook.core.errors import ValidationFailed
from crimebook.register.models import Dismissal, Person, Source, StaffingRecord, Unit
from crimebook.register.services._common import audited_save, clean, require_compartment_write

SOURCE_FIELDS = (
    "compartment",
    "kind",
    "title",
    "description",
    "url",
    "received_on",
    "reliability",
    "credibility",
    "consent_investigation",
    "consent_prosecution",
    "consent_prosecution_with",
    "consent_publication",
    "external_id",
)


@dataclass(frozen=True)
class SourceData:
    compartment_id: int
    kind: str
    title: str
    description: str = ""
    url: str = ""
    received_on: date | None = None
    reliability: str = Source.Reliability.F
    credibility: int = Source.Credibility.UNKNOWN
    consent_investigation: bool = False
    consent_prosecution: bool = False
    consent_prosecution_with: str = ""
    consent_publication: bool = False
    external_id: str | None = None


def _apply_source(
    *, actor: Actor | None, source: Source, data: SourceData, creating: bool
) -> Source:
    require_compartment_write(actor, data.compartment_id)
    if not creating and source.compartment_id != data.compartment_id:
        require_compartment_write(actor, source.compartment_id)
    if data.consent_prosecution_with and not data.consent_prosecution:
        raise ValidationFailed.single(
            "consent_prosecution_with",
            gettext("Named prosecutors need consent to sharing with them."),
        )
    before = None if creating else snapshot(source, SOURCE_FIELDS)
    for name in SOURCE_FIELDS:
        attr = "compartment_id" if name == "compartment" else name
        setattr(source, attr, getattr(data, attr))
    source.external_id = data.external_id or None
    if creating and actor is not None:
        source.recorded_by_id = actor.pk
    clean(source, exclude=["recorded_by"])
    with transaction.atomic():
        audited_save(actor=actor, instance=source, before=before, fields=SOURCE_FIELDS)
    return source


def source_create(*, actor: Actor | None, data: SourceData) -> Source:
    return _apply_source(actor=actor, source=Source(), data=data, creating=True)


def source_update(*, actor: Actor | None, source: Source, data: SourceData) -> Source:
    return _apply_source(actor=actor, source=source, data=data, creating=False)


def _check_unit_and_source(unit_id: int, source_id: int, compartment_id: int) -> None:
    if not Unit.objects.filter(pk=unit_id).exists():
        raise ValidationFailed.single(
            "unit_id", gettext("No unit with id %(id)s.") % {"id": unit_id}
        )
    if not Source.objects.filter(pk=source_id, compartment_id=compartment_id).exists():
        raise ValidationFailed.single("source_id", gettext("No such source in this compartment."))


def staffing_record_create(
    *,
    actor: Actor | None,
    compartment_id: int,
    unit_id: int,
    on: date,
    headcount: int,
    source_id: int,
    as_reported: str = "",
) -> StaffingRecord:
    require_compartment_write(actor, compartment_id)
    _check_unit_and_source(unit_id, source_id, compartment_id)
    if headcount < 0:
        raise ValidationFailed.single("headcount", gettext("A headcount cannot be negative."))
    record = StaffingRecord(
        compartment_id=compartment_id,
        unit_id=unit_id,
        on=on,
        headcount=headcount,
        source_id=source_id,
        as_reported=as_reported,
    )
    clean(record)
    with transaction.atomic():
        audited_save(
            actor=actor,
            instance=record,
            before=None,
            fields=("compartment", "unit", "on", "headcount", "source", "as_reported"),
        )
    return record


def dismissal_create(
    *,
    actor: Actor | None,
    compartment_id: int,
    unit_id: int,
    on: date,
    source_id: int,
    count: int = 1,
    person_id: int | None = None,
) -> Dismissal:
    require_compartment_write(actor, compartment_id)
    _check_unit_and_source(unit_id, source_id, compartment_id)
    if count < 1:
        raise ValidationFailed.single(
            "count", gettext("A dismissal record counts at least one person.")
        )
    if (
        person_id is not None
        and not Person.objects.filter(pk=person_id, compartment_id=compartment_id).exists()
    ):
        raise ValidationFailed.single("person_id", gettext("No such person in this compartment."))
    record = Dismissal(
        compartment_id=compartment_id,
        unit_id=unit_id,
        on=on,
        count=count,
        person_id=person_id,
        source_id=source_id,
    )
    clean(record)
    with transaction.atomic():
        audited_save(
            actor=actor,
            instance=record,
            before=None,
            fields=("compartment", "unit", "on", "count", "person", "source"),
        )
    return record
