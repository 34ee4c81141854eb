"""Exports: what the requesting user may see (register selectors), what consent allows
(``register.consent``), pseudonyms unless identities are asked for *and* permitted; every
export is an ``export`` audit entry.

Consent rule per use:

- ``investigation``: every incident the user can see; sources whose consent does not cover
  investigation are left out of each incident's ``source_refs``;
- ``prosecution`` / ``publication``: an incident is exported only if at least one of its
  sources consents to that use (no consent recorded = no consent); for publication,
  ``secret`` incidents are never exported.

What was left out is counted in the export's metadata (CSV: ``# …`` footer rows).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, TextIO

from django.db import transaction
from django.db.models import Q, QuerySet

from crimebook.accounts.access import can_reveal_identity
from crimebook.audit.services import Actor, audit_record
from crimebook.core.errors import PermissionDenied
from crimebook.interchange.formats import csvio, fulljson, geojson, timemap
from crimebook.interchange.formats.records import IncidentRecord, SourceRecord
from crimebook.interchange.imports import OWN_PREFIX
from crimebook.register.consent import Use, permits, split_by_consent
from crimebook.register.disclosure import Rule, legend, single
from crimebook.register.models import Incident, Person, Source
from crimebook.register.selectors import incidents_for, persons_for, sources_for

ExportFormat = Literal["csv", "geojson", "json", "timemap"]
MAX_IDS_IN_AUDIT = 10_000


@dataclass
class ExportResult:
    format: str
    use: str
    count: int = 0
    sources: int = 0
    left_out_incidents: int = 0
    left_out_sources: int = 0
    identities: bool = False
    notes: list[str] = field(default_factory=list)


def ref_of(obj: Incident | Source | Person) -> str:
    return obj.external_id or f"{OWN_PREFIX}{obj.uuid}"


def _incident_record(incident: Incident, sources: list[Source]) -> IncidentRecord:
    return IncidentRecord(
        external_id=ref_of(incident),
        title=incident.title,
        description=incident.description,
        start=incident.start,
        end=incident.end,
        precision=incident.precision,
        place_name=incident.place_name,
        latitude=incident.latitude,
        longitude=incident.longitude,
        radius_m=incident.radius_m,
        violation_types=tuple(sorted(t.code for t in incident.violation_types.all())),
        status=incident.status,
        verification=incident.verification,
        confidentiality=incident.confidentiality,
        source_refs=tuple(sorted(ref_of(s) for s in sources)),
    )


def _source_record(source: Source) -> SourceRecord:
    return SourceRecord(
        external_id=ref_of(source),
        title=source.title,
        kind=source.kind,
        description=source.description,
        url=source.url,
        received_on=source.received_on.isoformat() if source.received_on else "",
        reliability=source.reliability,
        credibility=int(source.credibility),
        consent_investigation=source.consent_investigation,
        consent_prosecution=source.consent_prosecution,
        consent_publication=source.consent_publication,
    )


class _Ids:
    """Exported ids for the audit entry: the list up to a limit, always a digest."""

    def __init__(self) -> None:
        self.ids: list[int] = []
        self.digest = hashlib.sha256()
        self.count = 0

    def add(self, pk: int) -> None:
        self.count += 1
        self.digest.update(f"{pk}\n".encode())
        if len(self.ids) < MAX_IDS_IN_AUDIT:
            self.ids.append(pk)


def _incidents(actor: Actor, use: Use, result: ExportResult, ids: _Ids) -> Iterator[IncidentRecord]:
    qs = incidents_for(actor).order_by("pk").prefetch_related("violation_types", "sources")
    for incident in qs.iterator(chunk_size=1000):
        kept, left = split_by_consent(incident.sources.all(), use)
        result.left_out_sources += left
        if use is not Use.INVESTIGATION and (
            not kept or (use is Use.PUBLICATION and incident.confidentiality == "secret")
        ):
            result.left_out_incidents += 1
            continue
        ids.add(incident.pk)
        result.count = ids.count
        yield _incident_record(incident, kept)


def _metadata(actor: Actor, result: ExportResult) -> dict[str, Any]:
    notes = []
    if result.left_out_incidents:
        notes.append(
            f"{result.left_out_incidents} incident(s) left out: no source consents to "
            f"{result.use}" + (" (or marked secret)" if result.use == "publication" else "") + "."
        )
    if result.left_out_sources:
        notes.append(
            f"{result.left_out_sources} source link(s) left out: their consent does not cover "
            f"{result.use}."
        )
    result.notes = notes
    return {
        "exported_at": datetime.now(UTC).isoformat(),
        "exported_by": actor.get_username(),
        "use": result.use,
        "incidents": result.count,
        "left_out_incidents": result.left_out_incidents,
        "left_out_source_links": result.left_out_sources,
        "notes": notes,
        "persons": "pseudonyms only" if not result.identities else "identities included",
    }


def incidents_export(
    *,
    actor: Actor,
    fmt: ExportFormat,
    use: Use,
    out: TextIO,
    timemap_mode: Literal["aggregate", "anonymised"] = "aggregate",
    threshold: int | None = None,
) -> ExportResult:
    """Write the incidents ``actor`` may see, in ``fmt``, honouring consent for ``use``;
    append the ``export`` audit entry after the data is written."""
    result = ExportResult(format=fmt, use=use.value)
    ids = _Ids()
    records = _incidents(actor, use, result, ids)
    if fmt == "csv":
        csvio.write_incidents(out, records, footer=_footer(actor, result))
    elif fmt == "geojson":
        meta: dict[str, Any] = {}
        geojson.write_collection(out, _filling(records, meta, actor, result), meta)
    elif fmt == "json":
        meta = {}
        visible_sources = [
            _source_record(s) for s in sources_for(actor).order_by("pk") if permits(s, use)
        ]
        result.sources = len(visible_sources)
        fulljson.write_document(
            out,
            sources=visible_sources,
            incidents=_filling(records, meta, actor, result),
            metadata=meta,
        )
    elif fmt == "timemap":
        if use is not Use.PUBLICATION:
            raise PermissionDenied("The TimeMap export is for publication: use --use publication.")
        rule = Rule.at_least(threshold)
        if timemap_mode == "anonymised":
            events, withheld = timemap.anonymise(records, rule=rule)
            shape = "one event per incident: local day, centre of a ~1 km cell, types"
            published = {
                "events": len(events),
                "withheld": single(withheld, rule).text,
                "withheld_because": f"fewer than {rule.threshold} incidents on that day in that cell",
            }
        else:
            events, total = timemap.aggregate(records, rule=rule)
            shape = "count per day, ~1 km cell, violation type"
            published = {"total": total.text}
        meta = _metadata(actor, result) | {
            "publication": shape,
            "small_counts": {"threshold": rule.threshold, "rule": legend(rule), **published},
        }
        meta["incidents"] = published.get("total", len(events))
        timemap.write_timemap(out, events, meta)
    else:
        raise ValueError(f"unknown format {fmt!r}")
    result.count = ids.count
    _audit(actor, "register.incident", result, ids)
    return result


def _footer(actor: Actor, result: ExportResult) -> Iterator[str]:
    """Computed lazily: the CSV writer asks for it after the last row."""
    meta = _metadata(actor, result)
    yield (
        f"crimebook export {meta['exported_at']} by {meta['exported_by']} for {meta['use']}; "
        f"persons: {meta['persons']}"
    )
    yield from meta["notes"]


def _filling(
    records: Iterator[IncidentRecord], meta: dict[str, Any], actor: Actor, result: ExportResult
) -> Iterator[IncidentRecord]:
    """Pass records through, then fill ``meta`` (written after the records)."""
    yield from records
    meta.update(_metadata(actor, result))


def _audit(actor: Actor, object_type: str, result: ExportResult, ids: _Ids) -> None:
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="export",
            object_type=object_type,
            object_id="*",
            changes={
                "format": result.format,
                "use": result.use,
                "count": ids.count,
                "ids": ids.ids,
                "ids_sha256": ids.digest.hexdigest(),
                "left_out_incidents": result.left_out_incidents,
                "left_out_source_links": result.left_out_sources,
                "identities": result.identities,
            },
        )


PERSON_COLUMNS = ("external_id", "pseudonym", "roles")
IDENTITY_COLUMNS = ("full_name", "birth_date", "contacts", "identifiers")


def _persons_covered(actor: Actor, use: Use) -> QuerySet[Person]:
    """Persons the user sees, limited for prosecution to those linked to a source that
    consents to it: victim of an act or witness of an incident with such a source, or an
    involvement based on one."""
    qs = persons_for(actor)
    if use is Use.INVESTIGATION:
        return qs
    consenting = sources_for(actor).filter(
        consent_investigation=True, **{f"consent_{use.value}": True}
    )
    incidents = Incident.objects.filter(sources__in=consenting)
    linked = Q(acts_suffered__incident__in=incidents) | Q(witnessed__in=incidents)
    linked |= Q(involvements__basis__in=consenting)
    return qs.filter(pk__in=Person.objects.filter(linked).values("pk"))


def persons_export(
    *, actor: Actor, use: Use, out: TextIO, identities: bool = False
) -> ExportResult:
    """CSV of persons by pseudonym, never for publication (DESIGN §10: no public lists of
    people). For prosecution, only persons linked to a consenting source (the others are
    counted in the footer). With ``identities`` the user needs the right to reveal identities
    in *every* compartment exported — checked before anything is written. The audit entry
    lists every exported person."""
    import csv

    from crimebook.register.services.persons import person_identity_decrypt

    if use is Use.PUBLICATION:
        raise PermissionDenied("Persons are never exported for publication.")
    result = ExportResult(format="csv", use=use.value, identities=identities)
    qs = _persons_covered(actor, use).order_by("pk")
    left_out = persons_for(actor).count() - qs.count()
    if identities:
        compartments = set(qs.values_list("compartment_id", flat=True))
        if not all(can_reveal_identity(actor, c) for c in compartments):
            raise PermissionDenied("Your role does not allow exporting identities.")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(PERSON_COLUMNS + (IDENTITY_COLUMNS if identities else ()))
    ids = _Ids()
    for person in qs.iterator(chunk_size=1000):
        cells = [ref_of(person), person.pseudonym, ";".join(person.roles)]
        if identities:
            ident = person_identity_decrypt(person)
            cells += [
                ident.full_name,
                ident.birth_date.isoformat() if ident.birth_date else "",
                ";".join(ident.contacts),
                ";".join(ident.identifiers),
            ]
        writer.writerow([csvio.neutralise(c) for c in cells])
        ids.add(person.pk)
    what = "identities included (audited)" if identities else "pseudonyms only"
    writer.writerow([f"# crimebook export for {use.value}; persons: {what}"])
    if left_out:
        note = f"{left_out} person(s) left out: no source linked to them consents to {use.value}."
        result.notes.append(note)
        writer.writerow([f"# {note}"])
    result.count = ids.count
    _audit(actor, "register.person", result, ids)
    return result


def dumps_metadata(result: ExportResult) -> str:
    return json.dumps(result.__dict__, ensure_ascii=False)
