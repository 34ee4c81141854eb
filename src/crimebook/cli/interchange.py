"""``crimebook import`` and ``crimebook export``: parse options, call one interchange
service, print a summary. Formats and rules: docs/import-schema.md."""

from __future__ import annotations

import csv
import os
import sys
from collections.abc import Iterable
from contextlib import ExitStack
from functools import partial
from pathlib import Path
from typing import IO, Annotated, Any, Literal, TextIO, cast

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from crimebook.accounts.models import Compartment, User
from crimebook.cli._common import console, err, fail
from crimebook.core.errors import NotFound, PermissionDenied
from crimebook.interchange._packed import PackedIncident, packed_csv_source
from crimebook.interchange.exports import incidents_export, persons_export
from crimebook.interchange.formats import csvio, fulljson, geojson, timemap, worker, xlsx
from crimebook.interchange.formats.csvio import FileProblem
from crimebook.interchange.formats.encoding import EncodingProblem, open_text
from crimebook.interchange.formats.jsonsafe import JsonProblem
from crimebook.interchange.formats.records import REGIONS, CsvOptions, Row, RowError
from crimebook.interchange.imports import (
    ImportOptions,
    ImportSummary,
    bundle_import,
    records_import,
)
from crimebook.interchange.mapping import MappingError, parse_mapping
from crimebook.register.consent import Use
from crimebook.register.disclosure import DisclosureError, Rule
from crimebook.register.models import Term

FORMATS = ("csv", "geojson", "json", "timemap")


def _user(name: str | None) -> User | None:
    if name is None:
        return None
    user = User.objects.filter(username=name, is_active=True).first()
    if user is None:
        fail(f"no active user named {name!r}")
    return user


