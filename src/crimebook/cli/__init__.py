"""The ``crimebook`` command-line tool (Typer). Each command parses its arguments, calls one
service or selector, and prints; Django is set up once before any command runs."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crimebook.settings")
    from crimebook.config import ConfigError, load_config

    try:
        load_config()
    except ConfigError as exc:
        sys.stderr.write(f"crimebook: configuration error: {exc}\n")
        raise SystemExit(2) from None
    import django

    django.setup()
    from crimebook.cli.app import app
    from crimebook.core.writelock import is_lock_busy

    try:
        app()
    except Exception as exc:
        if not is_lock_busy(exc):
            raise
        sys.stderr.write(busy_message())
        raise SystemExit(3) from None


def busy_message() -> str:
    """What a command says when SQLite's write lock stayed busy for the whole busy timeout
    (settings: 15 s) — nearly always a long import — instead of a traceback."""
    from django.db import connection

    from crimebook.jobs.kinds import IMPORT_FILE
    from crimebook.jobs.models import Job

    running: list[tuple[int, str]] = []
    try:
        connection.close()  # a fresh connection; reading needs no write lock (WAL)
        running = list(
            Job.objects.filter(status=Job.Status.RUNNING)
            .order_by("pk")
            .values_list("pk", "kind")[:5]
        )
    except Exception:  # noqa: S110 - the message below is still right without the list
        pass
    lines = [
        "crimebook: the database is busy: another process held its write lock for the whole "
        "wait (SQLite lets one writer at a time); this command's step that failed wrote nothing."
    ]
    imports = [pk for pk, kind in running if kind == IMPORT_FILE]
    if imports:
        named = ", ".join(f"#{pk}" for pk in imports)
        lines.append(
            f"An import is running (job {named}); an import is one transaction and holds the "
            "lock until it ends. Run this command again when it has finished (see /jobs/)."
        )
    elif running:
        named = ", ".join(f"#{pk} ({kind})" for pk, kind in running)
        lines.append(f"Running jobs: {named}. Run this command again when they have finished.")
    else:
        lines.append("Run this command again in a moment.")
    return "\n".join(lines) + "\n"
