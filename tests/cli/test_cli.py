"""The ``crimebook`` command line: help for every command, audit verify, createuser, stats,
and the demo data set loaded through the services."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from typer.testing import CliRunner

from crimebook.accounts.models import User
from crimebook.cli.app import app
from crimebook.demo.load import demo_load
from crimebook.register.models import Incident, Person

runner = CliRunner()


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["demo"],
        ["serve"],
        ["migrate"],
        ["createuser"],
        ["stats"],
        ["audit"],
        ["audit", "verify"],
        ["keys", "init"],
    ],
)
def test_every_command_has_help(argv: list[str]) -> None:
    result = runner.invoke(app, [*argv, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


@pytest.mark.django_db
def test_createuser_and_bad_role() -> None:
    ok = runner.invoke(
        app, ["createuser", "nina", "--role", "analyst", "--password", "a-long-passphrase-1"]
    )
    assert ok.exit_code == 0, ok.output
    assert User.objects.get(username="nina").role == "analyst"
    bad = runner.invoke(
        app, ["createuser", "olga", "--role", "king", "--password", "a-long-passphrase-1"]
    )
    assert bad.exit_code == 1
    assert "Unknown role" in bad.output
    weak = runner.invoke(
        app, ["createuser", "pavel", "--role", "analyst", "--password", "password"]
    )
    assert weak.exit_code == 1
    assert not User.objects.filter(username__in=["olga", "pavel"]).exists()


@pytest.mark.django_db
def test_audit_verify_reports_intact_and_broken_chains() -> None:
    demo_load(scale=0.02)
    ok = runner.invoke(app, ["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    assert "intact" in ok.output
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER USER")
        cursor.execute("UPDATE audit_auditentry SET actor_name = 'someone-else' WHERE seq = 7")
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER USER")
    broken = runner.invoke(app, ["audit", "verify"])
    assert broken.exit_code == 1
    assert "entry 7" in broken.output


@pytest.mark.django_db
def test_small_demo_is_complete_and_fictitious() -> None:
    summary = demo_load(scale=0.02)
    assert summary.created
    again = demo_load(scale=0.02)
    assert not again.created  # idempotent
    assert Incident.objects.count() == summary.incidents >= 20
    assert Person.objects.filter(is_perpetrator=True).exists()
    stats = runner.invoke(app, ["stats", "--json"])
    assert stats.exit_code == 0
    assert '"incidents"' in stats.output


@pytest.mark.slow
@pytest.mark.django_db
def test_full_demo_meets_the_article_scale() -> None:
    from crimebook.audit.selectors import audit_chain_verify
    from crimebook.register.stats import register_stats_all

    demo_load()
    figures = register_stats_all()
    assert figures.torture_and_injury_9_21_aug_2020 >= 1100
    assert figures.acts >= 3000
    assert audit_chain_verify().ok


def test_file_database_uses_wal(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRIMEBOOK_")}
    env["CRIMEBOOK_DATA_DIR"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", "from crimebook.cli import main; main()", "migrate"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    mode = (
        sqlite3.connect(tmp_path / "crimebook.sqlite3").execute("PRAGMA journal_mode").fetchone()[0]
    )
    assert mode == "wal"
