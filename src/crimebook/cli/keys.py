"""``crimebook keys init``."""

from __future__ import annotations

import typer

from crimebook.cli._common import console, fail
from crimebook.core.keys import keys_init

app = typer.Typer(help="Manage the key file that protects identities.", no_args_is_help=True)


@app.command("init")
def init() -> None:
    """Create the key file (AES-256 data key, blind-index key, audit key) if it is absent."""
    try:
        path, _ = keys_init(exist_ok=False)
    except FileExistsError as exc:
        fail(str(exc))
    console.print(
        f"created key file {path} (mode 0600) — back it up: without it identities are lost"
    )
