"""Submitting, running, retrying and recovering jobs (in process; tests/jobs/test_worker.py
runs real worker processes)."""

from __future__ import annotations

import io
import os
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from crimebook.audit.models import AuditEntry
from crimebook.audit.selectors import audit_chain_verify
from crimebook.core.errors import NotFound, PermissionDenied, ValidationFailed
from crimebook.evidence import pipeline
from crimebook.evidence.models import EvidenceItem
from crimebook.evidence.services import evidence_ingest_stream
from crimebook.jobs.kinds import PROCESS_ITEM
from crimebook.jobs.models import Job
from crimebook.jobs.runner import job_execute, worker_token
from crimebook.jobs.services import job_retry, job_submit, jobs_recover
from tests.evidence.helpers import jpeg_bytes

pytestmark = pytest.mark.django_db


def _upload(actor: Any, compartment: Any, data: bytes | None = None) -> int:
    outcome = evidence_ingest_stream(
        actor=actor, compartment_id=compartment.pk, name="metro.jpg",
        stream=io.BytesIO(data or jpeg_bytes(make="Xiaomi")),
    )  # fmt: skip
    assert outcome.item_id is not None
    return outcome.item_id


def _job_of(item_id: int) -> Job:
    return Job.objects.get(kind=PROCESS_ITEM, subject_id=str(item_id))


def _actions(job: Job) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_type="jobs.job", object_id=str(job.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )


def test_an_upload_runs_its_processing_as_a_job(
    vault: Path, investigator: Any, compartment: Any
) -> None:
    item_id = _upload(investigator, compartment)
    job = _job_of(item_id)
    assert job.status == "done" and job.attempts == 1
    assert (job.progress_done, job.progress_total) == (1, 1)
    assert job.created_by == investigator and job.compartment == compartment
    assert job.message == "metadata extracted"
    assert job.result["derivatives"] and job.finished_at is not None
    item = EvidenceItem.objects.get(pk=item_id)
    assert item.metadata_status == "extracted" and item.device_make == "Xiaomi"
    assert _actions(job) == ["job_submit", "job_done"]
    assert audit_chain_verify().ok


def test_a_duplicate_upload_queues_no_job(vault: Path, investigator: Any, compartment: Any) -> None:
    data = jpeg_bytes(seed=5)
    _upload(investigator, compartment, data)
    _upload(investigator, compartment, data)
    assert Job.objects.filter(kind=PROCESS_ITEM).count() == 1


