"""``crimebook evidence keygen|import|verify|process`` and ``crimebook
cameras|recordings|communications import``: thin shells over :mod:`crimebook.evidence`
services."""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from crimebook.cli._common import console, err, fail

app = typer.Typer(help="The evidence vault: keys, import, verification.", no_args_is_help=True)
cameras_app = typer.Typer(help="Camera inventories.", no_args_is_help=True)
recordings_app = typer.Typer(help="Recording spans of cameras.", no_args_is_help=True)
communications_app = typer.Typer(
    help="Calls, messages and intercepts (metadata only).", no_args_is_help=True
)

CompartmentOpt = Annotated[str, typer.Option("--compartment", "-c", help="Compartment name.")]


def _compartment_id(name: str) -> int:
    from crimebook.accounts.models import Compartment

    found = Compartment.objects.filter(name=name).values_list("pk", flat=True).first()
    if found is None:
        fail(f"no compartment named {name!r}")
    return int(found)


@app.command("keygen")
def keygen() -> None:
    """Create the vault's age identity in the workspace key directory (back it up offline!)
    and print its public key (CRIMEBOOK_VAULT_RECIPIENTS, with any escrow keys)."""
    from crimebook.evidence.keys import vault_keygen

    path, public, created = vault_keygen()
    console.print(f"vault identity {'created' if created else 'already exists'}: {path}")
    console.print(f"CRIMEBOOK_VAULT_RECIPIENTS={public}")


def _walk(root: Path, problems: list[dict[str, object]]) -> Iterator[Path]:
    """Regular files under ``root``, sorted; symlinks and unreadable directories are reported
    and skipped (a symlink could point anywhere)."""

    def onerror(exc: OSError) -> None:
        problems.append({"path": str(exc.filename), "outcome": "skipped",
                         "reason": f"unreadable directory: {exc.strerror}"})  # fmt: skip

    for dirpath, dirnames, filenames in os.walk(root, onerror=onerror, followlinks=False):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if path.is_symlink() or not path.is_file():
                problems.append({"path": str(path), "outcome": "skipped",
                                 "reason": "not a regular file (symlink or device)"})  # fmt: skip
                continue
            yield path


@app.command("import")
def import_dir(
    directory: Annotated[Path, typer.Argument(exists=True, file_okay=False, readable=True)],
    compartment: CompartmentOpt,
    report: Annotated[
        Path | None, typer.Option(help="Write the machine-readable JSON report here.")
    ] = None,
    source: Annotated[int | None, typer.Option(help="Source id the files came from.")] = None,
) -> None:
    """Import every file under DIRECTORY into the vault (hash + seal + store, metadata,
    thumbnails). Known content is recorded as a duplicate, not stored again."""
    from crimebook.evidence.extract import worker_session
    from crimebook.evidence.keys import vault_recipients
    from crimebook.evidence.sealing import SealError
    from crimebook.evidence.services import evidence_ingest_path

    cid = _compartment_id(compartment)
    try:
        vault_recipients()  # refuse at once rather than record every file as failed
    except SealError as exc:
        fail(str(exc))
    root = directory.resolve()
    problems: list[dict[str, object]] = []
    files = list(_walk(root, problems))
    total = sum(p.stat().st_size for p in files)
    rows: list[dict[str, object]] = list(problems)
    with Progress(
        TextColumn("importing"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
        TimeRemainingColumn(), console=err, disable=not err.is_terminal,
    ) as progress, worker_session():  # fmt: skip
        task = progress.add_task("import", total=total)
        stopped = ""
        for path in files:
            name = path.relative_to(root).as_posix()
            if stopped:  # the store is failing: report the rest as not attempted, no records
                rows.append({"path": name, "outcome": "skipped", "reason": stopped})
                continue
            outcome = evidence_ingest_path(
                actor=None, compartment_id=cid, path=path, name=name, source_id=source
            )
            rows.append(outcome.as_dict() | {"path": name})
            if outcome.reason.startswith("could not be stored"):
                stopped = "not attempted: the vault's store failed; run the import again"
            progress.advance(task, path.stat().st_size if path.exists() else 0)
    counts = Counter(str(r["outcome"]) for r in rows)
    summary = {k: counts.get(k, 0) for k in ("ingested", "duplicate", "failed", "skipped")}
    document = {"directory": str(root), "summary": summary, "files": rows}
    if report is not None:
        report.write_text(json.dumps(document, indent=2, ensure_ascii=False), encoding="utf-8")
    console.print(
        f"{len(rows)} files: {summary['ingested']} ingested, {summary['duplicate']} duplicate, "
        f"{summary['failed']} failed, {summary['skipped']} skipped"
    )
    for row in rows:
        if row["outcome"] in {"failed", "skipped"}:
            err.print(f"  {row['outcome']}: {row['path']} — {row['reason']}")
    if summary["failed"] or summary["skipped"]:
        raise typer.Exit(1)


@app.command("verify")
def verify(
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue an interrupted run where it stopped.")
    ] = False,
) -> None:
    """Decrypt and re-hash every stored file; report changed, missing and unexpected files
    (exit 1 on any problem)."""
    from crimebook.evidence.services import vault_expected, vault_verify
    from crimebook.evidence.storage import StoreError

    with Progress(
        TextColumn("verifying vault"), BarColumn(), MofNCompleteColumn(),
        console=err, transient=True, disable=not err.is_terminal,
    ) as progress:  # fmt: skip
        task = progress.add_task("verify", total=len(vault_expected()))
        try:
            result = vault_verify(progress=lambda n: progress.advance(task, n), resume=resume)
        except StoreError as exc:
            fail(f"{exc} (progress saved: run again with --resume)")
    if as_json:
        console.print_json(json.dumps(result.as_dict()))
    elif result.ok:
        console.print(f"[green]vault intact[/]: {result.checked} files re-hashed")
    else:
        for label, keys in (("CHANGED", result.changed), ("MISSING", result.missing),
                            ("UNEXPECTED", result.unexpected), ("UNREADABLE", result.unreadable)):  # fmt: skip
            for key in keys:
                err.print(f"[bold red]{label}[/] {key}")
    if not result.ok:
        raise typer.Exit(1)


