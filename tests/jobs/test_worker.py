"""Real ``crimebook worker`` processes: killed with SIGKILL in the middle of a job, restarted,
the job completes and nothing is left half done; two workers sharing one Redis queue.

Each test runs in its own data directory with its own SQLite database, driven through
subprocesses only (the test database of pytest-django lives in this process)."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

pytestmark = pytest.mark.slow

CLI = [sys.executable, "-c", "from crimebook.cli import main; main()"]

# Runs in a subprocess with the test's environment: a compartment, vault keys, and one
# upload per file named on the command line (each queues its processing job).
SETUP = """
import io, json, sys
import django
django.setup()
from crimebook.accounts.services import compartment_create
from crimebook.core.keys import keys_init
from crimebook.evidence.keys import vault_keygen
from crimebook.evidence.services import evidence_ingest_stream
keys_init(exist_ok=True)
vault_keygen()
compartment = compartment_create(actor=None, name="Case A")
items = []
for path in sys.argv[1:]:
    with open(path, "rb") as handle:
        outcome = evidence_ingest_stream(actor=None, compartment_id=compartment.pk,
                                         name=path.rsplit("/", 1)[-1], stream=handle)
    items.append(outcome.item_id)
print(json.dumps(items))
"""


def _env(data: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRIMEBOOK_")}
    env.update(CRIMEBOOK_DATA_DIR=str(data), DJANGO_SETTINGS_MODULE="crimebook.settings")
    env.update({f"CRIMEBOOK_{k.upper()}": v for k, v in extra.items()})
    return env


def _run(env: dict[str, str], *argv: str, timeout: float = 300) -> str:
    done = subprocess.run(
        argv, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _prepare(data: Path, env: dict[str, str], files: list[Path]) -> list[int]:
    _run(env, *CLI, "migrate")
    out = _run(env, sys.executable, "-c", SETUP, *map(str, files))
    return list(json.loads(out.strip().splitlines()[-1]))


def _big_photo(path: Path, seed: int, side: int = 2600) -> Path:
    """Noise decodes slowly: the processing job takes long enough to be caught running."""
    rng = bytes((i * seed * 2654435761 >> 7) & 0xFF for i in range(side * 3))
    rows = b"".join(rng[(r * 7) % side :] + rng[: (r * 7) % side] for r in range(side))
    Image.frombytes("RGB", (side, side), rows).save(path, "JPEG", quality=95)
    return path


def _db(data: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{data / 'crimebook.sqlite3'}?mode=ro", uri=True, timeout=15)


def _jobs(data: Path) -> dict[int, tuple[str, int, str]]:
    with _db(data) as db:
        rows = db.execute("SELECT id, status, attempts, worker FROM jobs_job").fetchall()
    return {row[0]: (row[1], row[2], row[3]) for row in rows}


def _wait(predicate: Any, timeout: float, step: float = 0.02) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(step)
    raise AssertionError("timed out waiting")


@pytest.fixture
def workers() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:  # never leave a worker behind
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _start(env: dict[str, str], started: list[subprocess.Popen[bytes]]) -> Any:
    process = subprocess.Popen(
        [*CLI, "worker", "--threads", "1", "--quiet"], env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    started.append(process)
    return process


def test_a_worker_killed_mid_job_leaves_nothing_half_done_and_the_job_completes(
    tmp_path: Path, workers: list[subprocess.Popen[bytes]]
) -> None:
    data = tmp_path / "data"
    env = _env(data)
    photo = _big_photo(tmp_path / "crowd.jpg", seed=3)
    [item_id] = _prepare(data, env, [photo])
    [(job_id, (status, attempts, _))] = _jobs(data).items()
    assert (status, attempts) == ("queued", 0)
    # GIVEN a worker that has started the job
    staging = data / "vault" / ".staging"
    first = _start(env, workers)
    _wait(
        lambda: _jobs(data)[job_id][0] == "running" and any(staging.glob("inspect-*.tmp")),
        timeout=60,
    )
    # WHEN the machine "dies": the worker and its parsing child are killed outright,
    # leaving the decrypted inspection copy behind (its `finally` never ran)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    leftovers = list(staging.glob("inspect-*.tmp"))
    assert leftovers
    for path in leftovers:  # as if the machine came back an hour later
        os.utime(path, (time.time() - 3600, time.time() - 3600))
    with _db(data) as db:
        derived = db.execute(
            "SELECT status, storage_key FROM evidence_evidenceitem WHERE derived_from_id = ?",
            (item_id,),
        ).fetchall()
    assert _jobs(data)[job_id][:2] == ("running", 1)
    assert derived == [], "the job had finished before the kill: make the photo bigger"
    # THEN a new worker puts the job back (its owner is dead) and completes it
    _start(env, workers)
    _wait(lambda: _jobs(data)[job_id][0] == "done", timeout=120, step=0.2)
    assert _jobs(data)[job_id][1] == 2
    with _db(data) as db:
        status, metadata = db.execute(
            "SELECT status, metadata_status FROM evidence_evidenceitem WHERE id = ?",
            (item_id,),
        ).fetchone()
        derivatives = db.execute(
            "SELECT count(*) FROM evidence_evidenceitem WHERE derived_from_id = ?", (item_id,)
        ).fetchone()[0]
        recovered = db.execute(
            "SELECT count(*) FROM audit_auditentry WHERE action = 'job_recover'"
        ).fetchone()[0]
    assert (status, metadata, derivatives, recovered) == ("ingested", "extracted", 1, 1)
    assert not any(path.exists() for path in leftovers)  # no plaintext left on disk
    # and the vault holds exactly what the database says: nothing missing, nothing extra
    assert "vault intact: 2 files re-hashed" in _run(env, *CLI, "evidence", "verify")


def _redis_url() -> str:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return "redis://127.0.0.1:6379/0"
    except OSError:
        pytest.skip("no Redis server on 127.0.0.1:6379 (needed for the shared-queue test)")


def test_workers_share_one_redis_queue(
    tmp_path: Path, workers: list[subprocess.Popen[bytes]]
) -> None:
    url = _redis_url()
    queue = f"crimebook-test-{uuid.uuid4().hex[:12]}"
    data = tmp_path / "data"
    env = _env(data, redis_url=url, jobs_queue=queue)
    photos = [_big_photo(tmp_path / f"p{i}.jpg", seed=i + 5, side=900) for i in range(6)]
    try:
        items = _prepare(data, env, photos)
        assert len(items) == 6 and all(s == "queued" for s, _, _ in _jobs(data).values())
        # the jobs wait in Redis, not in the SQLite queue file
        assert not (data / "jobs.sqlite3").exists()
        # GIVEN two workers ("two machines") on the same queue
        _start(env, workers)
        _start(env, workers)
        _wait(lambda: all(s == "done" for s, _, _ in _jobs(data).values()), 180, step=0.2)
        jobs = _jobs(data)
        assert all(attempts == 1 for _, attempts, _ in jobs.values())  # each ran once
        pids = {str(process.pid) for process in workers}
        assert {w.rsplit(":", 1)[1] for _, _, w in jobs.values()} <= pids
        for process in workers:  # SIGTERM: a graceful stop
            process.send_signal(signal.SIGTERM)
        for process in workers:
            assert process.wait(timeout=60) == 0
    finally:
        import redis

        client = redis.Redis.from_url(url)
        for key in client.scan_iter(f"huey.*{queue}*"):
            client.delete(key)


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_serve_runs_a_worker_and_stops_it_with_the_server(
    tmp_path: Path, workers: list[subprocess.Popen[bytes]]
) -> None:
    import urllib.request

    data = tmp_path / "data"
    env = _env(data)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    [item_id] = _prepare(data, env, [_big_photo(tmp_path / "a.jpg", seed=2, side=300)])
    server = subprocess.Popen(
        [*CLI, "serve", "--port", str(port), "--workers", "1"], env=env,
        start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    workers.append(server)

    def up() -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2):
                return True
        except OSError:
            return False

    _wait(up, timeout=120, step=0.5)
    # the job queued before the server started is run by the worker serve started
    _wait(lambda: all(s == "done" for s, _, _ in _jobs(data).values()), 120, step=0.3)
    with _db(data) as db:
        assert db.execute(
            "SELECT metadata_status FROM evidence_evidenceitem WHERE id = ?", (item_id,)
        ).fetchone() == ("extracted",)
    children = _children(server.pid)
    assert len(children) == 2  # gunicorn and the worker
    # WHEN the server is told to stop THEN both children stop with it
    server.send_signal(signal.SIGTERM)
    assert server.wait(timeout=90) == 0
    _wait(lambda: not any(_alive(pid) for pid in children), timeout=10, step=0.2)
