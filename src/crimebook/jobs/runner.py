"""One attempt of a job, as run by a worker (or inline in huey's immediate mode).

1. **claim**: one conditional UPDATE moves the job from ``queued`` to ``running`` and counts
   the attempt; a job that is done, failed or already running elsewhere is left alone, so a
   duplicate delivery of the same id does nothing;
2. **run** the kind's function with a :class:`~crimebook.jobs.registry.JobContext`, while a
   heartbeat thread stamps ``heartbeat_at`` (a job whose heartbeat stops lost its worker);
3. **finish**: ``done`` with the outcome's message, or — on an exception — ``queued`` again
   for huey to retry while attempts remain, else ``failed`` with the error. Finishing is
   conditional on this attempt still owning the row (``worker`` and ``attempts``), and is
   audited.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
from collections.abc import Iterator
from types import MappingProxyType
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone, translation

from crimebook.audit.services import audit_record
from crimebook.jobs import progress as live_progress
from crimebook.jobs import registry, wording
from crimebook.jobs.models import Job

__all__ = ["OBJECT_TYPE", "clean_text", "job_execute", "message_values", "worker_token"]

logger = logging.getLogger(__name__)
OBJECT_TYPE = "jobs.job"
HEARTBEAT_SECONDS = 10.0
PROGRESS_WRITE_SECONDS = 0.5


def worker_token() -> str:
    """Who runs an attempt: ``<host>:<pid>`` (no addresses, nothing about users)."""
    return f"{socket.gethostname()[:150]}:{os.getpid()}"


class _Reporter:
    """Progress of one attempt: written at most every half second (and at the end)."""

    def __init__(self, job_id: int, token: str, attempt: int) -> None:
        self.job_id, self.token, self.attempt = job_id, token, attempt
        self._last = 0.0
        self._pending: tuple[int, int | None] | None = None
        # Inside a transaction the job opened (an import is one transaction) progress goes
        # to the cache only (jobs/progress.py): writing the row would wait for the register's
        # write lock (SQLite) or hold the row lock and stall the heartbeat until the commit.
        self._depth = len(connection.atomic_blocks)

    def _mine(self) -> Any:
        return Job.objects.filter(
            pk=self.job_id, status=Job.Status.RUNNING, worker=self.token, attempts=self.attempt
        )

    def progress(self, done: int, total: int | None = None) -> None:
        done = max(0, int(done))
        if total is not None:
            total = max(0, int(total))
            done = min(done, total)
        self._pending = (done, total)
        now = time.monotonic()
        if now - self._last >= PROGRESS_WRITE_SECONDS:
            self.flush()
            self._last = now

    def flush(self, *, final: bool = False) -> None:
        if self._pending is None:
            return
        done, total = self._pending
        live_progress.record(self.job_id, self.attempt, done, total)
        if not final and len(connection.atomic_blocks) > self._depth:
            return
        self._mine().update(progress_done=done, progress_total=total, heartbeat_at=timezone.now())
        self._pending = None

    @contextlib.contextmanager
    def heartbeat(self, enabled: bool) -> Iterator[None]:
        if not enabled:
            yield
            return
        stop = threading.Event()

        def beat() -> None:
            try:
                while not stop.wait(HEARTBEAT_SECONDS):
                    try:
                        self._mine().update(heartbeat_at=timezone.now())
                    except Exception:  # the job goes on; the next beat tries again
                        logger.warning("job %s: heartbeat failed", self.job_id)
            finally:
                connection.close()

        thread = threading.Thread(target=beat, name=f"job-{self.job_id}-heartbeat", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join(timeout=HEARTBEAT_SECONDS + 5)


def clean_text(value: Any) -> Any:
    """Text as the database can hold it: no NUL (PostgreSQL refuses it in text and JSON) and
    no other control characters but tab and newline (messages may quote hostile files)."""
    if isinstance(value, str):
        return "".join(
            ch if ch in "\t\n" or (ord(ch) >= 32 and ord(ch) != 127) else "\ufffd" for ch in value
        )
    if isinstance(value, dict):
        return {clean_text(str(k)): clean_text(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_text(v) for v in value]
    return value


def _error_text(exc: BaseException) -> str:
    with translation.override("en"):  # a lazily translated text: English in ``message``
        text = str(exc).strip() or type(exc).__name__
    return str(clean_text(text[:900]))


def _capped(value: Any) -> Any:
    """Texts in a message's parameters as long as ``message`` may quote them."""
    if isinstance(value, str):
        return value[:900]
    if isinstance(value, dict):
        return {k: _capped(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_capped(v) for v in value]
    return value


def message_values(message: str | registry.Message) -> dict[str, Any]:
    """``message`` (English) and ``message_data`` (the structure, worded when shown) of a
    job from what a kind said: a :class:`~crimebook.jobs.registry.Message`, or plain text
    kept as it is (with no structure)."""
    if isinstance(message, registry.Message):
        safe = registry.Message(message.key, _capped(clean_text(dict(message.params))))
        try:
            text = wording.english(safe)
        except (KeyError, TypeError, ValueError, IndexError):
            # a key or parameters the wording cannot use: say what it is rather than fail
            logger.warning("job message %s cannot be worded", message.key)
            return {"message": message.key[:1000], "message_data": {}}
        return {"message": str(clean_text(text[:1000])), "message_data": wording.stored(safe)}
    return {"message": str(clean_text(message[:1000])), "message_data": {}}


def _finish(
    reporter: _Reporter, job: Job, *, status: str, message: str | registry.Message,
    result: dict[str, Any] | None, audit_action: str,
) -> bool:  # fmt: skip
    now = timezone.now()
    values: dict[str, Any] = {"status": status, "heartbeat_at": now, **message_values(message)}
    text: str = values["message"]
    if status in (Job.Status.DONE, Job.Status.FAILED):
        values["finished_at"] = now
    if status == Job.Status.QUEUED:
        values["enqueued_at"] = now
    if result is not None:
        values["result"] = clean_text(result)
    if status == Job.Status.DONE:
        values["progress_done"] = Coalesce(F("progress_total"), F("progress_done"))
    with transaction.atomic():
        if not reporter._mine().update(**values):
            return False  # another worker took the job over (this one was presumed dead)
        audit_record(
            actor=None, action=audit_action, object_type=OBJECT_TYPE, object_id=job.pk,
            changes={"kind": job.kind, "status": status, "attempt": job.attempts,
                     "message": text[:300] or None},
        )  # fmt: skip
    return True


def _finish_once_more(reporter: _Reporter, job: Job, **kwargs: Any) -> bool:
    """Finish; if the database connection broke (the likely cause of a transient failure),
    reconnect and try once more, so the job does not stay "running" under a live worker."""
    try:
        return _finish(reporter, job, **kwargs)
    except DatabaseError:
        connection.close()
        return _finish(reporter, job, **kwargs)


def job_execute(job_id: int) -> float | None:
    """Run one attempt. Returns the delay (seconds) after which huey should retry, or None."""
    from crimebook.jobs.queue import HUEY

    token = worker_token()
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, attempts=F("attempts") + 1, started_at=now,
        heartbeat_at=now, worker=token, finished_at=None,
    )  # fmt: skip
    if not claimed:
        return None
    job = Job.objects.get(pk=job_id)
    reporter = _Reporter(job_id, token, job.attempts)
    kind = registry.get(job.kind)
    if kind is None:
        _finish(reporter, job, status=Job.Status.FAILED, audit_action="job_failed",
                message=registry.Message("job.unknown_kind", {"kind": job.kind}),
                result=None)  # fmt: skip
        return None
    context = registry.JobContext(
        job_id=job.pk, parameters=MappingProxyType(dict(job.parameters)),
        actor_id=job.created_by_id, compartment_id=job.compartment_id, attempt=job.attempts,
        progress=reporter.progress,
    )  # fmt: skip
    with reporter.heartbeat(enabled=not HUEY.immediate):
        try:
            outcome = kind.run(context)
        except registry.JobFailed as exc:
            reporter.flush(final=True)
            _finish(reporter, job, status=Job.Status.FAILED, audit_action="job_failed",
                    message=exc.message if isinstance(exc.message, registry.Message)
                    else _error_text(exc), result=dict(exc.result) or None)  # fmt: skip
            return None
        except Exception as exc:
            # type only: an exception's text may carry a file name or other case content
            logger.warning(
                "job %s (%s) attempt %s failed: %s", job.pk, job.kind, job.attempts,
                type(exc).__name__,
            )  # fmt: skip
            with contextlib.suppress(DatabaseError):
                reporter.flush(final=True)
            again = job.attempts < job.attempt_limit
            error = _error_text(exc)
            message: str | registry.Message = (
                registry.Message("job.attempt_failed", {"attempt": job.attempts, "error": error})
                if again
                else error
            )
            finished = _finish_once_more(
                reporter, job, status=Job.Status.QUEUED if again else Job.Status.FAILED,
                audit_action="job_attempt_failed" if again else "job_failed",
                message=message, result=None,
            )  # fmt: skip
            return float(settings.CRIMEBOOK_JOB_RETRY_SECONDS) if again and finished else None
    reporter.flush(final=True)
    _finish(reporter, job, status=Job.Status.DONE, audit_action="job_done",
            message=outcome.message, result=dict(outcome.result))  # fmt: skip
    return None