@app.command("from-intake")
def from_intake(
    submission: Annotated[str, typer.Argument(help="The intake submission's id (UUID).")],
    compartment: CompartmentOpt,
    source: Annotated[int | None, typer.Option(help="Register source id to attach.")] = None,
) -> None:
    """Move every attachment of an intake submission into the vault (decrypted in memory,
    re-sealed to the vault recipients), checked against the hashes the intake recorded."""
    import uuid

    from crimebook.core.errors import NotFound
    from crimebook.evidence.intake_door import evidence_from_intake

    try:
        outcomes = evidence_from_intake(
            actor=None, submission_uuid=uuid.UUID(submission),
            compartment_id=_compartment_id(compartment), source_id=source,
        )  # fmt: skip
    except (ValueError, NotFound):
        fail(f"no intake submission {submission!r}")
    for o in outcomes:
        console.print(f"{o.outcome}: {o.name} {o.sha256[:16]} {o.reason}".rstrip())
    if any(o.outcome == "ingested" for o in outcomes):
        console.print(
            "metadata extraction is queued as background jobs (a `crimebook worker` or "
            "`crimebook serve` runs them; `crimebook evidence process` runs them here)"
        )
    if any(o.outcome == "failed" for o in outcomes):
        raise typer.Exit(1)


@app.command("process")
def process(
    failed: Annotated[
        bool, typer.Option("--failed", help="Also retry failed extractions.")
    ] = False,
) -> None:
    """Extract metadata, perceptual hashes and thumbnails for items still pending (after a
    crash or a killed worker); safe to run again."""
    from crimebook.evidence.extract import worker_session
    from crimebook.evidence.services import evidence_process_pending

    with worker_session():
        count = evidence_process_pending(include_failed=failed)
    console.print(f"processed {count} item{'s' if count != 1 else ''}")


def _print_import(kind: str, result: object) -> None:
    from crimebook.evidence.csvimport import ImportReport

    assert isinstance(result, ImportReport)
    console.print(
        f"{result.rows} rows: {result.created} {kind} created, {result.error_count} errors"
    )
    for line, message in result.errors[:50]:
        err.print(f"  line {line}: {message}")
    if result.error_count > 50:
        err.print(f"  … and {result.error_count - 50} more")
    if result.error_count:
        raise typer.Exit(1)


