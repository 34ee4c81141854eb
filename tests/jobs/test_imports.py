"""Imports as background jobs: the workspace page, all or nothing, rejected rows shown,
dry run, permissions, and an import that committed is never run twice."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client

from crimebook.evidence.models import EvidenceItem
from crimebook.jobs.kinds import IMPORT_FILE
from crimebook.jobs.models import Job
from crimebook.jobs.runner import job_execute
from crimebook.register.models import Incident

pytestmark = pytest.mark.django_db

HEADER = "external_id,title,start,latitude,longitude,violation_types\r\n"
GOOD = HEADER + "a-1,Beating at the metro,10.08.2020 22:30,53.9,27.5,torture\r\n"
GOOD += "a-2,Detention in the yard,08.2020,,,\r\n"
BAD = GOOD + "a-3,,99.99.2020,95.0,27.5,\r\n"


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post(user: Any, compartment: Any, text: str, name: str = "incidents.csv", **extra: Any) -> Any:
    data = {"compartment": compartment.pk, "kind": "incidents", "format": "auto",
            "on_duplicate": "skip", **extra,
            "file": SimpleUploadedFile(name, text.encode("utf-8"), "text/csv")}  # fmt: skip
    return _client(user).post("/imports/new/", data)


def test_a_file_is_imported_in_the_background_and_kept_sealed(
    vault: Path, investigator: Any, compartment: Any
) -> None:
    page = _client(investigator).get("/imports/new/")
    assert page.status_code == 200 and b'type="file"' in page.content
    response = _post(investigator, compartment, GOOD)
    job = Job.objects.get(kind=IMPORT_FILE)
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.status == "done" and job.created_by == investigator
    assert job.progress_total and job.progress_done == job.progress_total
    assert job.message.startswith("imported in one transaction (incidents: 2 rows, 2 created")
    assert set(Incident.objects.values_list("external_id", flat=True)) == {"a-1", "a-2"}
    # the file is in the vault, for provenance, and not queued for media processing
    item = EvidenceItem.objects.get(pk=job.parameters["item_id"])
    assert item.original_name == "incidents.csv" and item.compartment == compartment
    assert not Job.objects.filter(kind="evidence.process").exists()
    detail = _client(investigator).get(f"/jobs/{job.pk}/")
    assert b"Rows read" in detail.content
    # the same file again: its rows are recognised by external id, nothing doubles
    _post(investigator, compartment, GOOD)
    again = Job.objects.filter(kind=IMPORT_FILE).order_by("-pk")[0]
    assert again.status == "done" and again.result["summaries"][0]["skipped"] == 2
    assert Incident.objects.count() == 2


def test_one_bad_row_imports_nothing_and_is_listed(
    vault: Path, investigator: Any, compartment: Any
) -> None:
    _post(investigator, compartment, BAD)
    job = Job.objects.get(kind=IMPORT_FILE)
    assert job.status == "failed" and job.attempts == 1  # not retried: it would fail again
    assert job.message == "1 row rejected; nothing was imported (all or nothing)"
    assert not Incident.objects.exists()
    [row] = job.result["errors"]
    assert row["line"] == 4 and row["external_id"] == "a-3"
    page = _client(investigator).get(f"/jobs/{job.pk}/")
    assert b"Rejected rows" in page.content and b"a-3" in page.content


def test_a_dry_run_writes_nothing(vault: Path, investigator: Any, compartment: Any) -> None:
    _post(investigator, compartment, GOOD, dry_run="on")
    job = Job.objects.get(kind=IMPORT_FILE)
    assert job.status == "done" and job.message.startswith("dry run, every row is valid")
    assert not Incident.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("report.csv", b"\xff\xfe\x00garbage\x00\x00", "Nothing was imported."),
        ("events.json", b'{"format": "something else"}', "Nothing was imported."),
    ],
)
def test_an_unreadable_file_fails_clearly(
    vault: Path, investigator: Any, compartment: Any, name: str, content: bytes, fragment: str
) -> None:
    _client(investigator).post(
        "/imports/new/",
        {"compartment": compartment.pk, "kind": "incidents", "format": "auto",
         "on_duplicate": "skip", "file": SimpleUploadedFile(name, content)},
    )  # fmt: skip
    job = Job.objects.get(kind=IMPORT_FILE)
    assert job.status == "failed" and fragment in job.message
    assert not Incident.objects.exists()


def test_unknown_format_and_outsiders_are_refused_before_anything_is_stored(
    vault: Path, investigator: Any, reader: Any, mallory: Any, compartment: Any
) -> None:
    page = _post(investigator, compartment, GOOD, name="incidents.ods")
    assert page.status_code == 200 and b"choose it" in page.content
    assert _client(reader).get("/imports/new/").status_code == 403
    refused = _post(mallory, compartment, GOOD)  # compartment A is not a choice for mallory
    assert refused.status_code == 200
    assert not Job.objects.exists() and not EvidenceItem.objects.exists()


def test_an_import_that_committed_is_not_run_again(
    vault: Path, investigator: Any, compartment: Any
) -> None:
    # GIVEN an import that committed, whose worker then died before finishing the job
    _post(investigator, compartment, GOOD)
    job = Job.objects.get(kind=IMPORT_FILE)
    Job.objects.filter(pk=job.pk).update(status="queued", message="")
    Incident.objects.filter(external_id="a-1").update(external_id="")  # would import again
    # WHEN the job is delivered again THEN it reports the committed import and adds nothing
    assert job_execute(job.pk) is None
    job.refresh_from_db()
    assert job.status == "done" and job.attempts == 2
    assert job.message.startswith("imported in one transaction")
    assert Incident.objects.count() == 2


def test_an_upload_before_the_vault_has_a_key_is_a_clear_form_error_not_a_500(
    tmp_path: Path, settings: Any, investigator: Any, compartment: Any
) -> None:
    # GIVEN a workspace whose vault has no identity yet (no `crimebook evidence keygen`)
    settings.CRIMEBOOK_VAULT_DIR = tmp_path / "vault"
    settings.CRIMEBOOK_VAULT_RECIPIENTS = []
    # WHEN a file is uploaded for import
    response = _post(investigator, compartment, GOOD)
    # THEN the form says why it could not be stored; no job, nothing imported or staged
    assert response.status_code == 200
    assert b"could not be stored" in response.content and b"keygen" in response.content
    assert not Job.objects.exists() and not Incident.objects.exists()
    assert not EvidenceItem.objects.exists()
    assert not any(p.is_file() for p in (tmp_path / "vault").rglob("*"))


def test_progress_is_shown_while_the_import_holds_its_transaction(
    vault: Path, investigator: Any, compartment: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN an import whose progress reports are watched from inside its one transaction,
    # where the job's row cannot be written (SQLite: the register's write lock is the import's)
    from crimebook.accounts.services import api_token_create
    from crimebook.interchange import files

    _, secret = api_token_create(actor=None, user=investigator, name="watch")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    page = _client(investigator)
    seen: list[tuple[bool, bytes, dict[str, Any]]] = []
    real = files.file_import

    def watched(**kwargs: Any) -> Any:
        report = kwargs["on_progress"]

        def on_progress(done: int, total: int) -> None:
            report(done, total)
            job = Job.objects.get(kind=IMPORT_FILE)
            listed = api.get("/api/v1/jobs").json()["items"]
            shown = next(x for x in listed if x["id"] == job.pk)
            seen.append((transaction.get_connection().in_atomic_block,
                         page.get(f"/jobs/{job.pk}/").content,
                         {"row": (job.progress_done, job.progress_total), "api": shown,
                          "total": total, "done": done}))  # fmt: skip

        return real(**{**kwargs, "on_progress": on_progress})

    monkeypatch.setattr(files, "file_import", watched)
    # WHEN the file is imported
    _post(investigator, compartment, GOOD)
    # THEN while the transaction was open the row kept its old figures, but the job page and
    # the API showed the import's progress
    job = Job.objects.get(kind=IMPORT_FILE)
    assert job.status == "done" and seen
    inside, body, figures = seen[0]  # the first report is written at once
    assert inside and figures["row"] == (0, None)
    total = figures["total"]
    assert f'<progress max="{total}" value="{figures["done"]}"'.encode() in body
    assert (figures["api"]["progress_done"], figures["api"]["progress_total"]) == (
        figures["done"], total,
    )  # fmt: skip


RUSSIAN = (
    "Код;Название;Дата;Широта;Долгота;Примечание\r\n"
    "r-1;Задержание у метро;08/10/2020 22:30;53,9;27,5;x\r\n"
    "r-2;Избиение во дворе;12/01/2020;;;y\r\n"
)
RUSSIAN_MAP = (
    "Код=external_id\r\nНазвание=title\r\n\r\nДата = start\r\nширота=latitude\r\nДолгота=longitude"
)


def test_russian_headers_import_through_the_page_with_a_mapping_and_month_first_dates(
    vault: Path, investigator: Any, compartment: Any
) -> None:
    # GIVEN a file with Russian column names, month-first dates and an extra column
    # WHEN it is posted with a mapping, month-first dates, a region and extra columns ignored
    response = _post(
        investigator, compartment, RUSSIAN, mapping=RUSSIAN_MAP, us_dates="on",
        region="belarus", ignore_extra="on",
    )  # fmt: skip
    # THEN the job imports both rows, the dates read month first (08/10 is 10 August)
    job = Job.objects.get(kind=IMPORT_FILE)
    assert response.status_code == 302 and job.status == "done", job.message
    first = Incident.objects.get(external_id="r-1")
    second = Incident.objects.get(external_id="r-2")
    assert first.title == "Задержание у метро" and first.latitude == pytest.approx(53.9)
    assert (first.start.month, first.start.day) == (8, 10)  # 22:30 Minsk is 19:30 UTC
    assert (second.start.month, second.start.day) == (11, 30)  # 1 December 00:00 Minsk
    # AND the job page shows what it was asked to do
    assert job.parameters["mapping"]["Дата"] == "start"
    page = _client(investigator).get(f"/jobs/{job.pk}/").content.decode()
    assert "Import options" in page and "Дата=start" in page and "Month-first dates" in page


def test_without_month_first_dates_a_slash_date_is_refused_as_ambiguous(
    vault: Path, investigator: Any, compartment: Any
) -> None:
    # GIVEN the same file; WHEN month-first dates are not declared
    _post(investigator, compartment, RUSSIAN, mapping=RUSSIAN_MAP, ignore_extra="on")
    # THEN the rows are rejected, naming the date, and nothing is written
    job = Job.objects.get(kind=IMPORT_FILE)
    assert job.status == "failed" and not Incident.objects.exists()
    assert "start" in job.result["errors"][0]["errors"]


def test_extra_columns_stop_the_import_unless_ignored(
    vault: Path, investigator: Any, compartment: Any
) -> None:
    _post(investigator, compartment, RUSSIAN, mapping=RUSSIAN_MAP, us_dates="on")
    job = Job.objects.get(kind=IMPORT_FILE)
    assert job.status == "failed" and "Примечание" in job.message
    assert not Incident.objects.exists()


def test_a_region_rejects_coordinates_outside_it(
    vault: Path, investigator: Any, compartment: Any
) -> None:
    outside = RUSSIAN.replace("53,9;27,5", "27,5;53,9")  # swapped: Iran, not Minsk
    _post(investigator, compartment, outside, mapping=RUSSIAN_MAP, us_dates="on",
          ignore_extra="on", region="belarus")  # fmt: skip
    job = Job.objects.get(kind=IMPORT_FILE)
    assert job.status == "failed" and not Incident.objects.exists()


@pytest.mark.parametrize(
    ("mapping", "fragment"),
    [
        ("Дата start", "write &#x27;Column in file=field&#x27;"),
        ("Дата=", "write &#x27;Column in file=field&#x27;"),
        ("Дата=begin", "begin is not a field of this kind"),
        ("Дата=start\nдата=end", "the column дата is already mapped on line 1"),
        ("Дата=start\nКогда=start", "the field start is already mapped on line 1"),
    ],
)
def test_a_bad_mapping_line_is_a_form_error_and_changes_nothing(
    vault: Path, investigator: Any, compartment: Any, mapping: str, fragment: str
) -> None:
    # GIVEN a mapping with a malformed line, an unknown field or a duplicate; WHEN posted
    response = _post(investigator, compartment, RUSSIAN, mapping=mapping)
    # THEN the form answers with the problem under the mapping; no file, no job, no record
    assert response.status_code == 200
    assert response.context["form"].errors["mapping"], response.context["form"].errors
    assert fragment in response.content.decode()
    assert not Job.objects.exists() and not EvidenceItem.objects.exists()
    assert not Incident.objects.exists()


def test_a_mapping_too_long_for_the_job_is_a_form_error_and_changes_nothing(
    vault: Path, investigator: Any, compartment: Any
) -> None:
    # GIVEN a mapping within the field's 10,000 characters whose Cyrillic column name takes
    # more than the job's parameters may hold once stored (six bytes a letter)
    mapping = "Я" * 3000 + "=start"
    # WHEN posted
    response = _post(investigator, compartment, RUSSIAN, mapping=mapping)
    # THEN the page answers with the problem under the mapping (not a 500); nothing is stored
    assert response.status_code == 200
    errors = response.context["form"].errors["mapping"]
    assert any("too long together" in e for e in errors), errors
    assert not Job.objects.exists() and not EvidenceItem.objects.exists()
    assert not Incident.objects.exists()


@pytest.mark.parametrize(("name", "fmt"), [("export.json", "auto"), ("map.json", "timemap")])
def test_a_mapping_for_a_json_or_timemap_file_is_a_form_error_and_changes_nothing(
    vault: Path, investigator: Any, compartment: Any, name: str, fmt: str
) -> None:
    # GIVEN a JSON or TimeMap file (their fields are named by the format) and a mapping
    # whose field the CSV kind knows; WHEN posted
    response = _post(
        investigator, compartment, '{"events": []}', name=name, format=fmt, mapping="Дата=start"
    )
    # THEN the form says the mapping does not apply (not checked against the CSV kind)
    assert response.status_code == 200
    errors = response.context["form"].errors["mapping"]
    assert any("applies to CSV, XLSX and GeoJSON" in e for e in errors), errors
    assert not Job.objects.exists() and not EvidenceItem.objects.exists()