def _format(path: Path, fmt: str) -> str:
    if fmt != "auto":
        if fmt not in (*FORMATS, "xlsx"):
            fail(f"--format must be one of xlsx, {', '.join(FORMATS)}")
        return fmt
    suffix = path.suffix.lower()
    known = {".csv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".geojson": "geojson", ".json": "json"}
    return known.get(suffix) or fail(f"cannot tell the format of {path.name}; pass --format")


class _ErrorReport:
    """CSV of rejected rows: line, external id, field, message (one line per message).
    Opened on the first error only."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle: IO[str] | None = None
        self.writer: Any = None
        self.count = 0

    def add(self, part: str, row: RowError) -> None:
        if self.handle is None:
            self.handle = self.path.open("w", encoding="utf-8", newline="")
            self.writer = csv.writer(self.handle)
            self.writer.writerow(["part", "line", "external_id", "field", "message"])
        self.count += 1
        for name, messages in row.errors.items():
            for message in messages:
                self.writer.writerow(
                    [
                        csvio.neutralise(x)
                        for x in (part, str(row.line), row.external_id or "", name, message)
                    ]
                )

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()


def _print_summary(summaries: list[ImportSummary], report: _ErrorReport) -> None:
    for s in summaries:
        console.print(
            f"{s.kind}: {s.rows} rows read, {s.created} created, {s.updated} updated, "
            f"{s.skipped} skipped (already imported), {s.rejected} rejected"
        )
        for note in s.notes:
            console.print(f"  note: {note}")
    committed = all(s.committed for s in summaries)
    if report.count:
        err.print(f"[bold red]{report.count} row(s) rejected[/]; see {report.path}")
    if committed:
        console.print("[green]imported[/]: committed in one transaction")
    elif summaries and summaries[0].dry_run and not report.count:
        console.print("[yellow]dry run[/]: every row is valid; nothing was written")
    else:
        console.print("[yellow]nothing was imported[/] (all or nothing)")


def import_(
    file: Annotated[
        Path | None, typer.Argument(help="File to import (CSV, XLSX, GeoJSON, JSON).")
    ] = None,
    template: Annotated[
        str | None,
        typer.Option(help="Print a CSV template (any --kind) and exit."),
    ] = None,
    kind: Annotated[
        str,
        typer.Option(
            help="incidents, sources, persons, units, acts, posts, deployments (CSV/XLSX)."
        ),
    ] = "incidents",
    fmt: Annotated[
        str,
        typer.Option(
            "--format", help="csv, xlsx, geojson, json (full), timemap; default by suffix."
        ),
    ] = "auto",
    compartment: Annotated[str | None, typer.Option(help="Compartment to import into.")] = None,
    as_user: Annotated[
        str | None, typer.Option("--as", help="Import as this user (default: the system).")
    ] = None,
    mapping: Annotated[
        list[str] | None, typer.Option("--map", help="'Header in file=column' (repeatable).")
    ] = None,
    dry_run: Annotated[bool, typer.Option(help="Validate everything, write nothing.")] = False,
    us_dates: Annotated[bool, typer.Option(help="Slash dates are month first.")] = False,
    region: Annotated[
        str, typer.Option(help=f"Declared region: {', '.join(REGIONS)} or none.")
    ] = "none",
    on_duplicate: Annotated[
        str, typer.Option(help="Known external id: skip (default) or update.")
    ] = "skip",
    bulk: Annotated[
        bool, typer.Option(help="Fast path: bulk inserts, one audit entry per batch.")
    ] = False,
    batch_size: Annotated[int, typer.Option(help="Rows per bulk batch.")] = 5000,
    ignore_extra: Annotated[bool, typer.Option(help="Ignore unknown columns.")] = False,
    encoding: Annotated[
        str | None, typer.Option(help="Force an encoding (default: detect UTF-8 / Windows-1251).")
    ] = None,
    errors: Annotated[
        Path | None, typer.Option(help="Error report (CSV); default FILE.errors.csv.")
    ] = None,
    max_json_mb: Annotated[int, typer.Option(help="Size cap for JSON documents (MiB).")] = 512,
) -> None:
    """Import incidents or sources; all or nothing, with an error report of every rejected row."""
    if template is not None:
        if template not in csvio.SCHEMAS:
            fail(f"--template must be one of {', '.join(csvio.SCHEMAS)}")
        sys.stdout.write(csvio.template(template))
        return
    if file is None:
        fail("give a FILE to import (or --template incidents)")
    if not file.is_file():
        fail(f"{file}: no such file")
    if compartment is None:
        fail("--compartment is required")
    found = Compartment.objects.filter(name=compartment).first()
    if found is None:
        fail(f"no compartment named {compartment!r}")
    if kind not in csvio.SCHEMAS:
        fail(f"--kind must be one of {', '.join(csvio.SCHEMAS)}")
    if not 1 <= batch_size <= 100_000:
        fail("--batch-size must be 1 … 100000")
    if on_duplicate not in ("skip", "update"):
        fail("--on-duplicate must be skip or update")
    if region != "none" and region not in REGIONS:
        fail(f"--region must be one of {', '.join(REGIONS)} or none")
    try:
        pairs = parse_mapping(
            mapping or [], "incidents" if _format(file, fmt) == "geojson" else kind
        )
    except MappingError as exc:
        fail("--map: " + " ".join(exc.problems))
    actor = _user(as_user)
    chosen = _format(file, fmt)
    options = ImportOptions(
        compartment_id=found.pk,
        dry_run=dry_run,
        on_duplicate=cast(Literal["skip", "update"], on_duplicate),
        bulk=bulk,
        batch_size=batch_size,
    )
    csv_opts = CsvOptions(
        mapping=pairs,
        us_dates=us_dates,
        region=REGIONS.get(region),
        ignore_extra=ignore_extra,
    )
    report = _ErrorReport(errors or file.with_name(file.name + ".errors.csv"))
    if report.path.exists():
        report.path.unlink()
    caps = {"max_bytes": max_json_mb * 1024 * 1024}
    summaries: list[ImportSummary] = []
    try:
        with ExitStack() as stack:
            raw = stack.enter_context(file.open("rb"))
            progress = stack.enter_context(
                Progress(
                    TextColumn("{task.description}"),
                    BarColumn(),
                    TextColumn("{task.fields[rows]} rows"),
                    TimeElapsedColumn(),
                    console=err,
                    transient=True,
                )
            )
            task = progress.add_task(f"importing {file.name}", total=os.path.getsize(file), rows=0)

            position = raw.tell

            def tick(rows: int) -> None:
                if rows % 500 == 0:
                    progress.update(task, completed=position(), rows=rows)

            if chosen in ("csv", "xlsx"):
                if chosen == "xlsx":
                    rows: Iterable[Row | PackedIncident] = xlsx.read_workbook(raw, kind, csv_opts)
                elif bulk and kind == "incidents" and worker.parallel_parse_useful():
                    # the parse runs in a second process beside the database writer
                    parsed = stack.enter_context(
                        worker.rows_in_worker(
                            partial(packed_csv_source, str(file), kind, csv_opts, encoding)
                        )
                    )
                    rows, position = parsed, lambda: parsed.position
                else:
                    text, _enc = open_text(raw, encoding)
                    rows = csvio.read_records(text, kind, csv_opts)
                summaries.append(
                    records_import(
                        actor=actor,
                        kind=cast(
                            Literal["incidents", "sources", "persons", "units", "acts"], kind
                        ),
                        rows=rows,
                        options=options,
                        on_error=lambda row: report.add(kind, row),
                        on_progress=tick,
                    )
                )
            elif chosen == "geojson":
                rows = geojson.read_features(raw, csv_opts, **caps)
                summaries.append(
                    records_import(
                        actor=actor,
                        kind="incidents",
                        rows=rows,
                        options=options,
                        on_error=lambda row: report.add("features", row),
                        on_progress=tick,
                    )
                )
            else:
                if chosen == "json":
                    src_rows, inc_rows = fulljson.read_document(raw, **caps)
                    notes: list[str] = []
                else:
                    known = set(
                        Term.objects.filter(vocabulary__code="violation_type").values_list(
                            "code", flat=True
                        )
                    )
                    src_rows, inc_rows, notes = timemap.read_timemap(
                        raw,
                        known_terms=known,
                        region=REGIONS.get(region),
                        max_bytes=caps["max_bytes"],
                    )
                summaries.extend(
                    bundle_import(
                        actor=actor,
                        sources=src_rows,
                        incidents=inc_rows,
                        options=options,
                        on_error=report.add,
                        on_progress=tick,
                        notes=notes,
                    )
                )
    except (FileProblem, EncodingProblem, JsonProblem, worker.WorkerFailed) as exc:
        report.close()
        fail(f"{file.name}: {exc} Nothing was imported.")
    except (NotFound, PermissionDenied) as exc:
        report.close()
        fail(f"you may not write to compartment {compartment!r} ({exc})")
    report.close()
    _print_summary(summaries, report)
    if report.count:
        raise typer.Exit(1)


def export(
    as_user: Annotated[str, typer.Option("--as", help="Export what this user may see.")],
    kind: Annotated[str, typer.Option(help="incidents or persons.")] = "incidents",
    fmt: Annotated[str, typer.Option("--format", help="csv, geojson, json, timemap.")] = "csv",
    use: Annotated[
        str, typer.Option(help="investigation, prosecution or publication (consent).")
    ] = "investigation",
    out: Annotated[
        Path | None, typer.Option(help="File to write (default: standard output).")
    ] = None,
    identities: Annotated[
        bool, typer.Option(help="Persons: include identities (permitted roles only; audited).")
    ] = False,
    timemap_mode: Annotated[
        str, typer.Option(help="TimeMap: aggregate (counts) or anonymised (one per incident).")
    ] = "aggregate",
    threshold: Annotated[
        int | None,
        typer.Option(help="TimeMap: small-count threshold (default 5; never lower)."),
    ] = None,
) -> None:
    """Export records the user may see, leaving out what consent does not cover (audited).
    TimeMap exports are for publication: small counts are suppressed (see ARCHITECTURE)."""
    user = _user(as_user)
    assert user is not None
    try:
        chosen_use = Use(use)
    except ValueError:
        fail("--use must be investigation, prosecution or publication")
    if fmt not in FORMATS:
        fail(f"--format must be one of {', '.join(FORMATS)}")
    if kind not in ("incidents", "persons"):
        fail("--kind must be incidents or persons")
    if timemap_mode not in ("aggregate", "anonymised"):
        fail("--timemap-mode must be aggregate or anonymised")
    if kind == "persons" and fmt != "csv":
        fail("persons are exported as CSV only")
    if threshold is not None:
        if fmt != "timemap":
            fail("--threshold applies to --format timemap (counts for publication)")
        try:
            Rule.at_least(threshold)
        except DisclosureError as exc:
            fail(f"--threshold: {exc}")
    tmp = out.with_name(out.name + ".part") if out is not None else None
    try:
        with ExitStack() as stack:
            handle: TextIO = (
                cast(TextIO, stack.enter_context(tmp.open("w", encoding="utf-8", newline="")))
                if tmp is not None
                else sys.stdout
            )
            if kind == "persons":
                result = persons_export(
                    actor=user, use=chosen_use, out=handle, identities=identities
                )
            else:
                result = incidents_export(
                    actor=user,
                    fmt=cast(Any, fmt),
                    use=chosen_use,
                    out=handle,
                    timemap_mode="anonymised" if timemap_mode == "anonymised" else "aggregate",
                    threshold=threshold,
                )
    except PermissionDenied as exc:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        fail(str(exc))
    except BaseException:
        if tmp is not None:
            tmp.unlink(missing_ok=True)  # nothing leaves without its audit entry
        raise
    if tmp is not None and out is not None:
        tmp.replace(out)
    err.print(f"exported {result.count} {kind} ({fmt}, for {use}); audited")
    for note in result.notes:
        err.print(f"  note: {note}")