@cameras_app.command("import")
def cameras_import_command(
    csv_file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    compartment: CompartmentOpt,
) -> None:
    """Load a camera inventory: camera_id, latitude, longitude[, name, fov_radius_m, description]."""
    from crimebook.evidence.csvimport import cameras_import

    cid = _compartment_id(compartment)
    _print_import("cameras", cameras_import(actor=None, compartment_id=cid, path=csv_file))


@recordings_app.command("import")
def recordings_import_command(
    csv_file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    compartment: CompartmentOpt,
) -> None:
    """Load recording spans: camera_id, start, end (ISO 8601 with offset)[, held_by,
    recording_id]. Streamed in batches; millions of rows in bounded memory."""
    from crimebook.evidence.csvimport import recordings_import

    cid = _compartment_id(compartment)
    with Progress(
        TextColumn("importing recordings"), TextColumn("{task.completed} rows"),
        console=err, transient=True, disable=not err.is_terminal,
    ) as progress:  # fmt: skip
        task = progress.add_task("rows", total=None)
        result = recordings_import(
            actor=None, compartment_id=cid, path=csv_file,
            progress=lambda n: progress.advance(task, n),
        )  # fmt: skip
    _print_import("recordings", result)


@communications_app.command("import")
def communications_import_command(
    csv_file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    compartment: CompartmentOpt,
    dry_run: Annotated[bool, typer.Option(help="Check every row, write nothing.")] = False,
    assume_tz: Annotated[
        str | None,
        typer.Option(help="Zone of times written without an offset (e.g. Europe/Minsk)."),
    ] = None,
    region: Annotated[
        str | None, typer.Option(help="Declared region (belarus, ukraine, world).")
    ] = None,
    source: Annotated[int | None, typer.Option(help="Source id the records came from.")] = None,
    errors: Annotated[
        Path | None, typer.Option(help="Error report (CSV); default FILE.errors.csv.")
    ] = None,
) -> None:
    """Load communications (calls, messages, intercepts): communication_id, kind, start[,
    end, latitude, longitude, radius_m, place_name, party_a, party_b, party_a_phone,
    party_b_phone, summary, sha256] — docs/import-schema.md. All or nothing; phone numbers
    are kept only as blind digests."""
    from crimebook.evidence.csvimport import RowError, communications_import
    from crimebook.interchange.formats.csvio import neutralise
    from crimebook.interchange.formats.records import REGIONS

    cid = _compartment_id(compartment)
    chosen = None
    if region is not None:
        chosen = REGIONS.get(region) or fail(f"--region must be one of {', '.join(REGIONS)}")
    report_path = errors or csv_file.with_name(csv_file.name + ".errors.csv")
    report_path.unlink(missing_ok=True)
    with csv_file.open("rb") as raw:  # rows ≈ lines - 1 (a quoted newline makes fewer rows)
        lines = sum(chunk.count(b"\n") for chunk in iter(lambda: raw.read(1 << 20), b""))
    with Progress(
        TextColumn("importing communications"), BarColumn(), MofNCompleteColumn(),
        console=err, transient=True, disable=not err.is_terminal,
    ) as progress:  # fmt: skip
        task = progress.add_task("rows", total=max(lines - 1, 1))
        try:
            result = communications_import(
                actor=None, compartment_id=cid, path=csv_file, dry_run=dry_run,
                assume_tz=assume_tz, region=chosen, source_id=source,
                progress=lambda n: progress.advance(task, n),
            )  # fmt: skip
        except RowError as exc:
            fail(str(exc))
    console.print(
        f"{result.rows} rows: {result.created} to create, {result.skipped} already imported "
        f"(skipped), {result.error_count} rejected"
    )
    if result.error_count:
        import csv

        with report_path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["line", "message"])
            for line, message in result.errors:
                writer.writerow([str(line), neutralise(message)])
        for line, message in result.errors[:20]:
            err.print(f"  line {line}: {message}")
        if result.error_count > 20:
            err.print(f"  … and {result.error_count - 20} more")
        err.print(
            f"[bold red]{result.error_count} row(s) rejected[/]; see {report_path}. "
            "[yellow]Nothing was imported[/] (all or nothing)."
        )
        raise typer.Exit(1)
    if result.committed:
        console.print(f"[green]imported[/]: {result.created} communications in one transaction")
    else:
        console.print("[yellow]dry run[/]: every row is valid; nothing was written")
