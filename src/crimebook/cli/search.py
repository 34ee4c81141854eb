"""``crimebook search reindex``: rebuild the search index from the records."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from crimebook.cli._common import console, err, fail

app = typer.Typer(help="The search index.", no_args_is_help=True)


@app.command("reindex")
def reindex(
    kind: Annotated[
        list[str] | None,
        typer.Option(
            "--kind",
            help="Only this kind (repeatable): incident, act, person, unit, source, "
            "evidence, submission.",
        ),
    ] = None,
) -> None:
    """Rebuild the documents of every record (search keeps working meanwhile), drop those of
    records that no longer exist, and print how many documents each kind has."""
    from crimebook.search.indexing import index_counts, reindex_all
    from crimebook.search.models import Kind
    from crimebook.search.services import reindex_audited

    kinds = list(dict.fromkeys(kind or Kind.values))
    unknown = [k for k in kinds if k not in Kind.values]
    if unknown:
        fail(f"unknown kind {', '.join(unknown)}; one of: {', '.join(Kind.values)}")
    counts = index_counts()
    with Progress(
        TextColumn("{task.description:<11}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err,
        disable=not err.is_terminal,
    ) as progress:
        tasks = {k: progress.add_task(k, total=counts[k]) for k in kinds}
        summary = reindex_audited(
            kinds=kinds, progress=lambda k, n: progress.advance(tasks[k], n), run=reindex_all
        )
    width = max(len(k) for k in kinds)
    for k in kinds:
        console.print(f"{k:<{width}}  {summary.documents.get(k, 0):>9} documents")
    console.print(f"{'total':<{width}}  {summary.total:>9} documents")