def test_the_queue_carries_only_the_id_and_the_row_is_written_first(
    vault: Path, investigator: Any, compartment: Any, queued: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    # GIVEN the real queue: nothing is sent before the upload's transaction commits
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        item_id = _upload(investigator, compartment)
    job = _job_of(item_id)
    assert job.status == "queued" and queued.pending_count() == 0 and callbacks
    assert EvidenceItem.objects.get(pk=item_id).metadata_status == "pending"
    # WHEN it commits THEN one message with the job id waits in the queue
    for callback in callbacks:  # (other apps may add their own, e.g. the search index)
        callback()
    assert queued.pending_count() == 1
    task = queued.dequeue()
    assert task.args == (job.pk,)
    # AND a worker running it does the work; a second delivery of the same id does nothing
    queued.execute(task)
    job.refresh_from_db()
    assert job.status == "done" and job.attempts == 1 and job.enqueued_at is not None
    assert job_execute(job.pk) is None
    job.refresh_from_db()
    assert job.attempts == 1
    assert EvidenceItem.objects.get(pk=item_id).derivatives.count() == 1


def test_a_transient_failure_is_retried_and_each_attempt_recorded(
    vault: Path, investigator: Any, compartment: Any, settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    settings.CRIMEBOOK_JOB_RETRY_SECONDS = 0
    real = pipeline.process_item
    calls: list[int] = []

    def flaky(item_id: int) -> None:
        calls.append(item_id)
        if len(calls) == 1:
            raise ConnectionError("database went away")
        real(item_id)

    monkeypatch.setattr(pipeline, "process_item", flaky)
    item_id = _upload(investigator, compartment)
    job = _job_of(item_id)
    assert job.status == "done" and job.attempts == 2 and len(calls) == 2
    assert _actions(job) == ["job_submit", "job_attempt_failed", "job_done"]
    entry = AuditEntry.objects.get(object_id=str(job.pk), action="job_attempt_failed")
    assert entry.changes["attempt"] == 1 and "database went away" in entry.changes["message"]
    assert EvidenceItem.objects.get(pk=item_id).derivatives.count() == 1


def test_a_retry_waits_in_huey_schedule(
    vault: Path, investigator: Any, compartment: Any, settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    from crimebook.jobs.queue import HUEY

    settings.CRIMEBOOK_JOB_RETRY_SECONDS = 30

    def down(item_id: int) -> None:
        raise ConnectionError("object store unreachable")

    monkeypatch.setattr(pipeline, "process_item", down)
    before = HUEY.scheduled_count()
    job = _job_of(_upload(investigator, compartment))
    assert job.status == "queued" and job.attempts == 1
    assert "will retry" in job.message and "object store unreachable" in job.message
    assert HUEY.scheduled_count() == before + 1


def test_failing_every_attempt_fails_the_job_and_a_retry_runs_it_again(
    vault: Path, investigator: Any, compartment: Any, settings: Any,
    monkeypatch: pytest.MonkeyPatch, reader: Any, mallory: Any,
) -> None:  # fmt: skip
    settings.CRIMEBOOK_JOB_RETRY_SECONDS = 0
    real = pipeline.process_item

    def broken(item_id: int) -> None:
        raise OSError("No space left on device")

    monkeypatch.setattr(pipeline, "process_item", broken)
    item_id = _upload(investigator, compartment)
    job = _job_of(item_id)
    assert job.status == "failed" and job.attempts == 3
    assert job.message == "No space left on device"
    assert EvidenceItem.objects.get(pk=item_id).metadata_status == "pending"
    # a reader of the compartment may not retry it; someone outside it does not see it
    with pytest.raises(PermissionDenied):
        job_retry(actor=reader, job=job)
    with pytest.raises(NotFound):
        job_retry(actor=mallory, job=job)
    monkeypatch.setattr(pipeline, "process_item", real)
    job = job_retry(actor=investigator, job=job)
    assert job.status == "done" and job.attempts == 4 and job.attempt_limit == 6
    assert _actions(job)[-2:] == ["job_retry", "job_done"]
    # a job that is not failed cannot be retried
    with pytest.raises(ValidationFailed):
        job_retry(actor=investigator, job=job)


def test_a_missing_item_fails_at_once(vault: Path, investigator: Any, compartment: Any) -> None:
    job = job_submit(
        actor=investigator, kind=PROCESS_ITEM, parameters={"item_id": 987654},
        compartment_id=compartment.pk,
    )  # fmt: skip
    assert job.status == "failed" and job.attempts == 1
    assert job.message == "evidence item 987654 does not exist"
    bad = job_submit(actor=investigator, kind=PROCESS_ITEM, parameters={"item_id": "7; DROP"})
    assert bad.status == "failed" and "not a record id" in bad.message


@pytest.mark.parametrize(
    ("kind", "parameters", "field"),
    [
        ("no.such.kind", {}, "kind"),
        (PROCESS_ITEM, {"item_id": float("nan")}, "parameters"),
        (PROCESS_ITEM, {"item_id": object()}, "parameters"),
        (PROCESS_ITEM, {"blob": "x" * 20_000}, "parameters"),
    ],
)
def test_bad_submissions_are_refused_and_change_nothing(
    investigator: Any, kind: str, parameters: dict[str, Any], field: str
) -> None:
    entries = AuditEntry.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        job_submit(actor=investigator, kind=kind, parameters=parameters)
    assert field in caught.value.errors
    assert not Job.objects.exists() and AuditEntry.objects.count() == entries


def _dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def _running(worker: str, *, beat_age: timedelta, attempts: int = 1, limit: int = 3) -> Job:
    now = timezone.now()
    return Job.objects.create(
        kind=PROCESS_ITEM, parameters={"item_id": 987654}, status="running", worker=worker,
        attempts=attempts, attempt_limit=limit, started_at=now - beat_age,
        heartbeat_at=now - beat_age, enqueued_at=now - beat_age,
    )  # fmt: skip


def test_recovery_puts_back_jobs_whose_worker_is_gone(
    queued: Any, django_capture_on_commit_callbacks: Any
) -> None:
    host = worker_token().rsplit(":", 1)[0]
    dead_here = _running(f"{host}:{_dead_pid()}", beat_age=timedelta(seconds=5))
    alive_here = _running(worker_token(), beat_age=timedelta(seconds=5))
    silent_elsewhere = _running("other-host:41", beat_age=timedelta(minutes=10))
    busy_elsewhere = _running("other-host:42", beat_age=timedelta(seconds=5))
    last_attempt = _running("other-host:43", beat_age=timedelta(minutes=10), attempts=3)
    with django_capture_on_commit_callbacks(execute=True):
        report = jobs_recover()
    assert (report.requeued, report.failed) == (2, 1)
    status = {j.pk: j.status for j in Job.objects.all()}
    assert status[dead_here.pk] == "queued" and status[silent_elsewhere.pk] == "queued"
    assert status[alive_here.pk] == "running" and status[busy_elsewhere.pk] == "running"
    assert status[last_attempt.pk] == "failed"
    assert "no attempts left" in Job.objects.get(pk=last_attempt.pk).message
    assert queued.pending_count() == 2
    assert AuditEntry.objects.filter(action="job_recover").count() == 3


def test_a_job_the_queue_never_got_is_sent_again(
    vault: Path, investigator: Any, compartment: Any, queued: Any,
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    from crimebook.jobs import queue

    # GIVEN an unreachable queue: the upload still succeeds, its job waits unsent
    def unreachable(job_id: int) -> None:
        raise ConnectionError("redis: connection refused")

    monkeypatch.setattr(queue, "enqueue", unreachable)
    with django_capture_on_commit_callbacks(execute=True):
        item_id = _upload(investigator, compartment)
    job = _job_of(item_id)
    assert job.status == "queued" and job.enqueued_at is None
    # WHEN the queue is back and the sweep runs a minute later THEN it is sent once
    monkeypatch.undo()
    assert jobs_recover().resent == 0  # too early: the commit hook may still be sending it
    report = jobs_recover(now=timezone.now() + timedelta(minutes=2))
    assert report.resent == 1 and queued.pending_count() == 1
    job.refresh_from_db()
    assert job.enqueued_at is not None


def test_abandoned_plaintext_copies_are_removed_and_nothing_else(tmp_path: Path) -> None:
    from crimebook.jobs.housekeeping import PLAINTEXT_MAX_AGE, remove_stale_plaintext

    staging = tmp_path / ".staging"
    staging.mkdir()
    now = 1_800_000_000.0
    old, fresh = staging / "inspect-aaa.tmp", staging / "inspect-bbb.tmp"
    part, outside = staging / "ccc.part", tmp_path / "inspect-ddd.tmp"
    for path in (old, fresh, part, outside):
        path.write_bytes(b"x")
    target = tmp_path / "keep.txt"
    target.write_bytes(b"k")
    link = staging / "inspect-link.tmp"
    link.symlink_to(target)
    stale = now - PLAINTEXT_MAX_AGE - 1
    for path in (old, part, outside, target):
        os.utime(path, (stale, stale))
    os.utime(fresh, (now - 60, now - 60))
    assert remove_stale_plaintext(staging, now=now) == 1
    assert not old.exists() and fresh.exists() and part.exists() and outside.exists()
    assert target.exists() and link.is_symlink()


def test_copy_of_a_killed_process_is_removed_at_once(tmp_path: Path) -> None:
    import subprocess
    import sys

    from crimebook.jobs import housekeeping as hk

    # GIVEN fresh inspection copies: one of a process that has exited, one of this process,
    # one of a process on another host sharing the directory
    staging = tmp_path / ".staging"
    staging.mkdir()
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    host = hk._host_tag()
    dead = staging / f"inspect-{host}-{child.pid}-aa.tmp"
    mine = staging / hk.inspection_copy_name()
    remote = staging / f"inspect-{'0' * 8 if host != '0' * 8 else '1' * 8}-{child.pid}-bb.tmp"
    for path in (dead, mine, remote):
        path.write_bytes(b"x")
    # WHEN the sweep runs (nothing is old) THEN only the dead local process's copy goes
    assert hk.remove_stale_plaintext(staging) == 1
    assert not dead.exists() and mine.exists() and remote.exists()
    assert mine.name.startswith(f"inspect-{host}-{os.getpid()}-")


def test_messages_and_results_keep_no_control_characters() -> None:
    from crimebook.jobs.runner import clean_text

    dirty = {"a\x00": ["x\x00y", "tab\tnew\nline\x1b[31m", 3, None], "ok": "Збіццё"}
    assert clean_text(dirty) == {
        "a\ufffd": ["x\ufffdy", "tab\tnew\nline\ufffd[31m", 3, None],
        "ok": "Збіццё",
    }
