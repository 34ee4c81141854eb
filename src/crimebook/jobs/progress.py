"""Live progress of a running job, kept beside the register rather than in it.

A job's progress is written by one place, the runner's reporter (``runner._Reporter.flush``):
always here, in the Django cache (files in ``$DATA_DIR/cache``, or Redis when configured,
shared by every process), keyed by the job id and tagged with the attempt; and on the job's
row as well when the job is not inside a transaction of its own. An import is one
transaction — on SQLite the register's single write lock is held until it commits — so
during it only the cache entry moves. Readers (the job pages, ``GET /api/v1/jobs``) call
:func:`overlay`, which shows the cache's figures for a running job when they belong to the
attempt that owns the row and are not behind it. Nothing here needs the register's write
lock; a cache that cannot be reached only loses the live figures (the row still has its own).
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache import cache

from crimebook.jobs.models import Job

__all__ = ["overlay", "record"]

logger = logging.getLogger(__name__)
KEEP_SECONDS = 24 * 3600  # far longer than a job runs; the entry is only a view of one
_SHOWN = "_live_progress_shown"


def _key(job_id: int) -> str:
    return f"job-progress:{job_id}"


def record(job_id: int, attempt: int, done: int, total: int | None) -> None:
    """Store an attempt's progress where readers find it without the register's write lock."""
    try:
        cache.set(_key(job_id), [attempt, done, total], KEEP_SECONDS)
    except Exception:  # the job goes on; the row keeps the figures written outside the lock
        logger.warning("job %s: live progress not stored", job_id)


def overlay(job: Job) -> Job:
    """Show a running job's live progress on ``job`` (in memory only, never saved)."""
    if getattr(job, _SHOWN, False):
        return job
    setattr(job, _SHOWN, True)
    if job.status != Job.Status.RUNNING:
        return job
    try:
        value: Any = cache.get(_key(job.pk))
    except Exception:
        logger.warning("job %s: live progress not readable", job.pk)
        return job
    if not (isinstance(value, list) and len(value) == 3):
        return job
    attempt, done, total = value
    if attempt != job.attempts or not isinstance(done, int) or done < job.progress_done:
        return job
    if total is not None and not (isinstance(total, int) and 0 <= done <= total):
        return job
    job.progress_done, job.progress_total = done, total
    return job
