"""Command tree: ``crimebook demo|serve|migrate|createuser|stats|audit …|keys …``."""

from __future__ import annotations

import typer

from crimebook.cli import (
    accounts,
    audit,
    backup,
    cases,
    correlate,
    evidence,
    intake,
    interchange,
    keys,
    maps,
    search,
    serve,
    stats,
    tokens,
    worker,
)
from crimebook.cli.demo import demo as demo_command

app = typer.Typer(
    name="crimebook",
    help="Crimebook: documentation and accountability for crimes of state violence.",
    no_args_is_help=True,
    add_completion=False,
)
app.command("migrate")(serve.migrate)
app.command("serve")(serve.serve)
app.command("worker")(worker.worker)
app.command("createuser")(accounts.createuser)
app.command("mfa-reset")(accounts.mfa_reset)
app.command("stats")(stats.stats)
app.command("demo")(demo_command)
app.command("backup")(backup.backup)
app.command("restore")(backup.restore)
app.command("import")(interchange.import_)
app.command("export")(interchange.export)
app.command("dossier")(cases.dossier)
app.command("correlate")(correlate.correlate)
keys.app.command("backup-keygen")(backup.backup_keygen)
app.add_typer(audit.app, name="audit")
app.add_typer(keys.app, name="keys")
app.add_typer(maps.app, name="map")
app.add_typer(intake.app, name="intake")
app.add_typer(intake.receipt_app, name="receipt")
app.add_typer(evidence.app, name="evidence")
app.add_typer(search.app, name="search")
app.add_typer(tokens.app, name="token")
app.add_typer(evidence.cameras_app, name="cameras")
app.add_typer(evidence.recordings_app, name="recordings")
app.add_typer(evidence.communications_app, name="communications")
