"""The huey side, kept thin: one queue, one task that runs a job by id, one periodic sweep.

Embedded default: ``SqliteHuey`` on ``$CRIMEBOOK_DATA_DIR/jobs.sqlite3`` (no server). With
``CRIMEBOOK_REDIS_URL`` set: ``RedisHuey``, so workers on several machines share the queue
(name ``CRIMEBOOK_JOBS_QUEUE``). The queue carries only job ids; the ``Job`` row is the truth.
Huey removes a task from the queue when a worker takes it, so a worker that dies takes its
task with it: :func:`crimebook.jobs.services.jobs_recover` puts such jobs back (run when a
worker starts and every minute by every worker). Every hour a worker also refreshes the
SQLite planner's statistics of tables that grew (:mod:`crimebook.core.planner`).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, connection
from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.exceptions import RetryTask

__all__ = ["HUEY", "build_huey", "enqueue", "planner_statistics", "recover_jobs", "run_job"]

TASK_NAME = "crimebook.run_job"


def build_huey(*, redis_url: str, name: str, sqlite_path: Path) -> Huey:
    if redis_url:
        return RedisHuey(name, url=redis_url, results=False, utc=True)
    sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name, filename=str(sqlite_path), results=False, utc=True, fsync=True)


HUEY: Huey = build_huey(
    redis_url=settings.CRIMEBOOK_REDIS_URL,
    name=settings.CRIMEBOOK_JOBS_QUEUE,
    sqlite_path=Path(settings.CRIMEBOOK_JOBS_SQLITE),
)


def _fresh_connections() -> None:
    # A consumer thread keeps its database connection between tasks: drop a broken or
    # expired one. Never inside a transaction (immediate mode, or a test running a task in
    # its own transaction): the caller's connection is the one to use.
    if not HUEY.immediate and not connection.in_atomic_block:
        close_old_connections()


@HUEY.task(name=TASK_NAME)
def run_job(job_id: int) -> None:
    """Run one attempt of job ``job_id``; a transient failure is retried by huey."""
    from crimebook.jobs.runner import job_execute

    _fresh_connections()
    try:
        delay = job_execute(job_id)
    finally:
        _fresh_connections()
    if delay is not None:
        raise RetryTask(delay=delay if delay > 0 else None)


@HUEY.periodic_task(crontab(minute="*"), name="crimebook.recover_jobs")
def recover_jobs() -> None:
    """Every minute: put back jobs whose worker died and queued jobs the queue lost; delete
    decrypted inspection copies abandoned by killed attempts."""
    from crimebook.jobs.housekeeping import remove_stale_plaintext
    from crimebook.jobs.services import jobs_recover

    _fresh_connections()
    try:
        jobs_recover()
        remove_stale_plaintext()
    finally:
        _fresh_connections()


@HUEY.periodic_task(crontab(minute="17"), name="crimebook.planner_statistics")
def planner_statistics() -> None:
    """Every hour: the SQLite planner's statistics of tables that grew (``core/planner.py``)."""
    from crimebook.core.planner import refresh_if_stale

    _fresh_connections()
    try:
        refresh_if_stale()
    finally:
        _fresh_connections()


def enqueue(job_id: int) -> None:
    run_job(job_id)
