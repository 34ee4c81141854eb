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

    app()
