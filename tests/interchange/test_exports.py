"""Exports: only what the user may see (mallory sees nothing of Case A), only what consent
covers (and the metadata says what was left out), identities only for permitted roles,
every export audited, and our own JSON export imports back as the same records."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest

from crimebook.audit.models import AuditEntry
from crimebook.core.errors import PermissionDenied
from crimebook.interchange.exports import incidents_export, persons_export
from crimebook.interchange.formats import fulljson
from crimebook.interchange.formats.records import RowOk
from crimebook.interchange.imports import ImportOptions, bundle_import
from crimebook.register.consent import Use
from crimebook.register.models import Incident, Source
from tests import factories as f


@pytest.fixture
def register(compartment: Any) -> dict[str, Any]:
    public = f.source(compartment, title="Public", consent_publication=True, external_id="src-pub")
    private = f.source(compartment, title="Private", external_id="src-priv")
    a = f.incident(
        compartment,
        title="=cmd|' /C calc'!A0",
        external_id="inc-a",
        source_ids=(public.pk, private.pk),
    )
    b = f.incident(compartment, title="Only private", source_ids=(private.pk,))
    c = f.incident(compartment, title="No sources")
    return {"public": public, "private": private, "a": a, "b": b, "c": c}


def _export(actor: Any, fmt: str, use: Use) -> tuple[str, Any]:
    out = io.StringIO()
    result = incidents_export(actor=actor, fmt=fmt, use=use, out=out)  # type: ignore[arg-type]
    return out.getvalue(), result


@pytest.mark.django_db
def test_csv_export_is_formula_safe_and_states_what_consent_left_out(
    investigator: Any, register: Any
) -> None:
    text, result = _export(investigator, "csv", Use.PUBLICATION)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[1][1] == "'=cmd|' /C calc'!A0"
    assert result.count == 1 and result.left_out_incidents == 2
    assert any("2 incident(s) left out" in r[0] for r in rows if len(r) == 1)
    entry = AuditEntry.objects.filter(action="export").latest("seq")
    assert entry.actor_id == investigator.pk
    assert entry.changes["ids"] == [register["a"].pk]
    assert entry.changes["use"] == "publication"


@pytest.mark.django_db
def test_investigation_export_keeps_incidents_and_leaves_out_non_consenting_sources(
    investigator: Any, register: Any
) -> None:
    register["private"].consent_investigation = False
    register["private"].save()
    text, _result = _export(investigator, "geojson", Use.INVESTIGATION)
    doc = json.loads(text)
    assert len(doc["features"]) == 3
    a = next(x for x in doc["features"] if x["properties"]["external_id"] == "inc-a")
    assert a["properties"]["source_refs"] == ["src-pub"]
    assert doc["metadata"]["left_out_source_links"] == 2
    assert a["geometry"]["coordinates"] == [27.4955, 53.9093]


@pytest.mark.django_db
def test_mallory_exports_nothing_of_another_compartment(mallory: Any, register: Any) -> None:
    for fmt in ("csv", "geojson", "json"):
        text, result = _export(mallory, fmt, Use.INVESTIGATION)
        assert result.count == 0
        assert "Only private" not in text and "src-pub" not in text


@pytest.mark.django_db
def test_timemap_export_is_for_publication_only_and_aggregate(
    investigator: Any, register: Any
) -> None:
    with pytest.raises(PermissionDenied):
        _export(investigator, "timemap", Use.INVESTIGATION)
    text, _ = _export(investigator, "timemap", Use.PUBLICATION)
    doc = json.loads(text)
    # one incident in its day and cell: published as "<5", never as 1
    assert doc["events"][0]["count"] is None and doc["events"][0]["count_text"] == "<5"
    assert doc["events"][0]["description"].startswith("<5 incidents")
    assert doc["metadata"]["small_counts"]["threshold"] == 5
    assert doc["metadata"]["incidents"] == "<5"
    assert '"count": 1' not in text
    assert "calc" not in text and "Pushkinskaya" not in text


@pytest.mark.django_db
def test_identities_only_for_permitted_roles_and_audited(
    investigator: Any, reader: Any, compartment: Any
) -> None:
    victim = f.person(compartment, name="Алесь Тэставы")
    f.person(compartment, name="Unlinked Person")
    consenting = f.source(compartment, consent_prosecution=True)
    f.act(f.incident(compartment, source_ids=(consenting.pk,)), victim)
    out = io.StringIO()
    with pytest.raises(PermissionDenied):
        persons_export(actor=reader, use=Use.INVESTIGATION, out=out, identities=True)
    with pytest.raises(PermissionDenied):
        persons_export(actor=investigator, use=Use.PUBLICATION, out=out)
    assert out.getvalue() == ""
    persons_export(actor=reader, use=Use.INVESTIGATION, out=out)
    assert "Алесь" not in out.getvalue() and out.getvalue().count("P-") == 2
    out = io.StringIO()
    result = persons_export(actor=investigator, use=Use.PROSECUTION, out=out, identities=True)
    text = out.getvalue()
    assert "Алесь Тэставы" in text and "Unlinked" not in text
    assert "1 person(s) left out" in text
    entry = AuditEntry.objects.filter(action="export", object_type="register.person").latest("seq")
    assert entry.changes["identities"] is True and entry.changes["ids"] == [victim.pk]
    assert result.count == 1


@pytest.mark.django_db
def test_full_json_round_trip_into_another_compartment(
    investigator: Any, register: Any, other_compartment: Any, make_user: Any
) -> None:
    text, _ = _export(investigator, "json", Use.INVESTIGATION)
    src_rows, inc_rows = fulljson.read_document(io.BytesIO(text.encode()))
    exported = sorted(
        (
            r.record
            for r in fulljson.read_document(io.BytesIO(text.encode()))[1]
            if isinstance(r, RowOk)
        ),
        key=lambda r: r.title,
    )
    # Into a fresh register (delete first, as on another instance)
    Incident.objects.all().delete()
    Source.objects.all().delete()
    errors: list[Any] = []
    src, inc = bundle_import(
        actor=None,
        sources=src_rows,
        incidents=inc_rows,
        options=ImportOptions(compartment_id=other_compartment.pk),
        on_error=lambda part, row: errors.append((part, row)),
    )
    assert errors == [] and src.committed and inc.committed
    assert (src.created, inc.created) == (2, 3)
    other = make_user("investigator", (other_compartment,))
    again, _ = _export(other, "json", Use.INVESTIGATION)
    reimported = sorted(
        (
            r.record
            for r in fulljson.read_document(io.BytesIO(again.encode()))[1]
            if isinstance(r, RowOk)
        ),
        key=lambda r: r.title,
    )
    assert reimported == exported


@pytest.mark.django_db
def test_timemap_anonymised_is_one_event_per_incident_without_text(
    investigator: Any, register: Any, compartment: Any
) -> None:
    # GIVEN one publishable incident alone in its day and cell
    out = io.StringIO()
    incidents_export(
        actor=investigator, fmt="timemap", use=Use.PUBLICATION, out=out, timemap_mode="anonymised"
    )
    doc = json.loads(out.getvalue())
    # THEN it is withheld: fewer than 5 incidents there would single it out
    assert doc["events"] == []
    assert doc["metadata"]["small_counts"]["withheld"] == "<5"
    # GIVEN four more on the same day in the same cell
    for i in range(4):
        f.incident(
            compartment,
            title=f"More {i}",
            source_ids=(register["public"].pk,),
            start=register["a"].start,
            latitude=register["a"].latitude,
            longitude=register["a"].longitude,
        )
    out = io.StringIO()
    incidents_export(
        actor=investigator, fmt="timemap", use=Use.PUBLICATION, out=out, timemap_mode="anonymised"
    )
    doc = json.loads(out.getvalue())
    assert len(doc["events"]) == 5 and doc["metadata"]["small_counts"]["withheld"] == "0"
    event = doc["events"][0]
    assert event["latitude"] == "53.905000" and event["location"] == "" and event["sources"] == []
    assert "calc" not in out.getvalue() and "inc-a" not in out.getvalue()
    assert "More" not in out.getvalue()
