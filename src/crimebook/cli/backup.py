"""``crimebook backup``, ``crimebook restore`` and ``crimebook keys backup-keygen``."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from pyrage import x25519

from crimebook.backup.archive import BackupError
from crimebook.backup.services import backup_create, backup_restore
from crimebook.cli._common import console, err, fail


def backup(
    out: Annotated[Path | None, typer.Option(help="Archive to write (must not exist).")] = None,
    recipient: Annotated[
        list[str] | None,
        typer.Option(help="age public key (repeatable); default CRIMEBOOK_BACKUP_RECIPIENTS."),
    ] = None,
) -> None:
    """Write one age-sealed archive: database, key file, and a manifest of SHA-256 hashes."""
    target = out or Path(f"crimebook-backup-{datetime.now(UTC):%Y%m%d-%H%M%S}.tar.age")
    try:
        manifest = backup_create(out=target, recipients=recipient)
    except BackupError as exc:
        fail(str(exc))
    files = ", ".join(manifest["files"])
    console.print(f"wrote {target} ({files}); audit entries: {manifest['audit']['entries']}")


def restore(
    archive: Annotated[Path, typer.Argument(help="The .tar.age archive.")],
    identity: Annotated[Path, typer.Option(help="age identity file that opens the archive.")],
) -> None:
    """Rebuild an instance on a fresh data directory; verify every hash and the audit chain."""
    try:
        report = backup_restore(archive=archive, identity_file=identity)
    except BackupError as exc:
        fail(str(exc))
    if not report.ok:
        for problem in report.problems:
            err.print(f"[bold red]mismatch:[/] {problem}")
        raise typer.Exit(1)
    audit = report.manifest["audit"]
    console.print(
        f"[green]restored and verified[/]: {len(report.manifest['files'])} files match their "
        f"hashes; audit chain intact with {audit['entries']} entries, head {audit['head']}"
    )


def backup_keygen(
    out: Annotated[Path, typer.Argument(help="Where to write the age identity (secret!).")],
) -> None:
    """Create an age key pair for backups; prints the public recipient to configure."""
    if out.exists():
        fail(f"{out} exists; refusing to overwrite it")
    identity = x25519.Identity.generate()
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(f"# public key: {identity.to_public()}\n{identity}\n")
    console.print(f"wrote {out} (keep it offline); recipient: {identity.to_public()}")
