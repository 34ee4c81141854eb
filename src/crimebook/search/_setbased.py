"""Set-based documents of incidents: the database builds them with ``INSERT … SELECT``.

The same documents as ``documents.build_incidents`` + ``indexing._write`` — field for field,
tag for tag (tested on both databases against the Python path) — without a row passing
through Python: three statements per run of consecutive ids (delete the old documents and
their tags, insert the documents, insert the tags). The text indexes follow by themselves:
the document table's triggers (migration ``search/0002``) fill the FTS5 tables on SQLite and
the ``tsv`` column on PostgreSQL, row by row, inside the same statement and transaction.

Exactly as in Python:

* ``body`` = the non-empty parts among title, description, place and each violation type's
  labels (en, ru, be; the types in term order) joined by a newline, cut at
  ``MAX_BODY_CHARS``; ``names`` = title and place (non-empty) joined by a space, cut at
  10,000; ``title`` and ``place`` cut at 300 characters (``substr`` counts characters on
  both databases, like Python slicing);
* ``has_evidence``: evidence linked to the incident or to one of its acts; ``has_suspect``:
  an involvement in one of its acts; tags: its violation type codes and the units of its
  suspects' posts (``str(unit_id)``).

SQLite 3.40 has neither ``concat_ws`` nor ``ORDER BY`` inside an aggregate: every part is
written as ``COALESCE(separator || NULLIF(part, ''), '')`` and the leading separator is cut
off, and the labels are concatenated over an ordered subquery (SQLite's ``group_concat``
follows the order of its input).
"""

# ruff: noqa: S608 - SQL composed from model table names and constants; values are bound
from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from django.db import connection
from django.db.models import Model

from crimebook.search.documents import MAX_BODY_CHARS

MAX_TITLE = 300
MAX_NAMES = 10_000


def runs(ids: Iterable[int]) -> list[tuple[int, int]]:
    """Distinct ids as ascending ``(first, last)`` runs of consecutive values."""
    out: list[list[int]] = []
    for pk in sorted(set(ids)):
        if out and pk == out[-1][1] + 1:
            out[-1][1] = pk
        else:
            out.append([pk, pk])
    return [(a, b) for a, b in out]


def _tables() -> dict[str, str]:
    from crimebook.evidence.models import EvidenceItem
    from crimebook.register.models import Act, Incident, Involvement, Post, Term
    from crimebook.search.models import SearchDoc, SearchTag

    q = connection.ops.quote_name
    models: dict[str, type[Model]] = {
        "incident": Incident, "act": Act, "involvement": Involvement, "post": Post,
        "term": Term, "doc": SearchDoc, "tag": SearchTag,
        "types": Incident.violation_types.through,
        "ev_incidents": EvidenceItem.incidents.through, "ev_acts": EvidenceItem.acts.through,
    }  # fmt: skip
    return {name: q(model._meta.db_table) for name, model in models.items()}


