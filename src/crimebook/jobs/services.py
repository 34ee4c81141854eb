"""Writes of the job system (CONVENTIONS 1–2): submit, retry, and the recovery sweep.

A submitted job is a ``Job`` row written with its audit entry in one transaction; its id is
put on the huey queue once that transaction commits (so a worker never sees an id whose row
is not there yet). In huey's immediate mode (tests) the job runs at once, in the caller.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from crimebook.accounts.access import readable_compartment_ids, writable_compartment_ids
from crimebook.audit.services import Actor, audit_record
from crimebook.core.errors import NotFound, PermissionDenied, ValidationFailed
from crimebook.jobs import registry
from crimebook.jobs.models import Job
from crimebook.jobs.registry import Message
from crimebook.jobs.runner import OBJECT_TYPE, message_values

__all__ = ["RecoverReport", "can_retry", "job_retry", "job_submit", "jobs_recover"]

logger = logging.getLogger(__name__)
MAX_PARAMETER_BYTES = 16 * 1024
ATTEMPTS = 3
# A queued job whose id the queue has not delivered in this long is put on the queue again
# (a worker killed between taking the id and claiming the job; a lost Redis); a duplicate
# delivery is harmless because a worker claims a job with one conditional update.
LOST_AFTER = timedelta(minutes=15)
UNSENT_AFTER = timedelta(minutes=1)


def _enqueue(job_id: int) -> None:
    """Put a job id on the queue; an unreachable queue leaves the job queued for the sweep."""
    from crimebook.jobs.queue import enqueue

    try:
        enqueue(job_id)
    except Exception as exc:  # Redis down, queue file unwritable: the sweep sends it later
        logger.warning("job %s: could not reach the queue (%s)", job_id, type(exc).__name__)
        return
    Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(enqueued_at=timezone.now())


def _send_after_commit(job_id: int) -> None:
    from crimebook.jobs.queue import HUEY

    if HUEY.immediate:  # tests: run now, in this transaction, so its rows are visible
        Job.objects.filter(pk=job_id).update(enqueued_at=timezone.now())
        _enqueue(job_id)
    else:
        transaction.on_commit(lambda: _enqueue(job_id))


def job_submit(
    *, actor: Actor | None, kind: str, parameters: dict[str, Any],
    compartment_id: int | None = None, subject: tuple[str, object] | None = None,
) -> Job:  # fmt: skip
    """Record a job and queue it. The caller has already checked that ``actor`` may do the
    work; the job's function checks again when it runs (permissions may change meanwhile)."""
    job_kind = registry.get(kind)
    if job_kind is None:
        raise ValidationFailed.single("kind", f"No job kind {kind!r}.")
    try:
        encoded = json.dumps(parameters, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError):
        raise ValidationFailed.single("parameters", "Job parameters must be plain JSON.") from None
    if len(encoded) > MAX_PARAMETER_BYTES:
        raise ValidationFailed.single("parameters", _("Job parameters are too large."))
    subject_type, subject_id = ("", "") if subject is None else (subject[0], str(subject[1]))
    with transaction.atomic():
        job = Job.objects.create(
            kind=kind, parameters=json.loads(encoded), compartment_id=compartment_id,
            created_by_id=None if actor is None else int(actor.pk),
            subject_type=subject_type, subject_id=subject_id, attempt_limit=ATTEMPTS,
        )  # fmt: skip
        audit_record(
            actor=actor, action="job_submit", object_type=OBJECT_TYPE, object_id=job.pk,
            changes={"kind": kind, "parameters": job.parameters,
                     "compartment": compartment_id,
                     "subject": f"{subject_type}:{subject_id}" if subject_type else None},
        )  # fmt: skip
        _send_after_commit(job.pk)
    job.refresh_from_db()
    return job


def can_retry(user: Any, job: Job) -> bool:
    """A failed job may be run again by whoever asked for it, or by a writer of its
    compartment."""
    if job.status != Job.Status.FAILED or not getattr(user, "is_active", False):
        return False
    if job.created_by_id is not None and job.created_by_id == user.pk:
        return True
    return job.compartment_id is not None and job.compartment_id in writable_compartment_ids(user)


