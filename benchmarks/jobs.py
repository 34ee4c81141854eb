"""Background-job overhead: jobs/s through the real queue and ``crimebook worker`` processes
next to calling the same job function in a loop in one process (the baseline), in the same
run (CONVENTIONS 14). The job is ``evidence.process`` of a small photo (decrypt, a parsing
worker process per file, phash, thumbnail sealed as a derivative), so the ratio shows what the
queue, the claim, heartbeats and audit entries cost on top of the work.

Runs in temporary SQLite data directories (or with ``--redis redis://127.0.0.1:6379/0``).
Run: ``.venv/bin/python benchmarks/jobs.py [--jobs 100] [--threads 2]``.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CLI = [sys.executable, "-c", "from crimebook.cli import main; main()"]
SETUP = """
import io, json, sys
import django
django.setup()
from PIL import Image
from crimebook.accounts.services import compartment_create
from crimebook.core.keys import keys_init
from crimebook.evidence.keys import vault_keygen
from crimebook.evidence.services import evidence_ingest_stream
keys_init(exist_ok=True)
vault_keygen()
from crimebook.evidence.pipeline import process_item
inline = sys.argv[1] == "inline"
count = int(sys.argv[2])
compartment = compartment_create(actor=None, name="Bench")
images = []
for i in range(count):
    buf = io.BytesIO()
    Image.new("RGB", (320, 240), ((i * 7) % 256, (i * 13) % 256, (i * 29) % 256)).save(
        buf, "JPEG", quality=85)
    images.append(buf.getvalue())
start = __import__("time").perf_counter()
for i, data in enumerate(images):
    # baseline: the same work without any job machinery; else the upload queues its job
    outcome = evidence_ingest_stream(actor=None, compartment_id=compartment.pk,
                                     name=f"{i}.jpg", stream=io.BytesIO(data),
                                     process=not inline)
    if inline:
        process_item(outcome.item_id)
print(json.dumps({"seconds": __import__("time").perf_counter() - start}))
"""


def _env(data: Path, redis: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRIMEBOOK_")}
    env.update(CRIMEBOOK_DATA_DIR=str(data), DJANGO_SETTINGS_MODULE="crimebook.settings")
    if redis:
        env.update(CRIMEBOOK_REDIS_URL=redis, CRIMEBOOK_JOBS_QUEUE=f"bench-{os.getpid()}")
    return env


def _prepare(data: Path, env: dict[str, str], mode: str, count: int) -> float:
    subprocess.run([*CLI, "migrate"], env=env, check=True, capture_output=True)  # noqa: S603
    out = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", SETUP, mode, str(count)], env=env, check=True,
        capture_output=True, text=True,
    ).stdout  # fmt: skip
    return float(json.loads(out.strip().splitlines()[-1])["seconds"])


def _done(data: Path) -> int:
    with sqlite3.connect(f"file:{data / 'crimebook.sqlite3'}?mode=ro", uri=True) as db:
        return int(db.execute("SELECT count(*) FROM jobs_job WHERE status='done'").fetchone()[0])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=100)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--redis", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        inline_dir, queued_dir = Path(tmp) / "inline", Path(tmp) / "queued"
        # baseline: upload + process_item called directly, in the same process
        baseline = _prepare(inline_dir, _env(inline_dir, ""), "inline", args.jobs)
        # through the queue: uploads only, then workers drain it
        env = _env(queued_dir, args.redis)
        enqueue = _prepare(queued_dir, env, "queued", args.jobs)
        start = time.perf_counter()
        worker = subprocess.Popen(  # noqa: S603
            [*CLI, "worker", "--threads", str(args.threads), "--quiet"], env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        try:
            while _done(queued_dir) < args.jobs:
                time.sleep(0.05)
            drained = time.perf_counter() - start
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait()
    queued = enqueue + drained
    print(f"{args.jobs} uploads with their processing job")
    print(f"  inline (process_item, no jobs): {args.jobs / baseline:8.1f} items/s")
    print(f"  uploads only (jobs queued):     {args.jobs / enqueue:8.1f} uploads/s")
    print(
        f"  worker ({args.threads} threads) drains queue:  {args.jobs / drained:8.1f} jobs/s"
        f"  (incl. ~1-2 s worker start)"
    )
    print(
        f"  end to end via the queue:       {args.jobs / queued:8.1f} jobs/s"
        f"  ratio {baseline / queued:.2f} of inline"
    )


if __name__ == "__main__":
    main()
