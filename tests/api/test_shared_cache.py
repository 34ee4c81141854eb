"""Rate-limit budgets are shared by every server process: the cache is files in the data
directory, or Redis when one is configured."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import override_settings

from crimebook.api.ratelimit import Throttled, consume

SPEND = """
import django
django.setup()
from crimebook.api.ratelimit import Throttled, consume
spent = 0
try:
    for _ in range({n}):
        consume(7, "shared", now=1000.0)
        spent += 1
except Throttled:
    pass
print(spent)
"""


def _spend_in_another_process(n: int, env: dict[str, str]) -> int:
    done = subprocess.run(
        [sys.executable, "-c", SPEND.format(n=n)], env=env, capture_output=True, text=True,
        timeout=120, check=True,
    )  # fmt: skip
    return int(done.stdout.strip().splitlines()[-1])


def test_default_cache_is_files_in_the_data_directory() -> None:
    default = settings.CACHES["default"]
    if settings.CRIMEBOOK_REDIS_URL:
        assert default["BACKEND"].endswith("RedisCache")
    else:
        assert default["BACKEND"].endswith("FileBasedCache")
        assert Path(default["LOCATION"]) == settings.CRIMEBOOK_DATA_DIR / "cache"


def test_another_process_spends_the_same_budget(settings: Any) -> None:
    # GIVEN a burst of 5 requests, of which another server process spends 3
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "crimebook.settings",
           "CRIMEBOOK_API_RATE_BURST": "5", "CRIMEBOOK_API_RATE_PER_MINUTE": "1"}  # fmt: skip
    settings.CRIMEBOOK_API_RATE_BURST = 5
    settings.CRIMEBOOK_API_RATE_PER_MINUTE = 1
    assert _spend_in_another_process(3, env) == 3
    # WHEN this process asks at the same moment THEN only 2 remain for it
    consume(7, "shared", now=1000.0)
    consume(7, "shared", now=1000.0)
    with pytest.raises(Throttled):
        consume(7, "shared", now=1000.0)
    # AND the other process, too, finds the budget spent
    assert _spend_in_another_process(1, env) == 0


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _redis_up(), reason="no Redis server at 127.0.0.1:6379")
def test_redis_cache_when_configured(tmp_path: Path) -> None:
    url = "redis://127.0.0.1:6379/15"
    conf = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                        "LOCATION": url, "KEY_PREFIX": f"test-{os.getpid()}"}}  # fmt: skip
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "crimebook.settings",
           "CRIMEBOOK_REDIS_URL": url, "CRIMEBOOK_JOBS_QUEUE": f"test-{os.getpid()}",
           "CRIMEBOOK_DATA_DIR": str(tmp_path),
           "CRIMEBOOK_API_RATE_BURST": "2", "CRIMEBOOK_API_RATE_PER_MINUTE": "1"}  # fmt: skip
    conf["default"]["KEY_PREFIX"] = f"test-{os.getpid()}-cache"
    with override_settings(
        CACHES=conf, CRIMEBOOK_API_RATE_BURST=2, CRIMEBOOK_API_RATE_PER_MINUTE=1
    ):
        caches["default"].clear()
        try:
            # another process (configured by CRIMEBOOK_REDIS_URL alone) spends the budget
            assert _spend_in_another_process(5, env) == 2
            with pytest.raises(Throttled):
                consume(7, "shared", now=1000.0)
        finally:
            caches["default"].clear()
