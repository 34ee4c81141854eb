"""A refused job retry is said in the reader's language on the job page, without the
service's field name in front."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from crimebook.audit.models import AuditEntry
from crimebook.evidence.services import evidence_ingest_stream
from crimebook.jobs.models import Job
from tests.evidence.helpers import jpeg_bytes

pytestmark = pytest.mark.django_db


def test_retrying_a_finished_job_is_refused_in_russian(
    vault: Path, investigator: Any, compartment: Any
) -> None:
    # GIVEN a finished job and its owner reading in Russian
    outcome = evidence_ingest_stream(
        actor=investigator, compartment_id=compartment.pk, name="p.jpg",
        stream=io.BytesIO(jpeg_bytes(seed=5)),
    )  # fmt: skip
    job = Job.objects.get(subject_id=str(outcome.item_id))
    assert job.status == "done"
    client = Client(HTTP_ACCEPT_LANGUAGE="ru")
    client.force_login(investigator)
    client.cookies["django_language"] = "ru"
    audit = AuditEntry.objects.count()
    # WHEN they press "retry"
    page = client.post(f"/jobs/{job.pk}/retry/", follow=True)
    # THEN the page says why in Russian, the field name is not shown, and nothing changes
    html = page.content.decode()
    assert "Повторить можно только задачу, завершившуюся ошибкой." in html
    assert "status:" not in html and "Only a failed job" not in html
    assert Job.objects.get(pk=job.pk).attempts == job.attempts
    assert AuditEntry.objects.count() == audit
