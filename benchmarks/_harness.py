"""What the page benchmarks share: one child process per database, a scratch PostgreSQL
database, and percentiles. Imported by the scripts in this folder (``from _harness import …``)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path


def pct(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def pg_database(url: str, *, fresh: bool = False) -> bool:
    """Make sure the database named by ``url`` exists (dropped first when ``fresh``);
    False when no server answers."""
    try:
        import psycopg
    except ImportError:
        return False
    base, _, name = url.rpartition("/")
    try:
        with psycopg.connect(f"{base}/postgres", autocommit=True, connect_timeout=3) as conn:
            if fresh:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error:
        return False
    return True


def child_env(data_dir: Path | str, database_url: str = "") -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crimebook.settings",
        "CRIMEBOOK_DATA_DIR": str(data_dir),
        "CRIMEBOOK_DATABASE_URL": database_url,
        "CRIMEBOOK_ALLOWED_HOSTS": "testserver",
    }


def run_per_backend(
    script: str, backend: str, data_root: Path, pg_url: str, argv: Sequence[str]
) -> None:
    """Run ``script --child <db> …argv`` once per database, each with its own data directory
    under ``data_root`` (kept, so a large register is built only once)."""
    for name in ("sqlite", "postgres") if backend == "both" else (backend,):
        data = data_root / name
        data.mkdir(parents=True, exist_ok=True)
        url = ""
        if name == "postgres":
            if not pg_database(pg_url):
                print(f"postgres: skipped, no server at {pg_url}")
                continue
            url = pg_url
        command = [sys.executable, script, "--child", name, *argv]
        subprocess.run(command, env=child_env(data, url), check=True)  # noqa: S603 - our script
