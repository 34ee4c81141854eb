"""The set-based indexer (``index_records_bulk``: the database builds incidents' documents
with INSERT … SELECT) writes exactly what ``index_records`` writes — documents, facet tags,
the text indexes behind them, search results — on SQLite and PostgreSQL; the bulk importer
uses it in the import's transaction (a failed import leaves no index row), and a
service-mode import rebuilds its documents in one deferred pass."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import connection

from crimebook.evidence.models import EvidenceItem
from crimebook.evidence.services import evidence_ingest_stream
from crimebook.interchange.formats import csvio
from crimebook.interchange.formats.records import RowError
from crimebook.interchange.imports import ImportOptions, records_import
from crimebook.register.models import Incident
from crimebook.search import _setbased, signals
from crimebook.search.indexing import (
    index_records,
    index_records_bulk,
    index_remove,
    reindex_all,
)
from crimebook.search.models import SearchDoc, SearchTag
from crimebook.search.selectors import SearchParams, search_for
from tests import factories as f
from tests.evidence.helpers import jpeg_bytes, use_vault

pytestmark = pytest.mark.django_db

DOC_FIELDS = (
    "kind", "object_id", "compartment_id", "title", "body", "names", "start", "end", "place",
    "status", "verification", "has_evidence", "has_suspect",
)  # fmt: skip
QUERIES: tuple[dict[str, Any], ...] = (
    {"q": "пытки"},  # Russian, stemmed / prefix
    {"q": "затрыманых"},  # Belarusian word of a description
    {"q": "Пушкінскай"},
    {"q": "Окрестино"},  # misspelt place: similar names
    {"q": "бесчеловечное"},  # a violation type's Russian label
    {"q": "жорсткае"},  # ... and its Belarusian one
    {"q": '"Okrestina detention"'},
    {"q": "", "violation_type": "arbitrary_detention"},
    {"q": "", "has_suspect": True},
    {"q": "", "has_evidence": True},
    {"q": "", "kinds": ("incident",), "place": "Мінск"},
)


def _index() -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Every incident document, its tags, and the text index content behind it (PostgreSQL:
    the tsv column; SQLite: what the FTS5 tables return for each document's rowid)."""
    signals.flush()
    docs = sorted(
        SearchDoc.objects.filter(kind="incident").values_list(*DOC_FIELDS),
        key=lambda row: row[1],
    )
    tags = sorted(
        SearchTag.objects.filter(doc__kind="incident").values_list(
            "doc__object_id", "facet", "value"
        )
    )
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "SELECT object_id, tsv::text FROM search_searchdoc WHERE kind = 'incident' "
                "ORDER BY object_id"
            )
        else:
            # both FTS5 tables answer from their own index: a rowid that is missing from
            # them, or text that differs, shows here
            for table in ("search_fts", "search_trgm"):
                cur.execute(f"INSERT INTO {table}({table}) VALUES ('integrity-check')")
            cur.execute(
                "SELECT d.object_id, f.title, f.body, t.names FROM search_searchdoc d "
                "JOIN search_fts f ON f.rowid = d.id JOIN search_trgm t ON t.rowid = d.id "
                "WHERE d.kind = 'incident' ORDER BY d.object_id"
            )
        text = [tuple(row) for row in cur.fetchall()]
    return docs, tags, text


def _results(user: Any) -> list[Any]:
    out = []
    for query in QUERIES:
        result = search_for(user, SearchParams(per_page=100, **query))
        hits = sorted((h.kind, h.object_id, h.fuzzy) for h in result.hits)
        facets = {k: sorted((v.value, v.count) for v in vs) for k, vs in result.facets.items()}
        out.append((query, result.total, hits, facets))
    return out


