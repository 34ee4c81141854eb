"""The job pages, the evidence item's link to its job, and the triage button that moves
intake attachments into the vault."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from crimebook.audit.models import AuditEntry
from crimebook.evidence import pipeline
from crimebook.evidence.models import EvidenceItem
from crimebook.evidence.services import evidence_ingest_stream
from crimebook.jobs.kinds import FROM_INTAKE, PROCESS_ITEM
from crimebook.jobs.models import Job
from tests.evidence.helpers import jpeg_bytes

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _upload(actor: Any, compartment: Any, seed: int = 1) -> int:
    outcome = evidence_ingest_stream(
        actor=actor, compartment_id=compartment.pk, name=f"p{seed}.jpg",
        stream=io.BytesIO(jpeg_bytes(seed=seed)),
    )  # fmt: skip
    assert outcome.item_id is not None
    return outcome.item_id


def test_the_list_shows_ones_own_and_ones_compartments_jobs_only(
    vault: Path, investigator: Any, reader: Any, mallory: Any, compartment: Any,
    other_compartment: Any,
) -> None:  # fmt: skip
    mine = Job.objects.get(subject_id=str(_upload(investigator, compartment)))
    theirs = Job.objects.get(subject_id=str(_upload(mallory, other_compartment, seed=2)))
    page = _client(reader).get("/jobs/")
    assert page.status_code == 200
    assert f'href="/jobs/{mine.pk}/"'.encode() in page.content
    assert f'href="/jobs/{theirs.pk}/"'.encode() not in page.content
    assert b"<progress" in page.content and b'http-equiv="refresh"' not in page.content
    assert _client(mallory).get(f"/jobs/{mine.pk}/").status_code == 404
    assert _client(reader).get(f"/jobs/{mine.pk}/").status_code == 200
    # a filter by status; a bad one is ignored
    assert b"#%d" % mine.pk not in _client(reader).get("/jobs/?status=failed").content
    assert _client(reader).get("/jobs/?status=<script>").status_code == 200


def test_a_running_job_refreshes_the_page_without_javascript(
    investigator: Any, compartment: Any
) -> None:
    job = Job.objects.create(
        kind=FROM_INTAKE, status="running", progress_done=2, progress_total=5,
        created_by=investigator, compartment=compartment, attempts=1,
    )  # fmt: skip
    client = _client(investigator)
    for path in ("/jobs/", f"/jobs/{job.pk}/"):
        page = client.get(path)
        assert b'<meta http-equiv="refresh" content="3">' in page.content, path
        assert b'<progress max="5" value="2"' in page.content, path
        assert b"<script" not in page.content
    Job.objects.filter(pk=job.pk).update(status="done", progress_done=5)
    assert b'http-equiv="refresh"' not in client.get(f"/jobs/{job.pk}/").content


def test_a_failed_job_offers_retry_to_writers_only(
    vault: Path, investigator: Any, reader: Any, mallory: Any, compartment: Any,
    settings: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    settings.CRIMEBOOK_JOB_RETRY_SECONDS = 0
    real = pipeline.process_item

    def broken(item_id: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(pipeline, "process_item", broken)
    item_id = _upload(investigator, compartment)
    job = Job.objects.get(subject_id=str(item_id))
    page = _client(investigator).get(f"/jobs/{job.pk}/")
    assert b"disk full" in page.content and f"/jobs/{job.pk}/retry/".encode() in page.content
    assert f"/jobs/{job.pk}/retry/".encode() not in _client(reader).get(f"/jobs/{job.pk}/").content
    assert _client(reader).post(f"/jobs/{job.pk}/retry/").status_code == 403
    assert _client(mallory).post(f"/jobs/{job.pk}/retry/").status_code == 404
    assert _client(investigator).get(f"/jobs/{job.pk}/retry/").status_code == 405
    job.refresh_from_db()
    assert job.status == "failed" and job.attempts == 3
    monkeypatch.setattr(pipeline, "process_item", real)
    response = _client(investigator).post(f"/jobs/{job.pk}/retry/")
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    job.refresh_from_db()
    assert job.status == "done" and job.attempts == 4
    # retrying a finished job changes nothing
    again = _client(investigator).post(f"/jobs/{job.pk}/retry/", follow=True)
    assert b"Only a failed job can be retried." in again.content
    job.refresh_from_db()
    assert job.attempts == 4


def test_the_evidence_page_links_its_metadata_job(
    vault: Path, investigator: Any, compartment: Any
) -> None:
    item_id = _upload(investigator, compartment)
    job = Job.objects.get(kind=PROCESS_ITEM, subject_id=str(item_id))
    page = _client(investigator).get(f"/evidence/{item_id}/")
    assert f'href="/jobs/{job.pk}/"'.encode() in page.content
    detail = _client(investigator).get(f"/jobs/{job.pk}/")
    assert f'href="/evidence/{item_id}/"'.encode() in detail.content


@pytest.fixture
def reviewer(make_user: Any, compartment: Any) -> Any:
    return make_user("intake_reviewer", (compartment,), username="rev")


def test_triage_moves_attachments_into_the_vault_once(
    vault: Path, reviewer: Any, compartment: Any, submission_with: Any
) -> None:
    photo, clip = jpeg_bytes(seed=3, make="Apple"), jpeg_bytes(seed=4)
    sub = submission_with([("IMG_0001.jpg", photo), ("IMG_0002.jpg", clip)])
    client = _client(reviewer)
    page = client.get(f"/triage/{sub.uuid}/")
    assert b"Move attachments to the evidence vault" in page.content
    # WHEN the reviewer presses the button THEN a job moves both files and shows itself
    response = client.post(f"/triage/{sub.uuid}/vault/", {"compartment": compartment.pk})
    job = Job.objects.get(kind=FROM_INTAKE)
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.status == "done" and (job.progress_done, job.progress_total) == (2, 2)
    assert job.message == "2 attachments: 2 stored, 0 already in the vault, 0 failed"
    originals = EvidenceItem.objects.filter(derived_from__isnull=True)
    assert sorted(originals.values_list("sha256", flat=True)) == sorted(
        hashlib.sha256(d).hexdigest() for d in (photo, clip)
    )
    assert {o.original_name for o in originals} == {"IMG_0001.jpg", "IMG_0002.jpg"}
    # each new item got its own metadata job
    assert Job.objects.filter(kind=PROCESS_ITEM, status="done").count() == 2
    assert originals.get(original_name="IMG_0001.jpg").device_make == "Apple"
    detail = client.get(f"/jobs/{job.pk}/")
    assert b"IMG_0002.jpg" in detail.content and b"<td>stored</td>" in detail.content
    assert f"/jobs/{job.pk}/".encode() in client.get(f"/triage/{sub.uuid}/").content
    # WHEN pressed again THEN the hashes are recognised: recorded, nothing stored twice
    client.post(f"/triage/{sub.uuid}/vault/", {"compartment": compartment.pk})
    second = Job.objects.filter(kind=FROM_INTAKE).order_by("-pk").first()
    assert second is not None and second.pk != job.pk and second.status == "done"
    assert second.result["duplicate"] == 2 and second.result["ingested"] == 0
    assert EvidenceItem.objects.filter(derived_from__isnull=True).count() == 2
    assert AuditEntry.objects.filter(action="duplicate").count() == 2
    submit = AuditEntry.objects.filter(action="job_submit", object_id=str(second.pk)).get()
    assert (
        submit.actor_name == "rev" and submit.changes["subject"] == f"intake.submission:{sub.uuid}"
    )


def test_triage_vault_refuses_outsiders_and_foreign_compartments(
    vault: Path, reviewer: Any, investigator: Any, other_compartment: Any,
    compartment: Any, submission_with: Any,
) -> None:  # fmt: skip
    sub = submission_with([("a.jpg", jpeg_bytes(seed=9))])
    # not an intake reviewer: the submission does not exist for them
    assert (
        _client(investigator)
        .post(f"/triage/{sub.uuid}/vault/", {"compartment": compartment.pk})
        .status_code
        == 404
    )
    # a compartment the reviewer cannot write to is not a choice
    page = _client(reviewer).post(
        f"/triage/{sub.uuid}/vault/", {"compartment": other_compartment.pk}, follow=True
    )
    assert b"Choose a compartment you may write to." in page.content
    assert not Job.objects.exists() and not EvidenceItem.objects.exists()


def test_a_changed_intake_file_fails_the_job_with_the_reason(
    vault: Path, reviewer: Any, compartment: Any, submission_with: Any, settings: Any
) -> None:
    sub = submission_with([("a.jpg", jpeg_bytes(seed=11))])
    attachment = sub.attachments.get()
    path = Path(settings.CRIMEBOOK_INTAKE_STORE_DIR) / "sealed" / str(sub.uuid) / attachment.name
    if not path.exists():  # the store's layout is the intake's business: find the file
        path = next(Path(settings.CRIMEBOOK_INTAKE_STORE_DIR).rglob(attachment.name))
    path.write_bytes(path.read_bytes()[:-1] + b"\x00")
    _client(reviewer).post(f"/triage/{sub.uuid}/vault/", {"compartment": compartment.pk})
    job = Job.objects.get(kind=FROM_INTAKE)
    assert job.status == "failed" and job.attempts == 1
    assert job.message.endswith("0 stored, 0 already in the vault, 1 failed")
    assert job.result["outcomes"][0]["reason"] == "sealed attachment changed"
    assert not EvidenceItem.objects.exists()
