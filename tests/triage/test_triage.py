"""Triage: GIVEN sealed submissions, WHEN an intake reviewer opens, replies, marks and converts
them, THEN each step is audited, replies open only with the codename, and every register
record links back to its submission. Others see nothing (404)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from crimebook.audit.models import AuditEntry
from crimebook.core.errors import NotFound, ValidationFailed
from crimebook.intake.services import source_open
from crimebook.register.models import Act, Incident, Person, Source
from crimebook.triage import prefill
from crimebook.triage.models import RecordLink, Review
from crimebook.triage.selectors import submission_get_for, submissions_for
from crimebook.triage.services import (
    ConversionData,
    reply_send,
    submission_convert,
    submission_mark,
    submission_open,
)


def test_only_intake_reviewers_see_the_queue(
    receive: Any, reviewer: Any, investigator: Any
) -> None:
    submission, _ = receive()
    assert list(submissions_for(reviewer)) == [submission]
    assert list(submissions_for(investigator)) == []
    with pytest.raises(NotFound):
        submission_get_for(investigator, submission.uuid)
    with pytest.raises(NotFound):
        submission_open(actor=investigator, submission=submission)


def test_open_decrypts_in_the_workspace_and_is_audited(receive: Any, reviewer: Any) -> None:
    submission, _ = receive()
    opened = submission_open(actor=reviewer, submission=submission)
    assert opened.sealed_sha256_ok
    assert opened.document["report"]["perpetrators_unit"] == "OMON"
    entry = AuditEntry.objects.filter(action="open_submission").get()
    assert entry.object_id == str(submission.uuid) and entry.actor_id == reviewer.pk
    assert Review.objects.get(submission=submission).state == "opened"


def test_reply_is_sealed_to_the_codename(receive: Any, reviewer: Any) -> None:
    submission, codename = receive()
    reply = reply_send(actor=reviewer, submission=submission, text="Which unit was it?")
    assert b"Which unit" not in bytes(reply.sealed)
    opened = source_open(codename=codename)
    assert opened is not None and opened.replies == ("Which unit was it?",)
    _, other_codename = receive()
    other = source_open(codename=other_codename)
    assert other is not None and other.replies == ()
    entry = AuditEntry.objects.get(action="reply")
    assert "Which unit" not in str(entry.changes)


def test_mark_spam_and_duplicate(receive: Any, reviewer: Any) -> None:
    first, _ = receive()
    second, _ = receive()
    submission_mark(actor=reviewer, submission=first, state="spam")
    review = submission_mark(
        actor=reviewer, submission=second, state="duplicate", duplicate_of=first
    )
    assert review.duplicate_of == first
    with pytest.raises(ValidationFailed):
        submission_mark(actor=reviewer, submission=second, state="duplicate")
    assert list(submissions_for(reviewer, state="spam")) == [first]
    assert AuditEntry.objects.filter(action="mark_submission").count() == 2


def test_convert_creates_linked_records_with_consent(
    receive: Any, reviewer: Any, compartment: Any
) -> None:
    submission, _ = receive(insider=True)
    report = submission_open(actor=reviewer, submission=submission).document["report"]
    initial = prefill.initial(report, "Europe/Minsk")
    assert initial["precision"] == "part_of_day"
    assert initial["start"] == datetime(2020, 8, 10, 15, 0, tzinfo=UTC)  # 18:00 Minsk
    result = submission_convert(
        actor=reviewer,
        submission=submission,
        data=ConversionData(
            compartment_id=compartment.pk,
            title=initial["title"],
            description=initial["description"],
            start=initial["start"],
            end=initial["end"],
            precision=initial["precision"],
            place_name=initial["place_name"],
            latitude=initial["latitude"],
            longitude=initial["longitude"],
            radius_m=initial["radius_m"],
            violation_types=tuple(initial["violation_types"]),
            act_types=("beating", "arbitrary_detention"),
            injuries=("bruising",),
            detention_place="okrestina_cip",
            consent_investigation=initial["consent_investigation"],
            consent_prosecution=initial["consent_prosecution"],
        ),
    )
    source = Source.objects.get(pk=result.source_id)
    assert source.kind == "insider" and source.consent_prosecution
    assert source.external_id == f"intake:{submission.uuid}"
    incident = Incident.objects.get(pk=result.incident_id)
    assert list(incident.sources.all()) == [source]
    assert "OMON" in incident.description
    assert Act.objects.filter(incident=incident).count() == 2
    assert Person.objects.get(pk=result.person_id).is_victim
    links = {(link.object_type, link.object_id) for link in RecordLink.objects.all()}
    assert ("register.incident", str(incident.pk)) in links
    assert len(links) == 1 + 1 + 1 + 2
    assert Review.objects.get(submission=submission).state == "converted"
    with pytest.raises(ValidationFailed):
        submission_convert(
            actor=reviewer,
            submission=submission,
            data=ConversionData(compartment_id=compartment.pk, title="again"),
        )


def test_convert_into_a_compartment_the_reviewer_cannot_write(
    receive: Any, reviewer: Any, other_compartment: Any
) -> None:
    submission, _ = receive()
    with pytest.raises(NotFound):
        submission_convert(
            actor=reviewer,
            submission=submission,
            data=ConversionData(compartment_id=other_compartment.pk, title="x"),
        )
    assert not RecordLink.objects.exists() and not Source.objects.exists()


def test_pages(receive: Any, reviewer: Any, investigator: Any, compartment: Any) -> None:
    submission, codename = receive()
    client = Client()
    client.force_login(reviewer)
    assert client.get("/triage/").status_code == 200
    page = client.get(f"/triage/{submission.uuid}/")
    assert page.status_code == 200 and b"OMON" not in page.content  # not decrypted on GET
    opened = client.post(f"/triage/{submission.uuid}/")
    assert opened.status_code == 200 and b"OMON" in opened.content
    client.post(f"/triage/{submission.uuid}/reply/", {"text": "Thank you. Any photos?"})
    assert source_open(codename=codename).replies == ("Thank you. Any photos?",)  # type: ignore[union-attr]
    converted = client.post(
        f"/triage/{submission.uuid}/convert/",
        {
            "compartment": compartment.pk,
            "title": "Beating at Pushkinskaya",
            "precision": "part_of_day",
            "create_victim": "on",
            "act_types": ["beating"],
        },
    )
    assert converted.status_code == 302
    assert Incident.objects.filter(title="Beating at Pushkinskaya").exists()
    outsider = Client()
    outsider.force_login(investigator)
    assert outsider.get(f"/triage/{submission.uuid}/").status_code == 404
    assert b"Pushkinskaya" not in outsider.get("/triage/").content
