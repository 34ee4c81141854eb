"""Bulk import fast path (_bulk.py) and `crimebook import --bulk` with the parse in a second
process: the same records as service mode, all or nothing, exact error lines, a batch
digest that can be recomputed from the database."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from typer.testing import CliRunner

from crimebook.audit.models import AuditEntry
from crimebook.audit.selectors import audit_chain_verify
from crimebook.cli.app import app
from crimebook.interchange import _bulk
from crimebook.interchange.formats import csvio
from crimebook.interchange.imports import ImportOptions, records_import
from crimebook.register.models import Incident

runner = CliRunner()
HEADER = "external_id,title,start,end,precision,latitude,longitude,radius_m,violation_types\r\n"
FIELDS = (
    "external_id", "title", "start", "end", "precision", "latitude", "longitude", "radius_m",
    "status", "verification", "confidentiality",
)  # fmt: skip


def _rows(count: int) -> str:
    return "".join(
        f"k-{i},Задержание {i},2020-08-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}+03:00,,"
        f"{'hour' if i % 2 else ''},53.{i:04d},27.5,{i % 900},"
        f"{'torture;arbitrary_detention' if i % 3 == 0 else 'torture'}\r\n"
        for i in range(count)
    )


def _import(text: str, compartment: Any, **kw: Any) -> Any:
    return records_import(
        actor=None,
        kind="incidents",
        rows=csvio.read_records(io.StringIO(text, newline=""), "incidents"),
        options=ImportOptions(compartment_id=compartment.pk, **kw),
        on_error=lambda row: pytest.fail(f"unexpected error {row}"),
    )


def _snapshot() -> list[tuple[Any, ...]]:
    out = []
    for inc in Incident.objects.order_by("external_id").prefetch_related("violation_types"):
        values = tuple(getattr(inc, name) for name in FIELDS)
        out.append((*values, sorted(t.code for t in inc.violation_types.all())))
    return out


@pytest.mark.django_db
def test_bulk_writes_what_the_services_write(compartment: Any) -> None:
    # GIVEN the same rows imported through the services and through the bulk path
    text = HEADER + _rows(60)
    assert _import(text, compartment).created == 60
    by_service = _snapshot()
    Incident.objects.all().delete()
    summary = _import(text, compartment, bulk=True, batch_size=7)
    # THEN the stored records are identical, uuids are version 4 and unique
    assert summary.created == 60 and summary.committed
    assert _snapshot() == by_service
    uuids = list(Incident.objects.values_list("uuid", flat=True))
    assert len(set(uuids)) == 60 and {u.version for u in uuids} == {4}
    assert all(i.created_at is not None and i.created_at.tzinfo for i in Incident.objects.all())
    assert audit_chain_verify().ok


@pytest.mark.django_db
def test_batch_digest_can_be_recomputed_from_the_database(compartment: Any) -> None:
    _import(HEADER + _rows(12), compartment, bulk=True, batch_size=5)
    text = _bulk.UtcText()
    through = Incident.violation_types.through
    entries = AuditEntry.objects.filter(action="import").exclude(object_id="*").order_by("seq")
    assert entries.count() == 3
    for entry in entries:
        ids = [pk for pk, _ in _bulk.created_ids(entry.changes)]
        rows = []
        for inc in Incident.objects.filter(pk__in=ids).order_by("pk"):
            values = []
            for column in _bulk.INCIDENT_COLUMNS:
                value = getattr(inc, "end" if column == "end" else column)
                if isinstance(value, datetime):
                    value = text(value)
                elif isinstance(value, uuid.UUID):
                    value = value.hex
                values.append(value)
            rows.append(tuple(values))
        types = list(
            through.objects.filter(incident_id__in=ids)
            .order_by("incident_id", "id")
            .values_list("incident_id", "term_id")
        )
        assert _bulk.batch_digest(rows, types, []) == entry.changes["rows_sha256"]


@pytest.mark.django_db
def test_utc_text_is_what_django_stores() -> None:
    moment = datetime(2020, 8, 10, 19, 30, 5, 123456, tzinfo=UTC)
    text = _bulk.UtcText()
    assert text(moment) == "2020-08-10 19:30:05.123456"
    assert text(None) is None
    if connection.vendor == "sqlite":
        assert text(moment) == connection.ops.adapt_datetimefield_value(moment)
    with pytest.raises(ValueError, match="naive"):
        text(datetime(2020, 1, 1))


def test_uuid4_hex_sets_version_and_variant() -> None:
    values = _bulk.uuid4_hex(2000)
    assert len(set(values)) == 2000 and _bulk.uuid4_hex(0) == []
    for value in values:
        parsed = uuid.UUID(hex=value)
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122 and parsed.hex == value


def _cli(*args: str) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.mark.django_db
def test_cli_bulk_import_parses_in_a_worker_and_reports_exact_lines(
    compartment: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from crimebook.interchange.formats import worker

    used: list[bool] = []
    real = worker.rows_in_worker

    def spy(*args: Any, **kw: Any) -> Any:
        used.append(True)
        return real(*args, **kw)

    monkeypatch.setattr(worker, "parallel_parse_useful", lambda: True)
    monkeypatch.setattr(worker, "rows_in_worker", spy)
    # GIVEN a file whose rows 1500 and 2800 are wrong (bad date, swapped coordinates)
    lines = _rows(3000).splitlines(keepends=True)
    lines[1498] = "k-bad1,Bad date,31.02.2020,,,,,,torture\r\n"
    lines[2798] = "k-bad2,Swapped,2020,,,27.5,53.9,,torture\r\n"
    path = tmp_path / "big.csv"
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    # WHEN it is imported in bulk
    result = _cli("import", str(path), "--compartment", "Case A", "--bulk", "--region", "belarus")
    # THEN both rows are reported with their file lines and nothing is imported
    assert used and result.exit_code == 1, result.output
    report = (tmp_path / "big.csv.errors.csv").read_text(encoding="utf-8")
    assert "incidents,1500,k-bad1,start" in report
    assert "incidents,2800,k-bad2,latitude" in report and "swapped" in report
    assert not Incident.objects.exists()
    # WHEN the rows are fixed, THEN everything is imported in batches
    lines[1498] = "k-bad1,Fixed,2020,,,,,,torture\r\n"
    lines[2798] = "k-bad2,Fixed,2020,,,53.9,27.5,,torture\r\n"
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    result = _cli("import", str(path), "--compartment", "Case A", "--bulk", "--batch-size", "1000")
    assert result.exit_code == 0, result.output
    assert Incident.objects.count() == 3000
    assert AuditEntry.objects.filter(action="import").exclude(object_id="*").count() == 3


@pytest.mark.django_db
def test_cli_bulk_refuses_a_silly_batch_size(compartment: Any, tmp_path: Path) -> None:
    path = tmp_path / "one.csv"
    path.write_text(HEADER + _rows(1), encoding="utf-8")
    result = _cli("import", str(path), "--compartment", "Case A", "--bulk", "--batch-size", "0")
    assert result.exit_code != 0 and "--batch-size" in result.output
    assert not Incident.objects.exists()


def test_id_ranges_round_trip() -> None:
    assert _bulk.id_ranges([]) == []
    assert _bulk.id_ranges([4, 5, 6, 9, 11, 12]) == [[4, 6], [9, 9], [11, 12]]
    changes = {"ids": [[4, 6], [9, 9]], "external_ids": ["a", None, "c", "d"]}
    assert _bulk.created_ids(changes) == [(4, "a"), (5, None), (6, "c"), (9, "d")]
    with pytest.raises(ValueError, match=r"shorter|longer"):
        _bulk.created_ids({"ids": [[1, 3]], "external_ids": ["a"]})


@pytest.mark.django_db
def test_a_large_bulk_import_refreshes_the_planner_statistics(
    compartment: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from crimebook.interchange import imports

    # GIVEN a threshold of 20 rows (50,000 in production) and a bulk import of 25
    monkeypatch.setattr(imports, "ANALYZE_AFTER_ROWS", 20)
    table = Incident._meta.db_table
    _import(HEADER + _rows(25), compartment, bulk=True)
    # THEN the planner knows the table's size
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s", [table])
            stats = [row[0] for row in cursor.fetchall()]
            assert stats and all(stat.split()[0] == "25" for stat in stats)
        else:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
            assert cursor.fetchone()[0] == 25


@pytest.mark.django_db
def test_a_small_bulk_import_leaves_the_statistics_alone(
    compartment: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from crimebook.interchange import imports

    calls: list[int] = []
    monkeypatch.setattr(imports, "refresh_planner_statistics", lambda: calls.append(1))
    _import(HEADER + _rows(5), compartment, bulk=True)
    assert calls == []


@pytest.mark.django_db
def test_packed_rows_get_the_same_errors_and_records_as_parsed_ones(compartment: Any) -> None:
    from crimebook.interchange import _packed
    from crimebook.interchange.formats.records import IncidentRecord, RowError, RowOk

    def run(rows: list[Any], **kw: Any) -> tuple[Any, list[RowError]]:
        errors: list[RowError] = []
        summary = records_import(
            actor=None,
            kind="incidents",
            rows=rows,
            options=ImportOptions(compartment_id=compartment.pk, bulk=True, **kw),
            on_error=errors.append,
        )
        return summary, errors

    # GIVEN records the register's rules reject (no parser ran its checks) and a duplicate
    good = RowOk(2, IncidentRecord(title="Ok", external_id="p-1", violation_types=("torture",)))
    rows = [
        good,
        RowOk(3, IncidentRecord(title="Far", external_id="p-2", latitude=95.0, longitude=27.5)),
        RowOk(4, IncidentRecord(title="Neg", radius_m=-5.0, violation_types=("nonsense",))),
        RowOk(5, IncidentRecord(title="Again", external_id="p-1", latitude=99.0, longitude=1.0)),
    ]
    # WHEN imported as records and as rows packed by the parse process
    as_records = run(rows)
    as_packed = run(list(_packed.packed_rows(rows)))
    # THEN the same rows are rejected with the same messages, and nothing is written
    assert as_records[1] == as_packed[1]
    assert [e.line for e in as_packed[1]] == [3, 4, 5]
    assert as_packed[1][1].errors == {
        "radius_m": ["The uncertainty radius cannot be negative (-5.0)."],
        "violation_types": ["Unknown violation type: 'nonsense'."],
    }
    assert "repeats line 2" in as_packed[1][2].errors["external_id"][0]
    assert not as_packed[0].committed and not Incident.objects.exists()
    # WHEN only good rows are packed, THEN they are written as the records would be
    summary, errors = run(list(_packed.packed_rows([good])), batch_size=1)
    assert summary.committed and not errors
    assert Incident.objects.get().violation_types.get().code == "torture"
