"""Which queue: a SQLite file by default, Redis when CRIMEBOOK_REDIS_URL is set; bad URLs
are refused at start with one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from huey import RedisHuey, SqliteHuey

from crimebook.config import Config, ConfigError, load_config
from crimebook.jobs.queue import build_huey


def test_the_embedded_default_is_a_sqlite_file(tmp_path: Path) -> None:
    huey = build_huey(redis_url="", name="q", sqlite_path=tmp_path / "sub" / "jobs.sqlite3")
    assert isinstance(huey, SqliteHuey)
    assert (tmp_path / "sub" / "jobs.sqlite3").exists()
    assert Config(data_dir=tmp_path).jobs_sqlite_path == tmp_path.resolve() / "jobs.sqlite3"


def test_a_redis_url_selects_redis(tmp_path: Path) -> None:
    huey = build_huey(redis_url="redis://127.0.0.1:6379/3", name="q", sqlite_path=tmp_path / "x")
    assert isinstance(huey, RedisHuey)
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize(
    ("name", "value", "fragment"),
    [
        ("REDIS_URL", "http://127.0.0.1:6379", "CRIMEBOOK_REDIS_URL"),
        ("REDIS_URL", "127.0.0.1:6379", "CRIMEBOOK_REDIS_URL"),
        ("JOBS_QUEUE", "my queue; drop", "CRIMEBOOK_JOBS_QUEUE"),
        ("JOBS_QUEUE", "", "CRIMEBOOK_JOBS_QUEUE"),
    ],
)
def test_bad_queue_settings_are_refused(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, fragment: str
) -> None:
    monkeypatch.setenv(f"CRIMEBOOK_{name}", value)
    with pytest.raises(ConfigError, match=fragment):
        load_config()


def test_the_command_line_says_so_in_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRIMEBOOK_")}
    env.update(CRIMEBOOK_DATA_DIR=str(tmp_path), CRIMEBOOK_REDIS_URL="localhost:6379")
    done = subprocess.run(
        [sys.executable, "-c", "from crimebook.cli import main; main()", "worker"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "crimebook: configuration error: invalid CRIMEBOOK_REDIS_URL: "
        "Value error, must start with redis://, rediss:// or unix://"
    ]
