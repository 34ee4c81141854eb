"""The report form end to end through the intake's own settings: GIVEN a source with a browser
and no JavaScript, WHEN they report, return with the codename and read a reply, THEN what is
stored is sealed, durable, complete, and carries no trace of them."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pyrage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from crimebook.intake.models import IntakeSource, Reply, SealedAttachment, Submission
from crimebook.intake.replykeys import reply_seal
from tests.intake._helpers import codename_of, minimal_report

PHOTO = b"\xff\xd8\xff\xe0" + b"JFIF-and-GPS-data" * 5000


def _open(intake: Any, submission: Submission, name: str) -> bytes:
    path = Path(intake.store_dir) / "sealed" / str(submission.uuid) / name
    return bytes(pyrage.decrypt(path.read_bytes(), [intake.identity]))


def test_pages_are_small_strict_and_script_free(intake: Any) -> None:
    client = intake.client()
    for path in ("/ru/", "/ru/report/", "/be/return/", "/en/receipt/"):
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert len(response.content) < 30_000
        assert "<script" not in html
        assert not re.search(r'(src|href|action)="(https?:)?//', html), "no third-party URL"
        assert "default-src 'none'" in response["Content-Security-Policy"]
        assert response["Cache-Control"] == "no-store"
        assert response["Referrer-Policy"] == "same-origin"


def test_root_redirects_to_a_language(intake: Any) -> None:
    response = intake.client().get("/", HTTP_ACCEPT_LANGUAGE="be")
    assert response.status_code == 302
    assert response["Location"] == "/be/"


def test_form_is_translatable_and_lists_vocabulary_in_russian(intake: Any) -> None:
    html = intake.client().get("/ru/report/").content.decode()
    assert 'lang="ru"' in html
    assert "Пытки" in html or "пытк" in html.lower()


def test_report_with_attachment_is_sealed_durable_and_opens_with_the_org_key(intake: Any) -> None:
    client = intake.client()
    photo = SimpleUploadedFile("IMG_0001.jpg", PHOTO, content_type="image/jpeg")
    response = client.post("/ru/report/", {**minimal_report(), "attachments": [photo]})
    assert response.status_code == 200
    codename = codename_of(response.content.decode())
    assert len(codename.split()) == 7
    submission = Submission.objects.get()
    assert submission.kind == "report" and submission.attachment_count == 1
    stored = Path(intake.store_dir) / "sealed" / str(submission.uuid)
    assert sorted(p.name for p in stored.iterdir()) == ["a0.age", "report.age"]
    assert not list((Path(intake.store_dir) / "staging").iterdir())
    for path in stored.iterdir():
        assert path.read_bytes().startswith(b"age-encryption.org/v1\n")
        assert b"JFIF-and-GPS" not in path.read_bytes()
    document = json.loads(_open(intake, submission, "report.age"))
    assert document["report"]["what_happened"].startswith("Задержали")
    assert document["language"] == "ru"
    (attachment,) = document["attachments"]
    assert attachment["original_name"] == "IMG_0001.jpg"
    assert _open(intake, submission, "a0.age") == PHOTO  # metadata kept as evidence
    row = SealedAttachment.objects.get()
    assert row.sealed_sha256 == attachment["sealed_sha256"]


def test_validation_errors_keep_what_was_typed(intake: Any) -> None:
    data = minimal_report(when_date="2999-01-01", perpetrators_vehicles="МАЗ 1234 AB-7")
    response = intake.client().post("/ru/report/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "МАЗ 1234 AB-7" in html and "Задержали у метро" in html
    assert 'class="error"' in html
    assert not Submission.objects.exists()


def test_codename_return_reads_replies_and_adds_information(intake: Any) -> None:
    client = intake.client()
    codename = codename_of(client.post("/en/report/", minimal_report()).content.decode())
    source = IntakeSource.objects.get()
    Reply.objects.create(
        source=source,
        sealed=reply_seal("Which unit was it?", source.reply_recipient),
        created_on=source.created_on,
    )
    response = client.post("/en/return/", {"codename": "  " + codename.upper() + " "})
    assert response.status_code == 200
    assert "Which unit was it?" in response.content.decode()
    assert codename not in response.content.decode()
    more = SimpleUploadedFile("scan.pdf", b"%PDF-1.4 detention record", "application/pdf")
    response = client.post("/en/return/add/", {"text": "It was OMON.", "attachments": [more]})
    assert response.status_code == 200
    followup = Submission.objects.get(kind="followup")
    assert followup.source == source
    assert json.loads(_open(intake, followup, "report.age"))["text"] == "It was OMON."
    assert _open(intake, followup, "a0.age") == b"%PDF-1.4 detention record"


def test_wrong_and_unknown_codenames_get_the_same_answer(intake: Any) -> None:
    client = intake.client()
    codename = codename_of(client.post("/en/report/", minimal_report()).content.decode())
    words = codename.split()
    wrong = " ".join([*words[:-1], "zebra" if words[-1] != "zebra" else "zipper"])
    answers = []
    for attempt in (wrong, "abacus abdomen abdominal abide abiding ability ablaze"):
        response = intake.client().post("/en/return/", {"codename": attempt})
        page = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", response.content)
        answers.append((response.status_code, page))
        assert "intake_source" not in response.client.session
    assert answers[0] == answers[1]
    assert b"not recognised" in answers[0][1]


def test_followup_needs_a_codename_session(intake: Any) -> None:
    response = intake.client().post("/en/return/add/", {"text": "hello"})
    assert response.status_code == 403
    assert not Submission.objects.exists()


def test_insider_gets_a_receipt_that_verifies_and_downloads(intake: Any) -> None:
    client = intake.client()
    response = client.post("/en/report/", minimal_report(insider="on"))
    html = response.content.decode()
    submission = Submission.objects.get()
    assert submission.insider and submission.receipt_id and submission.receipt_id in html
    receipt_json = re.search(r'<pre class="receipt">([^<]+)</pre>', html)
    assert receipt_json
    text = receipt_json.group(1).replace("&quot;", '"')
    receipt = json.loads(text)
    assert receipt["sealed_sha256"] == submission.sealed_sha256
    assert receipt["issued_on"] == submission.received_on.isoformat()
    download = client.post("/en/receipt/download/", {"receipt": text})
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    assert json.loads(download.content) == receipt
    checked = client.post("/en/receipt/", {"receipt": text}).content.decode()
    assert "Valid." in checked
    tampered = text.replace(receipt["issued_on"], "2020-08-09")
    assert "Not valid" in client.post("/en/receipt/", {"receipt": tampered}).content.decode()
    assert client.post("/en/receipt/download/", {"receipt": tampered}).status_code == 400


def test_nothing_identifying_is_stored(intake: Any) -> None:
    client = intake.client(
        REMOTE_ADDR="203.0.113.77", HTTP_USER_AGENT="Mozilla/5.0 (UniqueAgent-4242)"
    )
    client.post("/en/report/", minimal_report(insider="on"))
    dump = []
    with connection.cursor() as cursor:
        for table in ("intake_intakesource", "intake_submission", "intake_sealedattachment"):
            cursor.execute(f"SELECT * FROM {table}")
            dump.append(repr(cursor.fetchall()))
    text = "\n".join(dump)
    assert "203.0.113.77" not in text and "UniqueAgent" not in text
    for field in Submission._meta.get_fields() + IntakeSource._meta.get_fields():
        assert field.get_internal_type() != "DateTimeField", field.name
    for path in Path(intake.store_dir).rglob("*"):
        assert path.stat().st_mtime % 86400 == 0 or path.name in (
            "sealed",
            "staging",
            "codename-salt",
            "receipt-signing.key",
        ), path
