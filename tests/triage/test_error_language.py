"""Triage refusals in the reviewer's language: the page message or form error is Russian or
Belarusian (without a field name in front), never the English source, and nothing is
written."""

from __future__ import annotations

from typing import Any

import pytest

from crimebook.audit.models import AuditEntry
from crimebook.jobs.models import Job
from crimebook.register.models import Incident, Source
from crimebook.triage.models import Review
from tests.clients import speaking

pytestmark = pytest.mark.django_db


def test_a_duplicate_without_its_original_is_refused_in_russian(
    receive: Any, reviewer: Any
) -> None:
    # GIVEN a submission and a reviewer reading in Russian
    submission, _ = receive()
    client = speaking(reviewer, "ru")
    audit = AuditEntry.objects.count()
    # WHEN they mark it as a duplicate without naming the submission it repeats
    page = client.post(f"/triage/{submission.uuid}/mark/", {"state": "duplicate"}, follow=True)
    # THEN the page says so in Russian, with no field name, and nothing is marked
    html = page.content.decode()
    assert "Укажите обращение, дубликатом которого является это." in html
    assert "Name the submission" not in html and "duplicate_of:" not in html
    assert not Review.objects.filter(submission=submission, state="duplicate").exists()
    assert AuditEntry.objects.count() == audit


def test_moving_no_attachments_is_refused_in_russian(
    receive: Any, reviewer: Any, compartment: Any
) -> None:
    submission, _ = receive()
    client = speaking(reviewer, "ru")
    page = client.post(
        f"/triage/{submission.uuid}/vault/", {"compartment": compartment.pk}, follow=True
    )
    html = page.content.decode()
    assert "У этого обращения нет вложений." in html
    assert "no attachments" not in html and "submission:" not in html
    assert not Job.objects.exists()


def test_acts_without_a_victim_are_refused_in_belarusian(
    receive: Any, reviewer: Any, compartment: Any
) -> None:
    submission, _ = receive()
    client = speaking(reviewer, "be")
    sources, incidents = Source.objects.count(), Incident.objects.count()
    page = client.post(f"/triage/{submission.uuid}/convert/", {
        "compartment": compartment.pk, "title": "Збіццё каля метро", "precision": "part_of_day",
        "act_types": ["beating"],
    })  # fmt: skip
    html = page.content.decode()
    assert page.status_code == 200
    assert "Для дзеянняў патрэбны пацярпелы: адзначце «Стварыць запіс пра пацярпелага»." in html
    assert "Acts need a victim" not in html
    assert (Source.objects.count(), Incident.objects.count()) == (sources, incidents)
