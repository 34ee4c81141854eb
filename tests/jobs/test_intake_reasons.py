"""Why an intake attachment was not moved, in the reader's language: the intake door stores a
reason as a key and parameters (``reason_data``) beside its English ``reason``; the job page,
the triage page and the API word it in Russian and Belarusian; an outcome stored with only
English (older rows) keeps showing it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from django.utils.html import escape

from crimebook.accounts.services import api_token_create
from crimebook.evidence import reasons
from crimebook.evidence.models import EvidenceItem
from crimebook.jobs.kinds import FROM_INTAKE
from crimebook.jobs.models import Job
from tests.evidence.helpers import jpeg_bytes

CYRILLIC = re.compile("[а-яёіў]", re.IGNORECASE)
SAMPLES: dict[str, dict[str, Any]] = {
    "intake.sealed_changed": {},
    "intake.hash_mismatch": {},
    "intake.undecryptable": {"error": "no identity matched"},
    "evidence.not_sealed": {"error": "writing failed"},
    "evidence.not_stored": {"error": "timed out"},
}
SAID = {
    "en": "sealed attachment changed",
    "ru": "зашифрованное вложение изменилось",
    "be": "зашыфраванае ўкладанне змянілася",
}


@pytest.fixture
def reviewer(make_user: Any, compartment: Any) -> Any:
    return make_user("intake_reviewer", (compartment,), username="rev")


def _client(user: Any, lang: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    client.force_login(user)
    return client


# --- the wording itself ---------------------------------------------------------------------


def test_every_reason_has_a_sample_here() -> None:
    assert set(SAMPLES) == set(reasons._WORDINGS)


@pytest.mark.parametrize("lang", ["ru", "be"])
@pytest.mark.parametrize("key", sorted(SAMPLES))
def test_every_reason_is_worded_in_russian_and_belarusian(lang: str, key: str) -> None:
    params = SAMPLES[key]
    english = reasons.english(reasons.Reason(key, params))
    with translation.override(lang):
        said = reasons.word(key, params)
    assert said != english and CYRILLIC.search(said), (key, lang, said)
    for value in params.values():
        assert str(value) in said, (key, lang, said)


def test_the_stored_english_is_unchanged_and_bad_structures_fall_back() -> None:
    stored = reasons.fields(reasons.Reason("evidence.not_stored", {"error": "timed out"}))
    # the CLI and API clients read this English; the folder import matches its start
    assert stored["reason"] == "could not be stored: timed out; nothing stored"
    assert stored["reason_data"] == {
        "v": 1, "key": "evidence.not_stored", "params": {"error": "timed out"},
    }  # fmt: skip
    for data in (
        None, "text", {"v": 2, "key": "intake.sealed_changed"}, {"v": 1, "key": "no.such"},
        {"v": 1, "key": "evidence.not_stored", "params": {}},
        {"v": 1, "key": "evidence.not_stored", "params": {"error": 5}},
    ):  # fmt: skip
        with translation.override("ru"):
            assert reasons.reason_shown({"reason": "as stored", "reason_data": data}) == (
                "as stored"
            )
    assert reasons.reason_code({"reason": "x"}) == ""
    assert reasons.reason_shown({}) == ""


# --- a real intake job: pages and API -------------------------------------------------------


def _changed_intake_job(
    submission_with: Any, reviewer: Any, compartment: Any, store: Path
) -> tuple[Any, Job]:
    sub = submission_with([("secret-name-1.jpg", jpeg_bytes(seed=21))])
    attachment = sub.attachments.get()
    path = next(store.rglob(attachment.name))
    path.write_bytes(path.read_bytes()[:-1] + b"\x00")
    _client(reviewer, "en").post(f"/triage/{sub.uuid}/vault/", {"compartment": compartment.pk})
    return sub, Job.objects.get(kind=FROM_INTAKE)


@pytest.mark.django_db
def test_a_changed_attachment_says_why_in_russian_and_belarusian(
    vault: Path, reviewer: Any, compartment: Any, submission_with: Any,
    settings: Any,
) -> None:  # fmt: skip
    sub, job = _changed_intake_job(
        submission_with, reviewer, compartment, Path(settings.CRIMEBOOK_INTAKE_STORE_DIR)
    )
    assert job.status == "failed" and not EvidenceItem.objects.exists()
    outcome = job.result["outcomes"][0]
    assert outcome["reason"] == "sealed attachment changed"
    assert outcome["reason_data"] == {"v": 1, "key": "intake.sealed_changed", "params": {}}
    _, secret = api_token_create(actor=None, user=reviewer, name="t")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    for lang, said in SAID.items():
        client = _client(reviewer, lang)
        detail = client.get(f"/jobs/{job.pk}/").content.decode()
        assert f"<td>{escape(said)}</td>" in detail, lang
        triage = client.get(f"/triage/{sub.uuid}/").content.decode()
        assert f"<li>{escape(said)}</li>" in triage, lang
        # the triage page names no file of the submission before it is opened (audited)
        assert "secret-name-1.jpg" not in triage
        body = api.get(f"/api/v1/jobs/{job.pk}", HTTP_ACCEPT_LANGUAGE=lang).json()
        shown = body["result"]["outcomes"][0]
        assert shown["reason"] == "sealed attachment changed", lang
        assert shown["reason_localized"] == said and shown["reason_code"] == (
            "intake.sealed_changed"
        )
        listed = api.get("/api/v1/jobs", HTTP_ACCEPT_LANGUAGE=lang).json()
        mine = next(x for x in listed["items"] if x["id"] == job.pk)
        assert mine["result"]["outcomes"][0]["reason_localized"] == said
    # reading changes nothing stored
    job.refresh_from_db()
    assert job.result["outcomes"][0] == outcome and "reason_localized" not in outcome


@pytest.mark.django_db
def test_an_outcome_with_only_english_keeps_showing_it(reviewer: Any, compartment: Any) -> None:
    old = Job.objects.create(
        kind=FROM_INTAKE, status="failed", created_by=reviewer, compartment=compartment,
        subject_type="intake.submission", subject_id="00000000-0000-4000-8000-000000000001",
        result={"outcomes": [
            {"path": "a.jpg", "outcome": "failed", "item_id": None, "sha256": "", "size": 0,
             "reason": "sealed attachment changed"},
            {"path": "b.jpg", "outcome": "ingested", "item_id": None, "sha256": "", "size": 0,
             "reason": ""},
        ], "ingested": 1, "duplicate": 0, "failed": 1},
    )  # fmt: skip
    _, secret = api_token_create(actor=None, user=reviewer, name="t")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    for lang in ("ru", "be"):
        detail = _client(reviewer, lang).get(f"/jobs/{old.pk}/").content.decode()
        assert "<td>sealed attachment changed</td>" in detail, lang
        body = api.get(f"/api/v1/jobs/{old.pk}", HTTP_ACCEPT_LANGUAGE=lang).json()
        first, second = body["result"]["outcomes"]
        assert first["reason_localized"] == "sealed attachment changed"
        assert first["reason_code"] == "" and second["reason_localized"] == ""