@cache
def _statements(vendor: str) -> tuple[str, str, str, str, str]:
    """(delete tags, delete documents, insert documents, insert violation tags, insert unit
    tags), each with parameters that repeat the first and last id of a run (two, or four)."""
    t = _tables()
    pg = vendor == "postgresql"
    nl = "chr(10)" if pg else "char(10)"

    def part(expr: str, sep: str = nl) -> str:
        return f"COALESCE({sep} || NULLIF({expr}, ''), '')"

    term_labels = " || ".join(part(f"tm.label_{lang}") for lang in ("en", "ru", "be"))
    if pg:
        # one aggregate over the run's type links, joined to the incidents: as a correlated
        # subquery per incident PostgreSQL chose, without statistics (a new register, or an
        # import before ANALYZE), to scan every term per incident and probe the links' index
        # once per term (ARCHITECTURE "Interchange": the step's server CPU −15–27 %)
        labels = "lb.labels"
        labels_join = (
            f"LEFT JOIN (SELECT it.incident_id, string_agg({term_labels}, '' ORDER BY "
            f"it.term_id) AS labels FROM {t['types']} it JOIN {t['term']} tm "
            "ON tm.id = it.term_id WHERE it.incident_id BETWEEN %s AND %s "
            "GROUP BY it.incident_id) lb ON lb.incident_id = i.id "
        )
    else:
        labels_join = ""
        labels = (
            f"(SELECT group_concat(piece, '') FROM (SELECT {term_labels} AS piece "
            f"FROM {t['types']} it JOIN {t['term']} tm ON tm.id = it.term_id "
            f"WHERE it.incident_id = i.id ORDER BY it.term_id))"
        )
    body = " || ".join(
        [part("i.title"), part("i.description"), part("i.place_name"), f"COALESCE({labels}, '')"]
    )
    names = " || ".join([part("i.title", "' '"), part("i.place_name", "' '")])
    has_evidence = (
        f"(EXISTS (SELECT 1 FROM {t['ev_incidents']} ei WHERE ei.incident_id = i.id) OR "
        f"EXISTS (SELECT 1 FROM {t['ev_acts']} ea JOIN {t['act']} a ON a.id = ea.act_id "
        "WHERE a.incident_id = i.id))"
    )
    has_suspect = (
        f"EXISTS (SELECT 1 FROM {t['involvement']} v JOIN {t['act']} a ON a.id = v.act_id "
        "WHERE a.incident_id = i.id)"
    )
    docs_in_run = "d.kind = 'incident' AND d.object_id BETWEEN %s AND %s"
    delete_tags = (
        f"DELETE FROM {t['tag']} WHERE doc_id IN "
        f"(SELECT d.id FROM {t['doc']} d WHERE {docs_in_run})"
    )
    delete_docs = f"DELETE FROM {t['doc']} WHERE kind = 'incident' AND object_id BETWEEN %s AND %s"
    insert_docs = (
        f"INSERT INTO {t['doc']} (kind, object_id, compartment_id, title, body, names, "
        '"start", "end", place, status, verification, has_evidence, has_suspect) '
        f"SELECT 'incident', i.id, i.compartment_id, substr(i.title, 1, {MAX_TITLE}), "
        f"substr(substr({body}, 2), 1, {MAX_BODY_CHARS}), "
        f"substr(substr({names}, 2), 1, {MAX_NAMES}), "
        f'i."start", i."end", substr(i.place_name, 1, {MAX_TITLE}), i.status, i.verification, '
        f"{has_evidence}, {has_suspect} "
        f"FROM {t['incident']} i {labels_join}WHERE i.id BETWEEN %s AND %s ORDER BY i.id"
    )
    insert_violations = (
        f"INSERT INTO {t['tag']} (doc_id, facet, value) "
        f"SELECT DISTINCT d.id, 'violation', tm.code FROM {t['doc']} d "
        f"JOIN {t['types']} it ON it.incident_id = d.object_id "
        f"JOIN {t['term']} tm ON tm.id = it.term_id WHERE {docs_in_run}"
    )
    insert_units = (
        f"INSERT INTO {t['tag']} (doc_id, facet, value) "
        f"SELECT DISTINCT d.id, 'unit', CAST(p.unit_id AS {'text' if pg else 'TEXT'}) "
        f"FROM {t['doc']} d JOIN {t['act']} a ON a.incident_id = d.object_id "
        f"JOIN {t['involvement']} v ON v.act_id = a.id "
        f"JOIN {t['post']} p ON p.person_id = v.person_id WHERE {docs_in_run}"
    )
    return delete_tags, delete_docs, insert_docs, insert_violations, insert_units


def index_incidents(ids: Iterable[int]) -> int:
    """Bring the documents of these incidents up to date in the database, like
    ``index_records("incident", ids)``: rebuilt if the incident exists, removed if not.
    Call inside a transaction. Returns the number of documents written."""
    statements = _statements(connection.vendor)
    delete_tags, delete_docs, insert_docs, insert_violations, insert_units = statements
    written = 0
    with connection.cursor() as cur:
        for first, last in runs(ids):
            cur.execute(delete_tags, [first, last])
            cur.execute(delete_docs, [first, last])
            cur.execute(insert_docs, [first, last] * (insert_docs.count("%s") // 2))
            written += max(cur.rowcount, 0)
            cur.execute(insert_violations, [first, last])
            cur.execute(insert_units, [first, last])
    return written
