"""``crimebook keys init``."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from crimebook.cli._common import console, err, fail
from crimebook.core.keys import get_keyring, keys_add_active, keys_init, keys_retire
from crimebook.register.services.rekey import key_ids_in_use, persons_needing_rekey, persons_rekey

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


@app.command("rotate")
def rotate(
    retire: Annotated[
        bool, typer.Option(help="Afterwards remove old data keys that nothing needs any more.")
    ] = False,
) -> None:
    """Re-encrypt every identity under a new data key. Resumable: if interrupted, run it again
    and it continues with the records still under an old key (which stays readable)."""
    pending = persons_needing_rekey()
    if pending:
        console.print(f"resuming: {pending} person(s) still under an older key")
    else:
        console.print(f"new active data key {keys_add_active()}")
    with Progress(
        TextColumn("re-encrypting"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as bar:
        task = bar.add_task("rekey", total=persons_needing_rekey())
        count = persons_rekey(progress=lambda p: bar.update(task, completed=p.done))
    console.print(f"re-encrypted {count} person(s); every identity is under the active key")
    if retire:
        unused = set(get_keyring().data_keys) - key_ids_in_use()
        dropped = keys_retire(unused)
        console.print(f"retired keys: {', '.join(dropped) or 'none'}")
