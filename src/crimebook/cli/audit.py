"""``crimebook audit verify``."""

from __future__ import annotations

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from crimebook.audit.selectors import audit_chain_verify, audit_count
from crimebook.cli._common import console, err

app = typer.Typer(help="Check the tamper-evident audit log.", no_args_is_help=True)


@app.command("verify")
def verify() -> None:
    """Walk the hash chain; name the first modified, deleted or reordered entry."""
    total = audit_count()
    with Progress(
        TextColumn("verifying audit chain"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as progress:
        task = progress.add_task("verify", total=total)
        report = audit_chain_verify(progress=lambda n: progress.advance(task, n))
    if report.ok:
        console.print(
            f"[green]audit chain intact[/]: {report.entries} entries, head {report.head_hash}"
        )
        return
    err.print(f"[bold red]audit chain BROKEN[/] at {report.first_break}")
    raise typer.Exit(1)
