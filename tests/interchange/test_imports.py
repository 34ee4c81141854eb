"""Imports through the register services: all or nothing, dry runs, duplicates by external
id, bulk mode with audit per batch, and the command line end to end."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from crimebook.audit.models import AuditEntry
from crimebook.audit.selectors import audit_chain_verify
from crimebook.cli.app import app
from crimebook.interchange._bulk import created_ids
from crimebook.interchange.formats import csvio
from crimebook.interchange.formats.records import RowError
from crimebook.interchange.imports import ImportOptions, records_import
from crimebook.register.models import Incident, Source
from tests import factories as f

runner = CliRunner()
HEADER = "external_id,title,start,latitude,longitude,violation_types,source_refs\r\n"
GOOD = HEADER + "a-1,Beating,10.08.2020 22:30,53.9,27.5,torture,\r\na-2,Detention,08.2020,,,,\r\n"


def _import(
    text: str, compartment: Any, actor: Any = None, **kw: Any
) -> tuple[Any, list[RowError]]:
    errors: list[RowError] = []
    rows = csvio.read_records(io.StringIO(text, newline=""), "incidents")
    summary = records_import(
        actor=actor,
        kind="incidents",
        rows=rows,
        options=ImportOptions(compartment_id=compartment.pk, **kw),
        on_error=errors.append,
    )
    return summary, errors


@pytest.mark.django_db
@pytest.mark.parametrize("bulk", [False, True])
def test_good_file_is_imported_with_precision_kept(
    compartment: Any, investigator: Any, bulk: bool
) -> None:
    summary, errors = _import(GOOD, compartment, investigator, bulk=bulk)
    assert errors == []
    assert summary.committed and summary.created == 2
    beating = Incident.objects.get(external_id="a-1")
    assert beating.precision == "minute"
    assert [t.code for t in beating.violation_types.all()] == ["torture"]
    assert beating.created_by_id == investigator.pk
    month = Incident.objects.get(external_id="a-2")
    assert month.precision == "range"
    assert (month.end - month.start).days == 30
    assert audit_chain_verify().ok


@pytest.mark.django_db
@pytest.mark.parametrize("bulk", [False, True])
def test_a_failed_import_changes_nothing(compartment: Any, bulk: bool) -> None:
    f.incident(compartment, external_id="before")
    incidents, audit = Incident.objects.count(), AuditEntry.objects.count()
    bad = (
        GOOD
        + "a-3,Bad,31.02.2020,,,,\r\na-4,Bad place,,95,27.5,,\r\na-5,Bad term,,,,no_such_term,\r\n"
    )
    summary, errors = _import(bad, compartment, bulk=bulk)
    assert not summary.committed
    assert summary.rejected == 3
    assert [e.line for e in errors] == [4, 5, 6]
    assert "day is out of range" in errors[0].errors["start"][0]
    assert "no_such_term" in errors[2].errors["violation_types"][0]
    assert Incident.objects.count() == incidents
    assert AuditEntry.objects.count() == audit


@pytest.mark.django_db
def test_dry_run_validates_with_the_services_and_writes_nothing(compartment: Any) -> None:
    summary, errors = _import(GOOD, compartment, dry_run=True)
    assert errors == [] and summary.created == 2 and not summary.committed
    assert not Incident.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("bulk", [False, True])
def test_reimport_skips_by_default_and_updates_when_asked(compartment: Any, bulk: bool) -> None:
    _import(GOOD, compartment, bulk=bulk)
    again, _ = _import(GOOD, compartment, bulk=bulk)
    assert (again.created, again.skipped, again.committed) == (0, 2, True)
    assert Incident.objects.count() == 2
    changed = GOOD.replace("Beating", "Beating (corrected)")
    upd, errors = _import(changed, compartment, on_duplicate="update", bulk=bulk)
    assert errors == [] and upd.updated == 2
    assert Incident.objects.get(external_id="a-1").title == "Beating (corrected)"


@pytest.mark.django_db
@pytest.mark.parametrize("bulk", [False, True])
def test_same_external_id_twice_in_a_file_is_an_error(compartment: Any, bulk: bool) -> None:
    text = HEADER + "x,One,,,,,\r\nx,Two,,,,,\r\n"
    summary, errors = _import(text, compartment, bulk=bulk)
    assert summary.rejected == 1 and errors[0].line == 3
    assert not Incident.objects.exists()


@pytest.mark.django_db
def test_bulk_mode_writes_one_audit_entry_per_batch(compartment: Any) -> None:
    text = HEADER + "".join(f"b-{i},T{i},2020,,,torture,\r\n" for i in range(25))
    summary, _ = _import(text, compartment, bulk=True, batch_size=10)
    assert summary.created == 25
    batches = AuditEntry.objects.filter(action="import", object_type="register.incident").exclude(
        object_id="*"
    )
    assert batches.count() == 3
    listed = [ext for entry in batches for _, ext in created_ids(entry.changes)]
    assert sorted(listed) == sorted(f"b-{i}" for i in range(25))
    assert Incident.objects.filter(violation_types__code="torture").count() == 25


@pytest.mark.django_db
def test_reader_cannot_import_and_mallory_cannot_see_the_compartment(
    compartment: Any, reader: Any, mallory: Any
) -> None:
    from crimebook.core.errors import NotFound, PermissionDenied

    with pytest.raises(PermissionDenied):
        _import(GOOD, compartment, reader)
    with pytest.raises(NotFound):
        _import(GOOD, compartment, mallory)
    assert not Incident.objects.exists()


@pytest.mark.django_db
def test_source_refs_resolve_in_the_compartment_only(
    compartment: Any, other_compartment: Any
) -> None:
    f.source(compartment, external_id="s-here")
    f.source(other_compartment, external_id="s-there")
    ok, _ = _import(HEADER + "r1,One,,,,,s-here\r\n", compartment)
    assert ok.committed
    assert [s.external_id for s in Incident.objects.get(external_id="r1").sources.all()] == [
        "s-here"
    ]
    bad, errors = _import(HEADER + "r2,Two,,,,,s-there\r\n", compartment)
    assert not bad.committed and "s-there" in errors[0].errors["source_refs"][0]


# --- command line -------------------------------------------------------------------------


def _cli(*args: str) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.mark.django_db
def test_cli_imports_a_cp1251_semicolon_file_with_a_mapping(
    compartment: Any, tmp_path: Path
) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(
        "Название;Дата;Широта;Долгота\r\nИзбиение у метро;10.08.2020 22:30;53,9;27,5\r\n".encode(
            "cp1251"
        )
    )
    result = _cli("import", str(path), "--compartment", "Case A", "--map", "Название=title",
                  "--map", "Дата=start", "--map", "Широта=latitude", "--map", "Долгота=longitude",
                  "--region", "belarus")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "1 created" in result.output
    assert Incident.objects.get().title == "Избиение у метро"


@pytest.mark.django_db
def test_cli_refuses_a_bad_mapping_as_the_import_page_does(
    compartment: Any, tmp_path: Path
) -> None:
    # GIVEN a file; WHEN --map names a field the kind lacks and maps a column twice
    path = tmp_path / "excel.csv"
    path.write_text("Название;Дата\r\nИзбиение;10.08.2020\r\n", encoding="utf-8")
    result = _cli("import", str(path), "--compartment", "Case A", "--map", "Название=titel",
                  "--map", "Дата=start", "--map", "дата=end", "--map", "nonsense")  # fmt: skip
    # THEN the shared parser's messages name each line, and nothing is imported
    assert result.exit_code != 0
    assert "titel is not a field of this kind" in result.output
    assert "already mapped on line 2" in result.output
    assert "Line 4 (nonsense)" in result.output
    assert not Incident.objects.exists()


@pytest.mark.django_db
def test_cli_writes_an_error_report_and_imports_nothing(compartment: Any, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "a,ok,,,,,\r\nb,swapped,,27.5,53.9,,\r\n", encoding="utf-8")
    result = _cli("import", str(path), "--compartment", "Case A", "--region", "belarus")
    assert result.exit_code == 1
    report = (tmp_path / "bad.csv.errors.csv").read_text(encoding="utf-8")
    assert "incidents,3,b,latitude" in report and "look swapped" in report
    assert "nothing was imported" in result.output
    assert not Incident.objects.exists()


@pytest.mark.django_db
def test_cli_rejects_missing_columns_and_json_bombs(compartment: Any, tmp_path: Path) -> None:
    path = tmp_path / "cols.csv"
    path.write_text("name,when\r\nx,2020\r\n", encoding="utf-8")
    result = _cli("import", str(path), "--compartment", "Case A")
    assert result.exit_code == 1
    assert "missing required column(s): title" in result.output
    bomb = tmp_path / "bomb.geojson"
    bomb.write_bytes(
        b'{"type": "FeatureCollection", "features": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"
    )
    result = _cli("import", str(bomb), "--compartment", "Case A")
    assert result.exit_code == 1 and "nests deeper" in result.output


@pytest.mark.django_db
def test_cli_template_and_geojson_import(compartment: Any, tmp_path: Path) -> None:
    result = _cli("import", "--template", "incidents")
    assert result.output.startswith("external_id,title,")
    path = tmp_path / "t.csv"
    path.write_text(result.output, encoding="utf-8")
    assert _cli("import", str(path), "--compartment", "Case A", "--dry-run").exit_code == 0
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [27.5, 53.9]},
         "properties": {"title": "From a map", "start": "2020-08-10", "external_id": "g-1"}}]}  # fmt: skip
    geo = tmp_path / "m.geojson"
    geo.write_text(json.dumps(fc), encoding="utf-8")
    result = _cli("import", str(geo), "--compartment", "Case A")
    assert result.exit_code == 0, result.output
    assert Incident.objects.get(external_id="g-1").latitude == 53.9


@pytest.mark.django_db
def test_cli_timemap_import_creates_sources_with_urls(compartment: Any, tmp_path: Path) -> None:
    doc = {"events": [{"id": "tm-1", "description": "Detained near the stela", "date": "8/11/2020",
                       "latitude": "53.93", "longitude": "27.63", "associations": ["torture"], "sources": ["v1"]}],
           "sources": [{"id": "v1", "title": "Video", "paths": ["https://example.org/v1"]}],
           "associations": [{"id": "torture", "title": "Torture", "mode": "FILTER"}]}  # fmt: skip
    path = tmp_path / "tm.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = _cli("import", str(path), "--format", "timemap", "--compartment", "Case A")
    assert result.exit_code == 0, result.output
    incident = Incident.objects.get(external_id="tm-1")
    assert incident.precision == "day"
    assert [s.url for s in incident.sources.all()] == ["https://example.org/v1"]
    assert Source.objects.get(external_id="v1").kind == "open_source"


def test_pure_choice_lists_match_the_models() -> None:
    from crimebook.interchange.formats import records
    from crimebook.register.models import Precision

    assert tuple(Precision.values) == records.PRECISIONS
    assert tuple(Incident.Status.values) == records.STATUSES
    assert tuple(Incident.Verification.values) == records.VERIFICATIONS
    assert (
        tuple(
            c
            for c, _ in Incident._meta.get_field("confidentiality").choices  # type: ignore[misc, union-attr]
        )
        == records.CONFIDENTIALITIES
    )
    assert tuple(Source.Kind.values) == records.SOURCE_KINDS


@pytest.mark.django_db
@pytest.mark.parametrize("bulk", [False, True])
def test_external_id_of_another_compartment_is_rejected_not_skipped(
    compartment: Any, other_compartment: Any, bulk: bool
) -> None:
    f.incident(other_compartment, external_id="a-1", title="Theirs")
    summary, errors = _import(GOOD, compartment, bulk=bulk)
    assert not summary.committed and summary.skipped == 0
    assert "outside this compartment" in errors[0].errors["external_id"][0]
    assert Incident.objects.get(external_id="a-1").title == "Theirs"


@pytest.mark.parametrize("argv", [["import"], ["export"]])
def test_commands_have_help(argv: list[str]) -> None:
    result = runner.invoke(app, [*argv, "--help"])
    assert result.exit_code == 0 and "Usage" in result.output


@pytest.mark.django_db
def test_update_keeps_links_the_file_cannot_carry(compartment: Any) -> None:
    source = f.source(compartment, external_id="s-1")
    witness = f.person(compartment, is_witness=True)
    f.incident(compartment, external_id="a-1", source_ids=(source.pk,), witness_ids=(witness.pk,))
    summary, errors = _import(GOOD, compartment, on_duplicate="update")
    assert errors == [] and summary.updated == 1 and summary.created == 1
    incident = Incident.objects.get(external_id="a-1")
    assert incident.title == "Beating"
    assert list(incident.sources.all()) == [source]
    assert list(incident.witnesses.all()) == [witness]


@pytest.mark.django_db
def test_cli_missing_file_and_unknown_compartment(compartment: Any, tmp_path: Path) -> None:
    missing = _cli("import", str(tmp_path / "nope.csv"), "--compartment", "Case A")
    assert missing.exit_code == 1 and "no such file" in missing.output
    path = tmp_path / "x.csv"
    path.write_text(GOOD, encoding="utf-8")
    unknown = _cli("import", str(path), "--compartment", "Case Z")
    assert unknown.exit_code == 1 and "no compartment named" in unknown.output


@pytest.mark.django_db
def test_a_rejected_source_in_a_full_json_document_does_not_fail_every_incident(
    compartment: Any,
) -> None:
    # GIVEN a full JSON document whose second source is invalid (credibility 9)
    from crimebook.interchange.formats import fulljson
    from crimebook.interchange.imports import bundle_import

    def source(ext: str, credibility: int) -> dict[str, Any]:
        return {"external_id": ext, "title": ext, "kind": "media", "credibility": credibility}

    def incident(ext: str, ref: str) -> dict[str, Any]:
        return {"external_id": ext, "title": ext, "source_refs": [ref]}

    doc = {"format": "crimebook-interchange", "version": 1,
           "sources": [source("s-good", 2), source("s-bad", 9)],
           "incidents": [incident("i-1", "s-good"), incident("i-2", "s-good"),
                         incident("i-3", "s-bad")]}  # fmt: skip
    sources, incidents = fulljson.read_document(io.BytesIO(json.dumps(doc).encode()))
    counts = Incident.objects.count(), Source.objects.count(), AuditEntry.objects.count()
    errors: list[tuple[str, RowError]] = []
    # WHEN it is imported
    src, inc = bundle_import(
        actor=None,
        sources=sources,
        incidents=incidents,
        options=ImportOptions(compartment_id=compartment.pk),
        on_error=lambda part, row: errors.append((part, row)),
    )
    # THEN only the bad source and the incident citing it are reported (the incidents citing
    # the good source are checked against it), and nothing is written
    assert [(part, row.line, sorted(row.errors)) for part, row in errors] == [
        ("sources", 2, ["credibility"]),
        ("incidents", 3, ["source_refs"]),
    ]
    assert (src.created, src.rejected, inc.created, inc.rejected) == (1, 1, 2, 1)
    assert not src.committed and not inc.committed
    assert (Incident.objects.count(), Source.objects.count(), AuditEntry.objects.count()) == counts
