"""/api/v1/evidence: list, read, and raw-body ingest streamed into the vault."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from crimebook.accounts.services import api_token_create
from crimebook.evidence.models import EvidenceItem
from tests.evidence.helpers import jpeg_bytes

pytestmark = pytest.mark.django_db


def _auth(user: Any) -> dict[str, str]:
    _, secret = api_token_create(actor=None, user=user, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_raw_body_ingest_then_duplicate_then_read(
    vault: Path, compartment: Any, investigator: Any, mallory: Any
) -> None:
    data = jpeg_bytes(make="Nokia")
    client, auth = Client(), _auth(investigator)
    url = f"/api/v1/evidence?compartment_id={compartment.pk}&name=../../x.jpg"
    first = client.post(url, data=data, content_type="application/octet-stream", **auth)  # type: ignore[arg-type]
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["outcome"] == "ingested"
    assert body["item"]["sha256"] == hashlib.sha256(data).hexdigest()
    assert body["item"]["original_name"] == "x.jpg"
    assert body["item"]["device_make"] == "Nokia" and len(body["item"]["phash"]) == 16
    again = client.post(url, data=data, content_type="application/octet-stream", **auth)  # type: ignore[arg-type]
    assert again.status_code == 200 and again.json()["outcome"] == "duplicate"
    assert EvidenceItem.objects.filter(derived_from__isnull=True).count() == 1
    item_id = body["item"]["id"]
    listed = client.get("/api/v1/evidence", **auth).json()  # type: ignore[arg-type]
    assert [i["id"] for i in listed["items"]] == [item_id]
    assert client.get(f"/api/v1/evidence/{item_id}", **auth).status_code == 200  # type: ignore[arg-type]
    # another compartment's member: not found, and may not ingest here
    other = _auth(mallory)
    assert client.get(f"/api/v1/evidence/{item_id}", **other).status_code == 404  # type: ignore[arg-type]
    assert client.get("/api/v1/evidence", **other).json()["count"] == 0  # type: ignore[arg-type]
    denied = client.post(url, data=b"x", content_type="application/octet-stream", **other)  # type: ignore[arg-type]
    assert denied.status_code == 404


def test_ingest_names_its_processing_job_which_only_the_compartment_sees(
    vault: Path, compartment: Any, investigator: Any, mallory: Any
) -> None:
    client, auth = Client(), _auth(investigator)
    url = f"/api/v1/evidence?compartment_id={compartment.pk}&name=a.jpg"
    # WHEN a file is ingested THEN the answer names the job that processes it
    body = client.post(url, data=jpeg_bytes(seed=3), content_type="application/octet-stream", **auth).json()  # type: ignore[arg-type]  # fmt: skip
    job_id = body["job_id"]
    assert isinstance(job_id, int)
    # AND the job can be followed through the API until it is done
    job = client.get(f"/api/v1/jobs/{job_id}", **auth).json()  # type: ignore[arg-type]
    assert job["kind"] == "evidence.process" and job["status"] == "done"
    assert job["subject_id"] == str(body["item"]["id"]) and job["compartment_id"] == compartment.pk
    listed = client.get("/api/v1/jobs?status=done", **auth).json()  # type: ignore[arg-type]
    assert [j["id"] for j in listed["items"]] == [job_id]
    assert client.get("/api/v1/jobs?status=failed", **auth).json()["count"] == 0  # type: ignore[arg-type]
    # AND a duplicate queues nothing
    again = client.post(url, data=jpeg_bytes(seed=3), content_type="application/octet-stream", **auth).json()  # type: ignore[arg-type]  # fmt: skip
    assert again["outcome"] == "duplicate" and again["job_id"] is None
    # AND another compartment's member does not see it
    other = _auth(mallory)
    assert client.get(f"/api/v1/jobs/{job_id}", **other).status_code == 404  # type: ignore[arg-type]
    assert client.get("/api/v1/jobs", **other).json()["count"] == 0  # type: ignore[arg-type]