@pytest.fixture
def mixed(world: Any, compartment: Any, tmp_path: Any, settings: Any) -> dict[str, Any]:
    """GIVEN the search world plus incidents in Belarusian and Russian with several, one or
    no violation types, empty description and place, quotes and a line break in the text,
    and evidence linked to an act (has evidence through the act) and to an incident."""
    be = f.incident(
        compartment, title="Затрыманне каля «Пушкінскай»",
        description="Затрыманых білі ў аўтазаку.\nПасля — ЦІП на Акрэсціна",
        place_name="Мінск, вул. Акрэсціна", violation_types=("torture", "arbitrary_detention"),
        start=datetime(2020, 8, 12, 9, tzinfo=UTC), end=datetime(2020, 8, 12, 9, 30, tzinfo=UTC),
    )  # fmt: skip
    bare = f.incident(
        compartment, title="Пытки 'без описания'", description="", place_name="",
        violation_types=(),
    )  # fmt: skip
    several = f.incident(
        compartment, title="Жестокое обращение", place_name="Жодино",
        violation_types=("ill_treatment", "excessive_force", "torture"), status="verified",
    )  # fmt: skip
    use_vault(tmp_path, settings)
    outcome = evidence_ingest_stream(
        actor=None, compartment_id=compartment.pk, name="yard.jpg",
        stream=io.BytesIO(jpeg_bytes(seed=5)),
    )  # fmt: skip
    assert outcome.item_id is not None
    item = EvidenceItem.objects.get(pk=outcome.item_id)
    item.acts.add(world["act"])
    item.incidents.add(several)
    signals.flush()
    return {**world, "be": be, "bare": bare, "several": several}


def test_the_database_builds_the_same_documents_as_python(investigator: Any, mixed: Any) -> None:
    ids = list(Incident.objects.values_list("pk", flat=True))
    # WHEN the incidents are indexed by the Python builders
    index_records("incident", ids)
    by_python, python_results = _index(), _results(investigator)
    assert len(by_python[0]) == len(ids) == 6
    by_id = {row[1]: row for row in by_python[0]}
    assert by_id[mixed["torture"].pk][-2:] == (True, True)  # evidence via its act; a suspect
    assert by_id[mixed["several"].pk][-2:] == (True, False)
    assert ("unit" in {t[1] for t in by_python[1]}) and by_id[mixed["bare"].pk][4] == (
        "Пытки 'без описания'"
    )
    # AND then by the database, over the same documents (replaced) and from nothing
    assert index_records_bulk("incident", ids) == len(ids)
    assert _index() == by_python
    index_remove("incident", ids)
    assert not SearchDoc.objects.filter(kind="incident").exists()
    assert index_records_bulk("incident", ids) == len(ids)
    # THEN documents, tags, the text indexes and search results are identical
    assert _index() == by_python
    assert _results(investigator) == python_results
    # AND a full rebuild (set-based for incidents) gives the same again
    assert reindex_all(kinds=["incident"]).total == len(ids)
    assert _index() == by_python


def test_labels_keep_term_order_and_missing_records_lose_their_document(mixed: Any) -> None:
    several = mixed["several"]
    index_records_bulk("incident", [several.pk])
    body = SearchDoc.objects.get(kind="incident", object_id=several.pk).body
    codes = list(several.violation_types.order_by("pk").values_list("label_en", flat=True))
    assert [line for line in body.split("\n") if line in codes] == codes
    # a deleted incident's document goes, like index_records
    Incident.objects.filter(pk=mixed["bare"].pk).delete()
    SearchDoc.objects.filter(kind="incident", object_id=mixed["bare"].pk).update(title="stale")
    index_records_bulk("incident", [mixed["bare"].pk, several.pk])
    assert not SearchDoc.objects.filter(kind="incident", object_id=mixed["bare"].pk).exists()


def test_runs_of_ids() -> None:
    assert _setbased.runs([5, 3, 4, 9, 10, 3, 1]) == [(1, 1), (3, 5), (9, 10)]
    assert _setbased.runs([]) == []


def test_other_kinds_fall_back_and_unknown_kinds_are_refused(world: Any) -> None:
    assert index_records_bulk("unit", [world["unit"].pk]) == 1
    with pytest.raises(ValueError, match="not an indexed kind"):
        index_records_bulk("spy", [1])


HEADER = "external_id,title,description,start,place_name,violation_types\r\n"


