"""``crimebook migrate`` and ``crimebook serve``."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer
from django.core.management import call_command

from crimebook.cli._common import console, fail

LOOPBACK = {"127.0.0.1", "::1", "localhost"}


def migrate() -> None:
    """Create or upgrade the database schema (and load the shipped vocabularies)."""
    call_command("migrate", interactive=False, verbosity=1)
    console.print("[green]database is up to date[/]")


def serve(
    host: Annotated[
        str, typer.Option(help="Address to bind; loopback unless behind a proxy.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=32)] = 2,
    allow_public_bind: Annotated[
        bool, typer.Option(help="Allow a non-loopback address (put TLS and a proxy in front).")
    ] = False,
    intake_only: Annotated[
        bool,
        typer.Option(
            "--intake-only",
            help="Serve only the public intake (crimebook.intake_settings; default port 8001).",
        ),
    ] = False,
) -> None:
    """Serve the workspace with gunicorn (static files included)."""
    if host not in LOOPBACK and not allow_public_bind:
        fail(f"refusing to bind {host}: use a loopback address or --allow-public-bind")
    if intake_only:
        from crimebook.cli.intake import serve_intake

        serve_intake(host=host, port=8001 if port == 8000 else port, workers=workers)
        return
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    console.print(f"Crimebook workspace at [bold]http://{bind}/[/]  (Ctrl-C stops it)")
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "crimebook.wsgi:application",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--threads",
        "4",
        "--access-logfile",
        "-",
        # no client address, no user agent, no referrer in the access log
        "--access-logformat",
        '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms',
        "--forwarded-allow-ips",
        "",
        "--timeout",
        "120",
    ]
    sys.stdout.flush()
    os.execv(sys.executable, argv)  # noqa: S606 - replace this process with gunicorn
