"""``crimebook demo``: fictitious data set, demo accounts, then the workspace server."""

from __future__ import annotations

from typing import Annotated

import typer
from django.core.management import call_command
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from crimebook.accounts.mfa import second_factor_enrol
from crimebook.accounts.models import User
from crimebook.cli._common import console
from crimebook.cli.serve import serve
from crimebook.core.keys import keys_init
from crimebook.demo.load import DEMO_PASSWORD, demo_load


def demo(
    serve_after: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the workspace afterwards.")
    ] = True,
    scale: Annotated[float, typer.Option(min=0.01, max=10.0, help="Size of the data set.")] = 1.0,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same data).")] = 2020,
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
) -> None:
    """Create the fictitious Minsk 2020 demo workspace and serve it on 127.0.0.1."""
    call_command("migrate", interactive=False, verbosity=0)
    path, created = keys_init(exist_ok=True)
    if created:
        console.print(f"created key file {path}")
    with Progress(
        TextColumn("{task.description:<13}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=not console.is_terminal,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done)

        summary = demo_load(seed=seed, scale=scale, progress=progress)
    if summary.created:
        console.print(
            f"demo data created: {summary.incidents} incidents, {summary.acts} acts, "
            f"{summary.persons} persons — all fictitious"
        )
    else:
        console.print("demo data already present; reusing it")
    console.print(
        f"log in as [bold]demo[/] / [bold]{DEMO_PASSWORD}[/] "
        f"(also: {', '.join(summary.users[1:])}; same password)"
    )
    console.print("second factor (fresh on every `crimebook demo`): a code from an authenticator")
    console.print("app with the secret below, or one of the one-time recovery codes")
    for username in summary.users:
        secret, codes = second_factor_enrol(user=User.objects.get(username=username))
        console.print(f"  {username:<8} TOTP secret {secret}  recovery codes {' '.join(codes[:3])}")
    if serve_after:
        serve(host="127.0.0.1", port=port, workers=2, allow_public_bind=False)
