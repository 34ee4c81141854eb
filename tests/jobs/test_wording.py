"""Job messages in the reader's language: a job stores what it says as a key and parameters
(``message_data``) beside its English ``message``; the job pages, the triage page and the API
word it in Russian and Belarusian (plural forms for counts); a job stored with only English
(older rows, an exception's own text) keeps showing it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from django.utils.html import escape

from crimebook.accounts.services import api_token_create
from crimebook.jobs import wording
from crimebook.jobs.kinds import IMPORT_FILE
from crimebook.jobs.models import Job
from crimebook.jobs.registry import Message
from crimebook.jobs.runner import message_values

CYRILLIC = re.compile("[а-яёіў]", re.IGNORECASE)

# every message a job can say, with parameters as the kinds give them
SAMPLES: dict[str, dict[str, Any]] = {
    "job.unknown_kind": {"kind": "x.y"},
    "job.actor_inactive": {},
    "job.bad_parameter": {"name": "item_id"},
    "job.attempt_failed": {"attempt": 2, "error": "OSError"},
    "job.worker_stopped": {"attempt": 3, "again": False},
    "evidence.item_missing": {"item_id": 7},
    "evidence.metadata_extracted": {},
    "evidence.no_metadata": {},
    "evidence.unparsable": {"error": "truncated"},
    "evidence.nothing_to_do": {},
    "intake.bad_submission": {},
    "intake.no_submission": {},
    "intake.refused": {"error": "closed"},
    "intake.summary": {"total": 5, "ingested": 3, "duplicate": 1, "failed": 1},
    "import.bad_parameters": {},
    "import.file_missing": {"item_id": 7},
    "import.summary": {
        "dry_run": True,
        "summaries": [{"kind": "incidents", "rows": 2, "created": 2, "updated": 0, "skipped": 0}],
    },
    "import.unreadable": {"error": "not UTF-8."},
    "import.no_write_access": {},
    "import.rejected": {"count": 3},
}


def _client(user: Any, lang: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    client.force_login(user)
    return client


# --- the wording itself ---------------------------------------------------------------------


def test_every_message_has_a_sample_here() -> None:
    assert set(SAMPLES) == set(wording._WORDINGS)


@pytest.mark.parametrize("lang", ["ru", "be"])
@pytest.mark.parametrize("key", sorted(SAMPLES))
def test_every_message_is_worded_in_russian_and_belarusian(lang: str, key: str) -> None:
    params = SAMPLES[key]
    english = wording.english(Message(key, params))
    with translation.override(lang):
        said = wording.word(key, params)
    assert said != english and CYRILLIC.search(said), (key, lang, said)
    # the parameters a kind passes on are all in the sentence
    for value in params.values():
        if isinstance(value, str | int) and not isinstance(value, bool):
            assert str(value) in said, (key, lang, said)


@pytest.mark.parametrize(
    ("lang", "count", "expected"),
    [
        ("en", 1, "1 row rejected;"), ("en", 2, "2 rows rejected;"),
        ("ru", 1, "1 строка отклонена;"), ("ru", 3, "3 строки отклонены;"),
        ("ru", 5, "5 строк отклонено;"), ("ru", 11, "11 строк отклонено;"),
        ("ru", 21, "21 строка отклонена;"), ("be", 1, "1 радок адхілены;"),
        ("be", 4, "4 радкі адхілены;"), ("be", 12, "12 радкоў адхілена;"),
    ],
)  # fmt: skip
def test_counts_take_the_plural_form_of_the_language(lang: str, count: int, expected: str) -> None:
    with translation.override(lang):
        assert wording.word("import.rejected", {"count": count}).startswith(expected)


def test_the_stored_english_is_the_english_wording_and_parameters_are_cleaned() -> None:
    values = message_values(Message("evidence.unparsable", {"error": "bad\x00file " + "x" * 2000}))
    assert values["message"].startswith("the file could not be parsed: bad\ufffdfile x")
    data = values["message_data"]
    assert data["v"] == wording.VERSION and data["key"] == "evidence.unparsable"
    assert "\x00" not in data["params"]["error"] and len(data["params"]["error"]) <= 900
    # plain text (an exception's own) is kept as it is, with no structure
    assert message_values("No space left on device") == {
        "message": "No space left on device", "message_data": {},
    }  # fmt: skip
    # a key nobody registered does not break the job: its key is the message
    assert message_values(Message("nobody.knows")) == {
        "message": "nobody.knows",
        "message_data": {},
    }


# --- stored jobs, pages and API -------------------------------------------------------------

HEADER = "external_id,title,start,latitude,longitude,violation_types\r\n"
BAD = HEADER + "a-1,Beating at the metro,10.08.2020 22:30,53.9,27.5,torture\r\n"
BAD += "a-3,,99.99.2020,95.0,27.5,\r\n"


def _failed_import(vault: Path, user: Any, compartment: Any) -> Job:
    client = Client()
    client.force_login(user)
    client.post("/imports/new/", {
        "compartment": compartment.pk, "kind": "incidents", "format": "auto",
        "on_duplicate": "skip",
        "file": SimpleUploadedFile("incidents.csv", BAD.encode("utf-8"), "text/csv"),
    })  # fmt: skip
    return Job.objects.get(kind=IMPORT_FILE)


@pytest.mark.django_db
def test_a_failed_import_says_why_in_russian_and_belarusian_on_the_pages(
    vault: Path, investigator: Any, compartment: Any
) -> None:
    job = _failed_import(vault, investigator, compartment)
    assert job.status == "failed"
    assert job.message == "1 row rejected; nothing was imported (all or nothing)"
    assert job.message_data == {"v": 1, "key": "import.rejected", "params": {"count": 1}}
    for lang, said in (
        ("ru", "1 строка отклонена; ничего не импортировано (всё или ничего)"),
        ("be", "1 радок адхілены; нічога не імпартавана (усё або нічога)"),
        ("en", "1 row rejected; nothing was imported (all or nothing)"),
    ):
        client = _client(investigator, lang)
        detail = client.get(f"/jobs/{job.pk}/").content.decode()
        assert f"<dd>{escape(said)}</dd>" in detail, lang
        assert escape(said) in client.get("/jobs/").content.decode(), lang
    # the stored English is untouched by reading
    job.refresh_from_db()
    assert job.message == "1 row rejected; nothing was imported (all or nothing)"


@pytest.mark.django_db
def test_the_api_keeps_the_english_and_adds_the_requested_language(
    vault: Path, investigator: Any, compartment: Any
) -> None:
    job = _failed_import(vault, investigator, compartment)
    _, secret = api_token_create(actor=None, user=investigator, name="t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    ru = client.get(f"/api/v1/jobs/{job.pk}", HTTP_ACCEPT_LANGUAGE="ru").json()
    assert ru["message"] == "1 row rejected; nothing was imported (all or nothing)"
    assert ru["message_localized"].startswith("1 строка отклонена; ничего не импортировано")
    assert ru["message_code"] == "import.rejected"
    listed = client.get("/api/v1/jobs", HTTP_ACCEPT_LANGUAGE="be").json()
    mine = next(x for x in listed["items"] if x["id"] == job.pk)
    assert mine["message_localized"].startswith("1 радок адхілены; нічога не імпартавана")
    en = client.get(f"/api/v1/jobs/{job.pk}", HTTP_ACCEPT_LANGUAGE="en").json()
    assert en["message_localized"] == en["message"]


@pytest.mark.django_db
def test_a_job_with_only_english_keeps_showing_it(investigator: Any, compartment: Any) -> None:
    # a row from before message_data, and one whose structure this code cannot read
    old = Job.objects.create(
        kind=IMPORT_FILE, status="failed", created_by=investigator, compartment=compartment,
        message="2 row(s) rejected; nothing was imported (all or nothing)",
    )  # fmt: skip
    odd = Job.objects.create(
        kind=IMPORT_FILE, status="failed", created_by=investigator, compartment=compartment,
        message="unreadable file", message_data={"v": 1, "key": "import.rejected", "params": {}},
    )  # fmt: skip
    for lang in ("ru", "be"):
        client = _client(investigator, lang)
        assert "<dd>2 row(s) rejected;" in client.get(f"/jobs/{old.pk}/").content.decode()
        assert "<dd>unreadable file</dd>" in client.get(f"/jobs/{odd.pk}/").content.decode()
    _, secret = api_token_create(actor=None, user=investigator, name="t")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="ru")
    body = api.get(f"/api/v1/jobs/{old.pk}").json()
    assert body["message_localized"] == body["message"] and body["message_code"] == ""


@pytest.mark.django_db
def test_a_job_of_an_unknown_kind_and_a_stopped_worker_are_worded_too(
    investigator: Any, compartment: Any
) -> None:
    from crimebook.jobs.runner import job_execute
    from crimebook.jobs.services import jobs_recover

    unknown = Job.objects.create(kind="no.such", created_by=investigator)
    job_execute(unknown.pk)
    unknown.refresh_from_db()
    assert unknown.status == "failed" and unknown.message == "unknown job kind 'no.such'"
    with translation.override("ru"):
        assert wording.job_message(unknown) == "неизвестный вид задачи «no.such»"
    stopped = Job.objects.create(
        kind=IMPORT_FILE, status="running", created_by=investigator, attempts=3,
        worker="elsewhere.example:1",
    )  # fmt: skip
    jobs_recover()
    stopped.refresh_from_db()
    assert stopped.status == "failed"
    assert stopped.message == "the worker stopped during attempt 3; no attempts left"
    with translation.override("be"):
        assert wording.job_message(stopped) == (
            "апрацоўшчык спыніўся падчас спробы 3; спроб не засталося"
        )
