"""Settings come from CRIMEBOOK_* variables; production refuses unsafe ones in one line."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from crimebook.config import Config, ConfigError, load_config

GOOD_KEY = "k" * 40


def _env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRIMEBOOK_")}
    env.update({f"CRIMEBOOK_{k.upper()}": v for k, v in values.items()})
    return env


@pytest.mark.parametrize(
    ("values", "fragment"),
    [
        ({"mode": "production"}, "CRIMEBOOK_SECRET_KEY"),
        ({"mode": "production", "secret_key": "short"}, "CRIMEBOOK_SECRET_KEY"),
        ({"mode": "production", "secret_key": GOOD_KEY, "debug": "true"}, "CRIMEBOOK_DEBUG"),
        ({"mode": "production", "secret_key": GOOD_KEY, "allowed_hosts": "*"}, "wildcard"),
        (
            {"mode": "production", "secret_key": GOOD_KEY, "allowed_hosts": ".example.org,*.x"},
            "wildcard",
        ),
        ({"mode": "staging"}, "CRIMEBOOK_MODE"),
        ({"session_idle_seconds": "5"}, "CRIMEBOOK_SESSION_IDLE_SECONDS"),
    ],
)
def test_unsafe_settings_are_refused(
    monkeypatch: pytest.MonkeyPatch, values: dict[str, str], fragment: str
) -> None:
    for key in [k for k in os.environ if k.startswith("CRIMEBOOK_")]:
        monkeypatch.delenv(key)
    for key, value in values.items():
        monkeypatch.setenv(f"CRIMEBOOK_{key.upper()}", value)
    with pytest.raises(ConfigError, match=fragment):
        load_config()


def test_safe_production_settings_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRIMEBOOK_MODE", "production")
    monkeypatch.setenv("CRIMEBOOK_SECRET_KEY", GOOD_KEY)
    monkeypatch.setenv("CRIMEBOOK_ALLOWED_HOSTS", "crimebook.example.org, intake.example.org")
    monkeypatch.delenv("CRIMEBOOK_DEBUG", raising=False)
    config = load_config()
    assert config.allowed_hosts == ["crimebook.example.org", "intake.example.org"]


def test_defaults_are_embedded_sqlite_in_var() -> None:
    config = Config(_env_file=None)  # type: ignore[call-arg]
    assert config.sqlite_path.name == "crimebook.sqlite3"
    assert config.keys_path == config.data_path / "keys"


def test_the_command_line_fails_fast_with_one_line(tmp_path: object) -> None:
    result = subprocess.run(
        [sys.executable, "-c", "from crimebook.cli import main; main()", "stats"],
        env=_env(mode="production", data_dir=str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "CRIMEBOOK_SECRET_KEY" in lines[0]


def test_sqlite_runs_in_wal_mode(db: object) -> None:
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("WAL is a SQLite setting")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        mode = cursor.fetchone()[0]
    # the in-memory test database cannot use WAL; the file database does (see test_cli)
    assert mode in {"wal", "memory"}
