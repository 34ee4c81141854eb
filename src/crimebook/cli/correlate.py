"""``crimebook correlate [--compartment NAME] [--full]``: run the correlation engine over one
or every compartment (each on its own), with a progress bar and a summary per run."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

from crimebook.cli._common import console, fail


def correlate(
    compartment: Annotated[
        str | None,
        typer.Option("--compartment", "-c", help="Compartment name (default: every one)."),
    ] = None,
    full: Annotated[
        bool, typer.Option("--full", help="Re-evaluate everything, not only what is new.")
    ] = False,
) -> None:
    """Propose leads: incident ↔ evidence, report ↔ report, incident ↔ unit ↔ person.

    Incremental by default: only incidents and evidence new or changed since the last run
    are correlated; decisions already taken (accepted, rejected) are kept."""
    from crimebook.accounts.models import Compartment
    from crimebook.leads.build import correlation_run

    if compartment is not None:
        found = list(Compartment.objects.filter(name=compartment).values_list("pk", "name"))
        if not found:
            fail(f"no compartment named {compartment!r}")
    else:
        found = list(Compartment.objects.order_by("name").values_list("pk", "name"))
        if not found:
            fail("there is no compartment to correlate")
    for pk, name in found:
        with Progress(
            TextColumn("{task.description:<8}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=console,
            disable=not console.is_terminal,
        ) as bar:
            tasks: dict[str, TaskID] = {}

            def progress(
                stage: str,
                done: int,
                total: int,
                bar: Progress = bar,
                tasks: dict[str, TaskID] = tasks,
            ) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(stage, total=total)
                bar.update(tasks[stage], completed=done, total=total)

            run = correlation_run(actor=None, compartment_id=pk, full=full, progress=progress)
        _summary(name, run.pk, run.full, run.summary)


def _summary(name: str, run_id: int, full: bool, summary: dict[str, Any]) -> None:
    evaluated = summary.get("evaluated") or {}
    leads = summary.get("leads") or {}
    kind = "full" if full else "incremental"
    what = ", ".join(f"{n} {k}" for k, n in evaluated.items()) or "nothing new"
    console.print(f"[bold]{name}[/]: run {run_id} ({kind}) evaluated {what}")
    new = ", ".join(
        f"{n} {k.removeprefix('new_')}" for k, n in sorted(leads.items()) if k.startswith("new_")
    )
    console.print(
        f"  leads: {leads.get('proposed_new', 0)} new" + (f" ({new})" if new else "")
        + f", {leads.get('refreshed', 0)} refreshed, {leads.get('withdrawn', 0)} withdrawn, "
        f"{leads.get('kept_accepted', 0)} accepted and {leads.get('kept_rejected', 0)} rejected "
        "kept as decided"
    )  # fmt: skip
    reasons = summary.get("not_matched") or {}
    if reasons:
        console.print(f"  not matched: {summary.get('not_matched_total', 0)} record(s)")
        for reason, n in reasons.items():
            console.print(f"    {n} × {reason}")
