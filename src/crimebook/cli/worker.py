"""``crimebook worker``: a huey consumer that runs background jobs (``crimebook.jobs``)."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from crimebook.cli._common import console


def worker(
    threads: Annotated[
        int, typer.Option(min=1, max=64, help="Jobs run at the same time in this process.")
    ] = 2,
    quiet: Annotated[bool, typer.Option(help="Log warnings and errors only.")] = False,
) -> None:
    """Run background jobs until stopped (Ctrl-C or SIGTERM lets running jobs finish).

    Without CRIMEBOOK_REDIS_URL the queue is a SQLite file in the data directory (one host);
    with it, every worker that points at the same Redis shares the queue. Jobs left running
    by a worker that died are put back first."""
    from django.conf import settings

    from crimebook.jobs.housekeeping import remove_stale_plaintext
    from crimebook.jobs.queue import HUEY
    from crimebook.jobs.services import jobs_recover

    logging.getLogger("huey").setLevel(logging.WARNING if quiet else logging.INFO)
    HUEY.immediate = False
    report = jobs_recover()
    removed = remove_stale_plaintext()
    where = "Redis" if settings.CRIMEBOOK_REDIS_URL else str(settings.CRIMEBOOK_JOBS_SQLITE)
    console.print(
        f"crimebook worker: {threads} thread(s), queue {settings.CRIMEBOOK_JOBS_QUEUE!r} on "
        f"{where}; {report.requeued} interrupted job(s) queued again, {report.failed} failed, "
        f"{report.resent} re-sent; {removed} abandoned decrypted cop(ies) removed"
    )
    consumer = HUEY.create_consumer(
        workers=threads, worker_type="thread", periodic=True, initial_delay=0.1,
        backoff=1.15, max_delay=1.0, check_worker_health=True,
        graceful_signal="TERM",
    )  # fmt: skip
    consumer.run()