def _csv(count: int, bad_line_at: int | None = None) -> str:
    rows = []
    for i in range(count):
        types = "torture;arbitrary_detention" if i % 3 == 0 else ("" if i % 5 == 0 else "torture")
        start = "not a date" if i == bad_line_at else f"2020-08-{1 + i % 28:02d}T10:00+03:00"
        rows.append(
            f'i-{i},"Затрыманне №{i}, ""Акрэсціна""","Избили в автозаке {i}",{start},'
            f"{'Мінск' if i % 2 else ''},{types}\r\n"
        )
    return HEADER + "".join(rows)


def _import(text: str, compartment: Any, **kw: Any) -> tuple[Any, list[RowError]]:
    errors: list[RowError] = []
    summary = records_import(
        actor=None, kind="incidents",
        rows=csvio.read_records(io.StringIO(text, newline=""), "incidents"),
        options=ImportOptions(compartment_id=compartment.pk, **kw), on_error=errors.append,
    )  # fmt: skip
    return summary, errors


def test_a_bulk_import_is_indexed_as_index_records_would(
    investigator: Any, compartment: Any
) -> None:
    # WHEN incidents are imported in bulk (batches of 4: several INSERT … SELECT passes)
    summary, errors = _import(_csv(23), compartment, bulk=True, batch_size=4)
    assert summary.committed and summary.created == 23 and not errors
    by_import, import_results = _index(), _results(investigator)
    # THEN rebuilding them with the Python builders changes nothing
    index_records("incident", Incident.objects.values_list("pk", flat=True))
    assert _index() == by_import
    assert _results(investigator) == import_results
    assert len(by_import[0]) == 23
    found = search_for(investigator, SearchParams(q="акрэсціна", per_page=100))
    assert found.total == 23


@pytest.mark.parametrize("bulk", [True, False])
def test_a_failed_import_leaves_no_index_row(compartment: Any, bulk: bool) -> None:
    before = _index()
    # GIVEN a file whose last row is rejected after several batches were written
    summary, errors = _import(_csv(12, bad_line_at=11), compartment, bulk=bulk, batch_size=4)
    # THEN nothing is committed, and the index (documents, tags, FTS5 / tsv) is as before
    assert not summary.committed and [e.line for e in errors] == [13]
    assert not Incident.objects.exists()
    assert _index() == before
    assert not SearchDoc.objects.filter(title__contains="Затрыманне").exists()
    # AND a dry run leaves nothing either
    summary, errors = _import(_csv(5), compartment, bulk=bulk, dry_run=True)
    assert summary.created == 5 and not summary.committed and not errors
    assert _index() == before


def test_a_service_mode_import_indexes_once_at_the_end(
    investigator: Any, compartment: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[str, int]] = []
    real = index_records_bulk

    def counted(kind: str, ids: Any) -> int:
        ids = list(ids)
        calls.append((kind, len(ids)))
        return real(kind, ids)

    reach: list[tuple[Any, int]] = []
    real_affected = signals.affected

    def affected(model: Any, pk: int, *, wide: bool = True) -> Any:
        reach.append((model, pk))
        return real_affected(model, pk, wide=wide)

    monkeypatch.setattr(signals, "index_records_bulk", counted)
    monkeypatch.setattr(signals, "affected", affected)
    monkeypatch.setattr(signals, "index_records", lambda *a: pytest.fail("per-write indexing"))
    # WHEN rows go through the services (one service call and audit entry each)
    summary, errors = _import(_csv(9), compartment)
    assert summary.committed and summary.created == 9 and not errors
    # THEN their documents were built in one pass, in the import's transaction, and each
    # incident's reach was worked out once (saved, then linked to its violation types)
    assert calls == [("incident", 9)]
    incidents = [pk for model, pk in reach if model is Incident]
    assert sorted(incidents) == sorted(Incident.objects.values_list("pk", flat=True))
    monkeypatch.undo()
    by_import = _index()
    index_records("incident", Incident.objects.values_list("pk", flat=True))
    assert _index() == by_import and len(by_import[0]) == 9
