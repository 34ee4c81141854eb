"""``crimebook audit verify|timestamp``."""

from __future__ import annotations

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from crimebook.audit.selectors import audit_chain_verify, audit_count
from crimebook.cli._common import console, err, fail

app = typer.Typer(help="Check the tamper-evident audit log.", no_args_is_help=True)


def _progress(label: str) -> Progress:
    return Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )


@app.command("verify")
def verify() -> None:
    """Walk the hash chain; name the first modified, deleted or reordered entry; then check
    every stored RFC 3161 timestamp against the chain and its authority's signature."""
    from crimebook.audit.timestamps import audit_timestamps_verify

    total = audit_count()
    with _progress("verifying audit chain") as progress:
        task = progress.add_task("verify", total=total)
        report = audit_chain_verify(progress=lambda n: progress.advance(task, n))
    if report.ok:
        console.print(
            f"[green]audit chain intact[/]: {report.entries} entries, head {report.head_hash}"
        )
    else:
        err.print(f"[bold red]audit chain BROKEN[/] at {report.first_break}")
    checks = audit_timestamps_verify(report)
    for check in checks:
        where = f"timestamp {check.timestamp_id} of entry #{check.head_seq} ({check.url}, {check.gen_time})"
        if check.ok:
            console.print(f"[green]timestamp valid[/]: {where}")
        else:
            err.print(f"[bold red]timestamp INVALID[/]: {where}: {check.reason}")
    if not checks:
        console.print("no trusted timestamps stored (crimebook audit timestamp)")
    if not report.ok or not all(check.ok for check in checks):
        raise typer.Exit(1)


@app.command("timestamp")
def timestamp() -> None:
    """Obtain an RFC 3161 token over the chain's head from every authority in
    CRIMEBOOK_TSA_URLS, verify it against CRIMEBOOK_TSA_CA_FILE, and store it."""
    from crimebook.audit.timestamps import TimestampError, audit_timestamp_obtain

    with _progress("verifying audit chain") as progress:
        task = progress.add_task("verify", total=audit_count())
        try:
            outcomes = audit_timestamp_obtain(progress=lambda n: progress.advance(task, n))
        except TimestampError as exc:
            fail(str(exc))
    for outcome in outcomes:
        if outcome.ok:
            console.print(
                f"[green]stamped[/] entry #{outcome.head_seq} (head {outcome.head_hash}) "
                f"by {outcome.url} at {outcome.gen_time}: timestamp {outcome.timestamp_id}"
            )
        else:
            err.print(f"[bold red]error:[/] {outcome.url}: {outcome.reason}; nothing stored")
    if not all(outcome.ok for outcome in outcomes):
        raise typer.Exit(1)