def job_retry(*, actor: Any, job: Job) -> Job:
    """Queue a failed job again, with a fresh allowance of attempts (the count goes on)."""
    visible = job.created_by_id == getattr(actor, "pk", None) or (
        job.compartment_id is not None and job.compartment_id in readable_compartment_ids(actor)
    )
    if not visible:
        raise NotFound("job")
    if job.status != Job.Status.FAILED:
        raise ValidationFailed.single("status", _("Only a failed job can be retried."))
    if not can_retry(actor, job):
        raise PermissionDenied(_("Your role in this compartment does not allow changes."))
    with transaction.atomic():
        updated = Job.objects.filter(pk=job.pk, status=Job.Status.FAILED).update(
            status=Job.Status.QUEUED, attempt_limit=job.attempts + ATTEMPTS, message="",
            message_data={},
            progress_done=0, finished_at=None, enqueued_at=None,
        )  # fmt: skip
        if not updated:
            raise ValidationFailed.single("status", _("Only a failed job can be retried."))
        audit_record(
            actor=actor, action="job_retry", object_type=OBJECT_TYPE, object_id=job.pk,
            changes={"kind": job.kind, "attempts_so_far": job.attempts},
        )  # fmt: skip
        _send_after_commit(job.pk)
    job.refresh_from_db()
    return job


def _here(worker: str) -> bool | None:
    """For a worker on this host: is its process gone? None for a worker elsewhere."""
    host, _sep, pid_text = worker.rpartition(":")
    if host != socket.gethostname()[:150] or not pid_text.isdigit():
        return None
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


@dataclass(frozen=True)
class RecoverReport:
    requeued: int
    failed: int
    resent: int


def jobs_recover(*, now: Any = None) -> RecoverReport:
    """Put back running jobs whose worker is gone (a process on this host that has exited, or
    a worker elsewhere whose heartbeat stopped) and re-send queued jobs the queue never delivered. A job
    with no attempts left fails instead, saying its worker stopped."""
    now = now or timezone.now()
    stale_before = now - timedelta(seconds=settings.CRIMEBOOK_JOB_STALE_SECONDS)
    requeued = failed = 0
    running = Job.objects.filter(status=Job.Status.RUNNING).only(
        "pk", "kind", "worker", "attempts", "attempt_limit", "heartbeat_at"
    )
    for job in running:
        # On this host the process table is the truth (a long transaction may hold back a
        # heartbeat; SQLite deployments are single-host); elsewhere the heartbeat is.
        gone = _here(job.worker)
        if gone is None:
            gone = job.heartbeat_at is None or job.heartbeat_at < stale_before
        if not gone:
            continue
        again = job.attempts < job.attempt_limit
        said = message_values(
            Message("job.worker_stopped", {"attempt": job.attempts, "again": again})
        )
        with transaction.atomic():
            moved = Job.objects.filter(
                pk=job.pk, status=Job.Status.RUNNING, worker=job.worker, attempts=job.attempts
            ).update(
                status=Job.Status.QUEUED if again else Job.Status.FAILED, **said,
                enqueued_at=None, finished_at=None if again else now,
            )  # fmt: skip
            if not moved:
                continue
            audit_record(
                actor=None, action="job_recover", object_type=OBJECT_TYPE, object_id=job.pk,
                changes={"kind": job.kind, "attempt": job.attempts,
                         "status": "queued" if again else "failed"},
            )  # fmt: skip
            if again:
                requeued += 1
                _send_after_commit(job.pk)
            else:
                failed += 1
    lost = Job.objects.filter(status=Job.Status.QUEUED).filter(
        Q(enqueued_at__isnull=True, created_at__lt=now - UNSENT_AFTER)
        | Q(enqueued_at__lt=now - LOST_AFTER)
    )
    resent = 0
    for job_id in lost.values_list("pk", flat=True):
        _enqueue(job_id)
        resent += 1
    return RecoverReport(requeued=requeued, failed=failed, resent=resent)
