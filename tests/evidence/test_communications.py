"""Communications (calls, messages, intercepts): the audited service, the all-or-nothing CSV
import with its written rules for bad input, the pages and the API. Phone numbers are never
stored, shown or logged: only their blind digests."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from typer.testing import CliRunner

from crimebook.accounts.services import api_token_create
from crimebook.audit.models import AuditEntry
from crimebook.cli.app import app
from crimebook.core.errors import NotFound, PermissionDenied, ValidationFailed
from crimebook.evidence import commrules
from crimebook.evidence.communications import (
    CommunicationData,
    communication_create,
    communication_update,
    phone_digest,
)
from crimebook.evidence.csvimport import RowError, communications_import
from crimebook.evidence.models import Communication
from crimebook.evidence.services import evidence_ingest_stream
from crimebook.interchange.formats.records import REGIONS
from crimebook.register import services as s
from crimebook.register.models import PersonIndex
from tests import factories as f
from tests.evidence.helpers import jpeg_bytes

pytestmark = pytest.mark.django_db
runner = CliRunner()
PHONE = "+375 00 555-12-34"  # fictitious: operator code 00 does not exist
T0 = datetime(2020, 8, 10, 19, 5, tzinfo=UTC)


def _data(compartment: Any, **kw: Any) -> CommunicationData:
    values: dict[str, Any] = {
        "compartment_id": compartment.pk, "kind": "call", "start": T0,
        "end": T0 + timedelta(minutes=2), "latitude": 53.9093, "longitude": 27.4955,
        "radius_m": 800.0, "party_a": "subscriber A", "party_b": "subscriber B",
        "summary": "Two-minute call placed near the metro exit.", "external_id": "CDR-1",
    }  # fmt: skip
    values.update(kw)
    return CommunicationData(**values)


def _all_text_in_database() -> str:
    """Every text cell of the communications and audit tables, for a leak check."""
    out = []
    with connection.cursor() as cursor:
        for table in ("evidence_communication", "audit_auditentry"):
            cursor.execute(f"SELECT * FROM {table}")
            out += [str(v) for row in cursor.fetchall() for v in row]
    return "\n".join(out)


# --- the service -------------------------------------------------------------------------


def test_create_and_update_are_audited_and_keep_only_the_phone_digest(
    compartment: Any, investigator: Any
) -> None:
    comm = communication_create(actor=investigator, data=_data(compartment, party_a_phone=PHONE))
    assert comm.party_a_digest == phone_digest("375005551234") and not comm.party_b_digest
    entry = AuditEntry.objects.get(object_type="evidence.communication", object_id=str(comm.pk))
    assert entry.action == "create" and entry.actor_id == investigator.pk
    assert entry.changes["party_a_digest"][1].startswith("hmac-sha256:")
    updated = communication_update(
        actor=investigator, communication=comm,
        data=_data(compartment, radius_m=1500.0, summary="Call, cell sector 3."),
    )  # fmt: skip
    assert updated.party_a_digest == phone_digest(PHONE)  # None keeps the digest
    change = AuditEntry.objects.filter(object_type="evidence.communication").latest("seq")
    assert change.action == "update" and change.changes["radius_m"] == ["800.0", "1500.0"]
    cleared = communication_update(
        actor=investigator, communication=comm, data=_data(compartment, party_a_phone="")
    )
    assert cleared.party_a_digest == ""
    text = _all_text_in_database()
    assert "555-12-34" not in text and "5551234" not in text


def test_phone_digest_is_a_persons_contact_digest(compartment: Any, investigator: Any) -> None:
    witness = s.person_create(
        actor=None,
        data=s.PersonData(
            compartment_id=compartment.pk, is_witness=True,
            identity=s.PersonIdentity(full_name="Fictitious Witness", contacts=(PHONE,)),
        ),
    )  # fmt: skip
    comm = communication_create(
        actor=investigator, data=_data(compartment, party_b_phone="375 00 5551234")
    )
    assert PersonIndex.objects.filter(
        person=witness, kind="contact", digest=comm.party_b_digest
    ).exists()
    page = _client(investigator).get(f"/communications/{comm.pk}/")
    assert page.status_code == 200
    assert witness.pseudonym.encode() in page.content
    # no form of the number (a bare "555" also occurs by chance in tokens and digests)
    for shown in (b"5551234", b"555-12-34", b"555 12 34", b"375 00"):
        assert shown not in page.content, shown


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"end": T0 - timedelta(seconds=1)}, "end", "before the start"),
        ({"start": None}, "start", "needs its start"),
        ({"start": T0.replace(tzinfo=None)}, "start", "time zone"),
        ({"end": T0 + timedelta(days=40)}, "end", "31 days"),
        ({"latitude": 120.0, "longitude": 53.9}, "latitude", "look swapped"),
        ({"latitude": 95.0, "longitude": 200.0}, "latitude", "out of range"),
        ({"radius_m": 0.0}, "radius_m", "more than 0"),
        ({"radius_m": -5.0}, "radius_m", "more than 0"),
        ({"radius_m": 60_000.0}, "radius_m", "cannot exceed 50 km"),
        ({"radius_m": None}, "radius_m", "together"),
        ({"latitude": None}, "latitude", "together"),
        ({"party_a": "+375 29 123 45 67"}, "party_a", "pseudonym"),
        ({"summary": "A called 80291234567 twice"}, "summary", "phone number"),
        ({"party_a_phone": "call me"}, "party_a_phone", "Not a phone number"),
        ({"kind": "telegram"}, "kind", "one of"),
    ],
)
def test_bad_input_is_refused_with_a_reason_and_changes_nothing(
    compartment: Any, investigator: Any, changes: dict[str, Any], field: str, words: str
) -> None:
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        communication_create(actor=investigator, data=_data(compartment, **changes))
    assert any(words in m for m in caught.value.errors[field]), caught.value.errors
    assert not Communication.objects.exists() and AuditEntry.objects.count() == before


def test_no_place_is_allowed_and_dates_in_a_summary_are_not_phone_numbers(
    compartment: Any, investigator: Any
) -> None:
    comm = communication_create(
        actor=investigator,
        data=_data(compartment, latitude=None, longitude=None, radius_m=None,
                   summary="Call on 2020-08-10 22:15, again at 22:40."),
    )  # fmt: skip
    assert comm.latitude is None and comm.end > comm.start
    point = communication_create(actor=None, data=_data(compartment, end=None, external_id=""))
    assert point.end == point.start


def test_duplicate_record_id_item_and_source_of_other_compartments(
    compartment: Any, other_compartment: Any, investigator: Any, vault: Path
) -> None:
    communication_create(actor=investigator, data=_data(compartment))
    with pytest.raises(ValidationFailed) as caught:
        communication_create(actor=investigator, data=_data(compartment))
    assert "already used" in caught.value.errors["external_id"][0]
    other_src = f.source(other_compartment)
    with pytest.raises(ValidationFailed):
        communication_create(
            actor=investigator, data=_data(compartment, external_id="x", source_id=other_src.pk)
        )
    elsewhere = evidence_ingest_stream(
        actor=None, compartment_id=other_compartment.pk, name="cdr.jpg",
        stream=io.BytesIO(jpeg_bytes()),
    )  # fmt: skip
    with pytest.raises(ValidationFailed):
        communication_create(
            actor=investigator, data=_data(compartment, external_id="y", item_id=elsewhere.item_id)
        )


def test_who_may_write(compartment: Any, reader: Any, mallory: Any) -> None:
    with pytest.raises(PermissionDenied):
        communication_create(actor=reader, data=_data(compartment))
    with pytest.raises(NotFound):
        communication_create(actor=mallory, data=_data(compartment))


def test_phone_detection_rules() -> None:
    assert commrules.looks_like_phone("+375 (29) 123-45-67")
    assert commrules.looks_like_phone("8 029 1234567")
    assert not commrules.looks_like_phone("subscriber A, cell 4411")
    assert not commrules.looks_like_phone("2020-08-10 22:15 and 2020-08-11T01:00:00")


# --- the CSV import ----------------------------------------------------------------------

HEADER = (
    "communication_id,kind,start,end,latitude,longitude,radius_m,party_a,party_b,"
    "party_a_phone,summary\n"
)
GOOD = (
    "C-1,call,2020-08-10T22:05:00+03:00,2020-08-10T22:07:00+03:00,53.9093,27.4955,800,"
    f"subscriber A,subscriber B,{PHONE},Call near the metro\n"
    "C-2,sms,2020-08-10T19:10:00Z,,53.91,27.50,1200,subscriber C,subscriber A,,\n"
    "C-3,radio,2020-08-10T19:30:00Z,2020-08-10T19:31:00Z,,,,call sign 12,,,Intercepted\n"
)


def _csv(tmp_path: Path, body: str, name: str = "cdr.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_import_commits_once_audited_and_re_import_skips(compartment: Any, tmp_path: Path) -> None:
    src = f.source(compartment, title="Leaked CDR export")
    seen: list[int] = []
    report = communications_import(
        actor=None, compartment_id=compartment.pk, path=_csv(tmp_path, GOOD), source_id=src.pk,
        progress=seen.append,
    )  # fmt: skip
    assert report.committed and report.created == 3 and report.error_count == 0
    assert sum(seen) == 3
    c1 = Communication.objects.get(external_id="C-1")
    assert c1.start == datetime(2020, 8, 10, 19, 5, tzinfo=UTC) and c1.source_id == src.pk
    assert c1.party_a_digest == phone_digest(PHONE) and c1.created_at and c1.updated_at
    assert Communication.objects.get(external_id="C-2").kind == "message"
    c3 = Communication.objects.get(external_id="C-3")
    assert c3.kind == "radio" and c3.latitude is None
    entry = AuditEntry.objects.get(object_type="evidence.communication_import")
    assert entry.changes["created"] == 3 and len(entry.changes["file_sha256"]) == 64
    again = communications_import(
        actor=None, compartment_id=compartment.pk, path=_csv(tmp_path, GOOD)
    )
    assert again.committed and again.created == 0 and again.skipped == 3
    assert Communication.objects.count() == 3
    assert "555-12-34" not in _all_text_in_database()


def test_dry_run_writes_nothing(compartment: Any, tmp_path: Path) -> None:
    report = communications_import(
        actor=None, compartment_id=compartment.pk, path=_csv(tmp_path, GOOD), dry_run=True
    )
    assert report.created == 3 and not report.committed and report.dry_run
    assert not Communication.objects.exists()
    assert not AuditEntry.objects.filter(object_type="evidence.communication_import").exists()


@pytest.mark.parametrize(
    ("row", "words"),
    [
        (
            "X,call,2020-08-10T22:05:00Z,2020-08-10T22:00:00Z,53.9,27.5,800,a,b,,",
            "before the start",
        ),
        ("X,call,2020-08-10T22:05:00Z,,95,27.5,800,a,b,,", "out of range"),
        ("X,call,2020-08-10T22:05:00Z,,120.5,53.9,800,a,b,,", "look swapped"),
        ("X,call,2020-08-10T22:05:00Z,,53.9,27.5,0,a,b,,", "more than 0"),
        ("X,call,2020-08-10T22:05:00Z,,53.9,27.5,-10,a,b,,", "more than 0"),
        ("X,call,2020-08-10T22:05:00Z,,53.9,27.5,75000,a,b,,", "cannot exceed 50 km"),
        ("X,call,2020-08-10T22:05:00Z,,53.9,27.5,,a,b,,", "together"),
        ("X,call,2020-08-10T22:05:00,,53.9,27.5,800,a,b,,", "no time zone offset"),
        ("X,call,yesterday,,53.9,27.5,800,a,b,,", "not an ISO 8601 time"),
        ("X,call,0001-01-01T00:00:00+03:00,,53.9,27.5,800,a,b,,", "supported range of dates"),
        ("X,fax,2020-08-10T22:05:00Z,,53.9,27.5,800,a,b,,", "kind: must be one of"),
        ("X,call,2020-08-10T22:05:00Z,,53.9,27.5,800,+375291234567,b,,", "pseudonym"),
        ("X,call,2020-08-10T22:05:00Z,,53.9,27.5,800,a,b,not-a-number!,", "Not a phone"),
        (",call,2020-08-10T22:05:00Z,,53.9,27.5,800,a,b,,", "communication_id: empty"),
        ("C-1,call,2020-08-10T22:05:00Z,,53.9,27.5,800,a,b,,", "appears twice in the file"),
    ],
)
def test_one_bad_row_rejects_the_whole_file(
    compartment: Any, tmp_path: Path, row: str, words: str
) -> None:
    before = AuditEntry.objects.count()
    report = communications_import(
        actor=None, compartment_id=compartment.pk, path=_csv(tmp_path, GOOD + row + "\n")
    )
    assert not report.committed and report.error_count == 1
    line, message = report.errors[0]
    assert line == 5 and words in message, message
    assert "1234567" not in message  # a phone number is never repeated
    assert not Communication.objects.exists() and AuditEntry.objects.count() == before


def test_missing_zone_rule_assume_tz_and_clock_changes(compartment: Any, tmp_path: Path) -> None:
    body = "Z-1,call,2020-08-10 22:05:00,2020-08-10 22:06:00,53.9,27.5,800,a,b,,\n"
    refused = communications_import(
        actor=None, compartment_id=compartment.pk, path=_csv(tmp_path, body)
    )
    assert not refused.committed and "--assume-tz" in refused.errors[0][1]
    done = communications_import(
        actor=None, compartment_id=compartment.pk, path=_csv(tmp_path, body),
        assume_tz="Europe/Minsk",
    )  # fmt: skip
    assert done.committed
    assert Communication.objects.get().start == datetime(2020, 8, 10, 19, 5, tzinfo=UTC)
    gap = "Z-2,call,2021-03-28 03:30:00,,50.45,30.52,800,a,b,,\n"  # Kyiv: 03:00 → 04:00
    twice = "Z-3,call,2021-10-31 03:30:00,,50.45,30.52,800,a,b,,\n"  # Kyiv: 04:00 → 03:00
    kyiv = communications_import(
        actor=None, compartment_id=compartment.pk, path=_csv(tmp_path, gap + twice),
        assume_tz="Europe/Kyiv",
    )  # fmt: skip
    assert [m.split(":")[0] for _, m in kyiv.errors] == ["start", "start"]
    assert "does not exist" in kyiv.errors[0][1] and "occurs twice" in kyiv.errors[1][1]
    with pytest.raises(RowError, match="unknown time zone"):
        communications_import(
            actor=None, compartment_id=compartment.pk, path=_csv(tmp_path, body),
            assume_tz="Mars/Olympus",
        )  # fmt: skip


def test_declared_region_names_swapped_coordinates(compartment: Any, tmp_path: Path) -> None:
    body = "R-1,call,2020-08-10T22:05:00Z,,27.5,53.9,800,a,b,,\n"  # in range, but swapped
    assert communications_import(
        actor=None, compartment_id=compartment.pk, path=_csv(tmp_path, body)
    ).committed
    Communication.objects.all().delete()
    report = communications_import(
        actor=None, compartment_id=compartment.pk, path=_csv(tmp_path, body),
        region=REGIONS["belarus"],
    )  # fmt: skip
    assert not report.committed and "look swapped" in report.errors[0][1]


def test_sha256_links_the_record_held_in_the_vault(
    compartment: Any, tmp_path: Path, vault: Path, investigator: Any
) -> None:
    import hashlib

    data = jpeg_bytes()
    evidence_ingest_stream(
        actor=None, compartment_id=compartment.pk, name="cdr-page.jpg", stream=io.BytesIO(data)
    )
    digest = hashlib.sha256(data).hexdigest()
    path = tmp_path / "h.csv"
    path.write_text(
        f"communication_id,kind,start,sha256\nH-1,call,2020-08-10T22:05:00Z,{digest}\n",
        encoding="utf-8",
    )
    report = communications_import(actor=None, compartment_id=compartment.pk, path=path)
    assert report.committed and Communication.objects.get().item is not None
    item = Communication.objects.get().item
    assert item is not None
    page = _client(investigator).get(f"/evidence/{item.pk}/")
    assert f"/communications/?item={item.pk}".encode() in page.content
    path.write_text(
        f"communication_id,kind,start,sha256\nH-2,call,2020-08-10T22:05:00Z,{'0' * 64}\n",
        encoding="utf-8",
    )
    missing = communications_import(actor=None, compartment_id=compartment.pk, path=path)
    assert not missing.committed and "no item with SHA-256" in missing.errors[0][1]


def test_import_permission_header_and_unknown_source(
    compartment: Any, tmp_path: Path, reader: Any
) -> None:
    with pytest.raises(PermissionDenied):
        communications_import(
            actor=reader, compartment_id=compartment.pk, path=_csv(tmp_path, GOOD)
        )
    bad = tmp_path / "bad.csv"
    bad.write_text("id,when\n1,2\n", encoding="utf-8")
    report = communications_import(actor=None, compartment_id=compartment.pk, path=bad)
    assert (
        not report.committed
        and "lacks the column(s) communication_id, kind, start" in (report.errors[0][1])
    )
    with pytest.raises(RowError, match="no source"):
        communications_import(
            actor=None, compartment_id=compartment.pk, path=_csv(tmp_path, GOOD), source_id=999999
        )


def test_cli_dry_run_then_import_and_error_report(compartment: Any, tmp_path: Path) -> None:
    good = _csv(tmp_path, GOOD)
    dry = runner.invoke(app, ["communications", "import", str(good), "-c", compartment.name,
                              "--dry-run"])  # fmt: skip
    assert dry.exit_code == 0 and "dry run" in dry.output and not Communication.objects.exists()
    done = runner.invoke(app, ["communications", "import", str(good), "-c", compartment.name])
    assert done.exit_code == 0 and "imported" in done.output
    assert Communication.objects.count() == 3
    bad = _csv(tmp_path, "B-1,call,2020-08-10T22:05:00Z,2020-08-10T22:00:00Z,,,,a,b,,\n", "b.csv")
    result = runner.invoke(app, ["communications", "import", str(bad), "-c", compartment.name])
    assert result.exit_code == 1 and "Nothing was imported" in result.output
    assert "line 2: end: The end" in result.output
    errors = (tmp_path / "b.csv.errors.csv").read_text(encoding="utf-8")
    assert errors.startswith("line,message") and "before the start" in errors
    assert Communication.objects.count() == 3
    unknown = runner.invoke(app, ["communications", "import", str(good), "-c", compartment.name,
                                  "--region", "mars"])  # fmt: skip
    assert unknown.exit_code == 1 and "--region must be one of" in unknown.output
    assert runner.invoke(app, ["communications", "import", "--help"]).exit_code == 0


# --- pages and API -----------------------------------------------------------------------


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_list_filters_and_detail_pages(compartment: Any, investigator: Any, mallory: Any) -> None:
    near = communication_create(actor=None, data=_data(compartment, party_a_phone=PHONE))
    communication_create(
        actor=None,
        data=_data(compartment, external_id="CDR-2", kind="message", party_a="subscriber Z",
                   latitude=53.95, longitude=27.70, start=T0 + timedelta(days=3), end=None),
    )  # fmt: skip
    client = _client(investigator)
    page = client.get("/communications/")
    assert page.status_code == 200 and b"CDR-1" in page.content and b"CDR-2" in page.content
    assert b'aria-current="page"' not in page.content or b"Evidence" in page.content
    for query, shown, hidden in (
        ({"kind": "message"}, b"CDR-2", b"CDR-1"),
        ({"q": "subscriber Z"}, b"CDR-2", b"CDR-1"),
        ({"date_to": "2020-08-11"}, b"CDR-1", b"CDR-2"),
        ({"near_lat": "53.9093", "near_lon": "27.4955", "within_km": "1"}, b"CDR-1", b"CDR-2"),
    ):
        filtered = client.get("/communications/", query)
        assert shown in filtered.content and hidden not in filtered.content, query
    invalid = client.get("/communications/", {"date_from": "2020-08-12", "date_to": "2020-08-01"})
    assert b"CDR-1" not in invalid.content
    detail = client.get(f"/communications/{near.pk}/")
    assert detail.status_code == 200 and b"subscriber A" in detail.content
    assert b"blind digest" in detail.content and b"555" not in detail.content
    assert b"/communications/" in client.get("/evidence/").content
    outsider = _client(mallory)
    assert outsider.get(f"/communications/{near.pk}/").status_code == 404
    assert b"CDR-1" not in outsider.get("/communications/").content


def _auth(user: Any) -> dict[str, str]:
    _, secret = api_token_create(actor=None, user=user, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_api_create_list_read_and_errors(
    compartment: Any, investigator: Any, reader: Any, mallory: Any
) -> None:
    client, auth = Client(), _auth(investigator)
    body = {
        "compartment_id": compartment.pk, "kind": "call", "start": "2020-08-10T22:05:00+03:00",
        "end": "2020-08-10T22:07:00+03:00", "latitude": 53.9093, "longitude": 27.4955,
        "radius_m": 800, "party_a": "subscriber A", "party_a_phone": PHONE, "external_id": "A-1",
    }  # fmt: skip
    created = client.post("/api/v1/communications", body, content_type="application/json", **auth)  # type: ignore[arg-type]
    assert created.status_code == 201, created.content
    out = created.json()
    assert out["start"] == "2020-08-10T19:05:00Z" and out["party_a_phone_indexed"] is True
    assert "555" not in created.content.decode() and "digest" not in out
    listed = client.get("/api/v1/communications", {"kind": "call"}, **auth)  # type: ignore[arg-type]
    assert listed.json()["count"] == 1
    read = client.get(f"/api/v1/communications/{out['id']}", **auth)  # type: ignore[arg-type]
    assert read.status_code == 200 and read.json()["external_id"] == "A-1"
    bad = client.post(
        "/api/v1/communications", {**body, "external_id": "A-2", "radius_m": 0},
        content_type="application/json", **auth,  # type: ignore[arg-type]
    )  # fmt: skip
    assert bad.status_code == 422 and "radius_m" in bad.json()["error"]["fields"]
    naive = client.post(
        "/api/v1/communications", {**body, "external_id": "A-3", "start": "2020-08-10T22:05:00"},
        content_type="application/json", **auth,  # type: ignore[arg-type]
    )  # fmt: skip
    assert naive.status_code == 422
    denied = client.post(
        "/api/v1/communications", {**body, "external_id": "A-4"},
        content_type="application/json", **_auth(reader),  # type: ignore[arg-type]
    )  # fmt: skip
    assert denied.status_code == 403
    outsider = _auth(mallory)
    assert client.get(f"/api/v1/communications/{out['id']}", **outsider).status_code == 404  # type: ignore[arg-type]
    assert client.get("/api/v1/communications", **outsider).json()["count"] == 0  # type: ignore[arg-type]
    assert Communication.objects.count() == 1


def test_cell_area_radius_is_written_in_the_readers_language(
    compartment: Any, investigator: Any
) -> None:
    # GIVEN a call with an 800 m cell area and an investigator reading in Belarusian
    comm = communication_create(actor=None, data=_data(compartment))
    client = _client(investigator)
    client.cookies["django_language"] = "be"
    # WHEN they open the list and the record
    for url in ("/communications/", f"/communications/{comm.pk}/"):
        html = client.get(url, HTTP_ACCEPT_LANGUAGE="be").content.decode()
        # THEN the radius is in metres as Belarusian writes them ("м", not "m")
        assert "± 800 м" in html, url
        assert "± 800 m" not in html, url
