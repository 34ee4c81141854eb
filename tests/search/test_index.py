"""The index follows every write: services (signals), links, deletes, rollbacks, the bulk
importer, evidence, intake submissions — and `crimebook search reindex` rebuilds it."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.db import transaction
from typer.testing import CliRunner

from crimebook.cli.app import app
from crimebook.evidence.models import EvidenceItem
from crimebook.evidence.services import evidence_ingest_stream
from crimebook.intake.models import IntakeSource, Submission
from crimebook.interchange.formats import csvio
from crimebook.interchange.imports import ImportOptions, records_import
from crimebook.register import services as s
from crimebook.search.documents import EVIDENCE_TEXT_FIELDS, evidence_text_fields
from crimebook.search.indexing import index_records, reindex_all
from crimebook.search.models import SearchDoc, SearchTag
from crimebook.search.selectors import SearchParams, search_for
from crimebook.search.signals import flush
from tests import factories as f
from tests.evidence.helpers import jpeg_bytes, use_vault

pytestmark = pytest.mark.django_db
runner = CliRunner()


def _ids(user: Any, q: str = "", **kw: Any) -> set[tuple[str, int]]:
    return {
        (h.kind, h.object_id) for h in search_for(user, SearchParams(q=q, per_page=100, **kw)).hits
    }


def _doc(kind: str, pk: int) -> SearchDoc:
    flush()  # what a search does first: apply this thread's marks (direct ORM writes below)
    return SearchDoc.objects.get(kind=kind, object_id=pk)


def test_update_through_the_service_reindexes(investigator: Any, world: Any) -> None:
    incident = world["torture"]
    data = s.IncidentData(
        compartment_id=incident.compartment_id, title="Избиение у Стелы", status="closed",
        violation_types=("torture",), start=incident.start, end=incident.end,
    )  # fmt: skip
    s.incident_update(actor=None, incident=incident, data=data)
    assert ("incident", incident.pk) in _ids(investigator, "стелы")
    assert ("incident", incident.pk) not in _ids(investigator, "окрестина")
    assert _doc("act", world["act"].pk).status == "closed"  # the act inherits the incident's


def test_violation_types_follow_the_many_to_many(world: Any) -> None:
    incident = world["detention"]
    incident.violation_types.clear()
    assert not SearchTag.objects.filter(doc=_doc("incident", incident.pk), facet="violation")
    incident.violation_types.add(*list(world["torture"].violation_types.all()))
    tags = SearchTag.objects.filter(doc=_doc("incident", incident.pk), facet="violation")
    assert {t.value for t in tags} == {"torture"}


def test_involvement_and_post_move_suspect_and_unit_facets(world: Any, compartment: Any) -> None:
    victim = f.person(compartment, "Другой Человек")
    act = f.act(world["detention"], victim)
    assert _doc("incident", world["detention"].pk).has_suspect is False
    inv = s.involvement_create(
        actor=None,
        data=s.InvolvementData(
            act_id=act.pk, person_id=world["suspect"].pk, degree="present",
            basis_source_ids=(world["source"].pk,),
        ),
    )  # fmt: skip
    assert _doc("incident", world["detention"].pk).has_suspect is True
    unit_tags = SearchTag.objects.filter(doc=_doc("act", act.pk), facet="unit")
    assert {t.value for t in unit_tags} == {str(world["unit"].pk)}
    inv.delete()
    assert _doc("incident", world["detention"].pk).has_suspect is False


def test_delete_removes_the_documents(investigator: Any, world: Any) -> None:
    incident, act = world["torture"], world["act"]
    incident.delete()  # acts and involvements cascade
    flush()
    assert not SearchDoc.objects.filter(kind="incident", object_id=incident.pk).exists()
    assert not SearchDoc.objects.filter(kind="act", object_id=act.pk).exists()
    assert _ids(investigator, "дубинками") == set()


def test_a_rolled_back_write_leaves_no_document(compartment: Any) -> None:
    seen: list[bool] = []

    def write_then_fail() -> None:
        with transaction.atomic():
            incident = f.incident(compartment, title="Never happened")
            seen.append(SearchDoc.objects.filter(kind="incident", object_id=incident.pk).exists())
            raise RuntimeError

    with pytest.raises(RuntimeError):
        write_then_fail()
    assert seen == [True]
    assert not SearchDoc.objects.filter(title="Never happened").exists()


def test_bulk_import_is_indexed(investigator: Any, compartment: Any) -> None:
    text = "external_id,title,start,violation_types\r\n" + "".join(
        f"b-{i},Бульдозерная колонна {i},2020-08-1{i}T10:00+03:00,torture\r\n" for i in range(5)
    )
    records_import(
        actor=None, kind="incidents",
        rows=csvio.read_records(io.StringIO(text, newline=""), "incidents"),
        options=ImportOptions(compartment_id=compartment.pk, bulk=True, batch_size=2),
        on_error=lambda row: pytest.fail(f"unexpected error {row}"),
    )  # fmt: skip
    found = _ids(investigator, "бульдозерная", violation_type="torture")
    assert len(found) == 5


def test_evidence_is_indexed_with_its_links(
    investigator: Any, world: Any, tmp_path: Any, settings: Any
) -> None:
    use_vault(tmp_path, settings)
    outcome = evidence_ingest_stream(
        actor=None, compartment_id=world["torture"].compartment_id, name="okrestina_yard.jpg",
        stream=io.BytesIO(jpeg_bytes(make="Nokiaphone")),
    )  # fmt: skip
    item = EvidenceItem.objects.get(pk=outcome.item_id)
    assert item.metadata_status == "extracted", item.metadata_error
    assert ("evidence", item.pk) in _ids(investigator, "okrestina_yard")
    # the device comes from metadata extraction, written with QuerySet.update()
    assert ("evidence", item.pk) in _ids(investigator, "nokiaphone")
    item.incidents.add(world["torture"])
    assert _doc("incident", world["torture"].pk).has_evidence is True
    assert {t.value for t in _doc("evidence", item.pk).tags.all()} == {"torture"}
    item.incidents.clear()
    assert _doc("incident", world["torture"].pk).has_evidence is False


def test_evidence_text_fields_that_exist_are_indexed(
    investigator: Any, world: Any, tmp_path: Any, settings: Any
) -> None:
    present = evidence_text_fields()
    assert set(present) <= set(EVIDENCE_TEXT_FIELDS)
    if not present:
        pytest.skip("this version of EvidenceItem has no extracted-text field yet")
    use_vault(tmp_path, settings)
    outcome = evidence_ingest_stream(
        actor=None, compartment_id=world["torture"].compartment_id, name="report.jpg",
        stream=io.BytesIO(jpeg_bytes(seed=3)),
    )  # fmt: skip
    EvidenceItem.objects.filter(pk=outcome.item_id).update(
        **{present[0]: "Протокол медицинского освидетельствования"}
    )
    index_records("evidence", [outcome.item_id])  # what a QuerySet.update must be followed by
    assert ("evidence", outcome.item_id) in _ids(investigator, "освидетельствования")


def test_submissions_are_metadata_for_intake_reviewers_only(
    make_user: Any, compartment: Any, investigator: Any
) -> None:
    source = IntakeSource.objects.create(
        lookup="a" * 64, reply_recipient="age1x", created_on=date(2020, 8, 20)
    )
    sub = Submission.objects.create(
        source=source, kind="report", insider=True, received_on=date(2020, 8, 20),
        sealed_sha256="b" * 64, sealed_size=10, receipt_id="R-123",
    )  # fmt: skip
    doc = _doc("submission", sub.pk)
    assert doc.compartment_id is None and "insider" in doc.body and "R-123" in doc.body
    reviewer = make_user("intake_reviewer", (compartment,))
    assert ("submission", sub.pk) in _ids(reviewer, "insider")
    assert ("submission", sub.pk) not in _ids(investigator, "insider")
    hit = next(h for h in search_for(reviewer, SearchParams(q="insider")).hits)
    assert hit.ref == str(sub.uuid)


def test_reindex_rebuilds_drops_orphans_and_is_audited(investigator: Any, world: Any) -> None:
    from crimebook.audit.models import AuditEntry

    SearchDoc.objects.filter(kind="incident").delete()
    SearchDoc.objects.create(kind="source", object_id=987654, title="orphan")
    assert ("incident", world["torture"].pk) not in _ids(investigator, "дубинками")
    result = runner.invoke(app, ["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "incident" in result.output and "total" in result.output
    assert ("incident", world["torture"].pk) in _ids(investigator, "дубинками")
    assert not SearchDoc.objects.filter(object_id=987654).exists()
    assert AuditEntry.objects.filter(action="reindex").exists()
    only = runner.invoke(app, ["search", "reindex", "--kind", "unit"])
    assert only.exit_code == 0 and "unit" in only.output


def test_reindex_refuses_an_unknown_kind_and_changes_nothing(world: Any) -> None:
    before = SearchDoc.objects.count()
    result = runner.invoke(app, ["search", "reindex", "--kind", "spy"])
    assert result.exit_code == 1 and "unknown kind" in result.output
    assert SearchDoc.objects.count() == before
    with pytest.raises(ValueError, match="not an indexed kind"):
        reindex_all(kinds=["spy"])


def test_a_service_write_is_indexed_at_its_audit_entry_and_coalesced(
    world: Any, compartment: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from crimebook.search import signals

    flush()
    calls: list[tuple[str, tuple[int, ...]]] = []
    real = signals.index_records

    def counted(kind: str, ids: Any) -> int:
        calls.append((kind, tuple(sorted(ids))))
        return real(kind, ids)

    monkeypatch.setattr(signals, "index_records", counted)
    act = f.act(world["detention"], world["victim"], injuries=("bruising",), methods=("baton",))
    # the act's document was written when the service appended its audit entry, in its
    # transaction (no commit happened: the test runs inside one)
    assert calls == [("act", (act.pk,))]
    assert SearchDoc.objects.filter(kind="act", object_id=act.pk).exists()
    # the service sets the terms after its audit entry: both link changes are applied once,
    # together, at the next audit entry, at commit, or before a search
    flush()
    assert calls == [("act", (act.pk,)), ("act", (act.pk,))]
    assert "Bruising" in SearchDoc.objects.get(kind="act", object_id=act.pk).body


def test_writes_without_an_audit_entry_are_applied_on_commit(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    unit = world["unit"]
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        unit.name = "Renamed special unit"
        unit.save()  # e.g. the admin site: no audit entry
    assert SearchDoc.objects.get(kind="unit", object_id=unit.pk).title == "Renamed special unit"
