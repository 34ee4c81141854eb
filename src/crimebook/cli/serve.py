"""``crimebook migrate`` and ``crimebook serve``."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
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
    no_worker: Annotated[
        bool,
        typer.Option(
            "--no-worker",
            help="Do not start a background-job worker (run `crimebook worker` elsewhere).",
        ),
    ] = False,
) -> None:
    """Serve the workspace with gunicorn (static files included), and a background-job
    worker beside it unless --no-worker; both stop together."""
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
    if no_worker:
        os.execv(sys.executable, argv)  # noqa: S606 - replace this process with gunicorn
    raise typer.Exit(_serve_with_worker(argv))


WORKER_ARGV = [sys.executable, "-c", "from crimebook.cli import main; main()", "worker"]
WORKER_STOP_SECONDS = 70


def _stop(process: subprocess.Popen[bytes], timeout: float) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _serve_with_worker(server_argv: list[str]) -> int:
    """Run gunicorn and one `crimebook worker` as child processes; restart the worker if it
    dies; when the server stops (or this process gets SIGTERM/SIGINT) stop both. SIGTERM
    lets the worker finish its running jobs (up to a minute); a job cut short is picked up
    again when a worker next starts."""
    worker = subprocess.Popen(WORKER_ARGV)  # noqa: S603 - our own interpreter and module
    server = subprocess.Popen(server_argv)  # noqa: S603
    stopping: list[int] = []

    def forward(signum: int, _frame: object) -> None:
        stopping.append(signum)
        for child in (server, worker):
            if child.poll() is None:
                child.send_signal(signum)

    previous = signal.signal(signal.SIGTERM, forward)
    try:
        while server.poll() is None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                server.wait(timeout=1.0)
            if worker.poll() is not None and not stopping and server.poll() is None:
                console.print("[yellow]the job worker stopped; starting it again[/]")
                worker = subprocess.Popen(WORKER_ARGV)  # noqa: S603
    except KeyboardInterrupt:  # Ctrl-C reached the whole process group
        stopping.append(signal.SIGINT)
        server.wait()
    finally:
        signal.signal(signal.SIGTERM, previous)
        _stop(server, 30)
        _stop(worker, WORKER_STOP_SECONDS)
    code = server.returncode
    return 0 if stopping or not code else (code if code > 0 else 1)
