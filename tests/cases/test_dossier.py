"""Dossiers: PDF text, ZIP sealed to the recipient with a manifest that matches, consent
exclusions stated, audit entries, refusals."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from typing import Any

import pyrage
import pytest
from django.test import Client
from django.utils import translation
from pypdf import PdfReader
from pyrage import x25519

from crimebook.audit.models import AuditEntry
from crimebook.audit.selectors import audit_chain_verify
from crimebook.cases import services as cs
from crimebook.cases.dossier.plan import DossierRefused, dossier_plan
from crimebook.cases.dossier.services import dossier_export, dossier_pdf
from crimebook.core.errors import NotFound, PermissionDenied, ValidationFailed
from tests.cases.helpers import CaseWorld

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def _export(world: CaseWorld, actor: Any) -> tuple[bytes, bytes, x25519.Identity, Any]:
    identity = x25519.Identity.generate()
    sink = io.BytesIO()
    pdf, outcome = dossier_export(
        actor=actor, case=world.case, recipient=str(identity.to_public()), zip_sink=sink
    )
    return pdf, sink.getvalue(), identity, outcome


def test_dossier_zip_decrypts_and_hashes_match_the_manifest(world: CaseWorld, lead: Any) -> None:
    # GIVEN a case with one consenting and one non-consenting exhibit, an element supported
    cs.support_add(
        actor=lead,
        case=world.case,
        classification_id=world.classification.pk,
        element_id=world.classification.definition.elements.get(code="severe-pain").pk,
        material=f"exhibit:{world.exhibit_ok.pk}",
        note="bruising on both thighs",
    )
    # WHEN the dossier is exported to a prosecutor's key
    pdf, data, identity, outcome = _export(world, lead)
    # THEN the ZIP holds the consented exhibit only, sealed to that key, hashes as in the manifest
    archive = zipfile.ZipFile(io.BytesIO(data))
    manifest = json.loads(archive.read("manifest.json"))
    assert [row["sha256"] for row in manifest["exhibits"]] == [world.exhibit_ok.sha256]
    row = manifest["exhibits"][0]
    sealed = archive.read(row["sealed_file"])
    assert hashlib.sha256(sealed).hexdigest() == row["sealed_sha256"]
    plain = pyrage.decrypt(sealed, [identity])
    assert hashlib.sha256(plain).hexdigest() == world.exhibit_ok.sha256 == row["sha256"]
    with pytest.raises(pyrage.DecryptError):
        pyrage.decrypt(sealed, [x25519.Identity.generate()])
    rows = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode())))
    assert rows[0]["sha256"] == world.exhibit_ok.sha256
    assert pyrage.decrypt(archive.read("dossier.pdf.age"), [identity]) == pdf
    assert manifest["pdf_sha256"] == hashlib.sha256(pdf).hexdigest()
    assert {o["kind"] for o in manifest["omitted"]} == {"exhibit", "testimony"}
    assert outcome.zip_sha256 == hashlib.sha256(data).hexdigest()
    # AND the PDF says what it holds and what was left out
    text = _text(pdf)
    assert world.exhibit_ok.sha256 in text.replace("\n", "")
    assert world.exhibit_withheld.sha256 not in text.replace("\n", "")
    assert "Okrestina August 2020" in text
    assert "consent does not cover sharing with prosecutors" in text
    assert "GAP" in text  # three of four CAT elements have no support
    assert "How to verify" in text and "openssl ts -verify" in text
    assert "no rfc 3161 timestamp tokens" in text.lower() or "timestamps/" in text


def test_export_is_audited_and_the_chain_stays_valid(world: CaseWorld, lead: Any) -> None:
    before = AuditEntry.objects.count()
    _pdf, _data, _identity, outcome = _export(world, lead)
    new = list(AuditEntry.objects.filter(seq__gt=before).order_by("seq"))
    assert [e.action for e in new] == ["export", "dossier_export"]
    assert new[0].object_type == "evidence.evidenceitem"
    assert new[0].object_id == str(world.exhibit_ok.pk)
    assert new[-1].changes["zip_sha256"] == outcome.zip_sha256
    assert new[-1].actor_name == "lena"
    assert audit_chain_verify().ok


def test_pdf_alone_is_audited(world: CaseWorld, lead: Any) -> None:
    pdf = dossier_pdf(actor=lead, case=world.case, language="ru")
    assert pdf.startswith(b"%PDF")
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry is not None and entry.action == "dossier_pdf"
    assert entry.changes["pdf_sha256"] == hashlib.sha256(pdf).hexdigest()


def test_case_without_consented_material_is_refused(
    world: CaseWorld, lead: Any, compartment: Any
) -> None:
    # GIVEN a case holding only material without consent to prosecution use
    case = cs.case_create(actor=lead, data=cs.CaseData(
        compartment_id=compartment.pk, title="Nothing to share", purpose="p", mechanism="un"))  # fmt: skip
    cs.case_material_add(actor=lead, case=case, kind="exhibit", ids=[world.exhibit_withheld.pk])
    cs.case_material_add(actor=lead, case=case, kind="testimony", ids=[world.refusing.pk])
    before = AuditEntry.objects.count()
    sink = io.BytesIO()
    # WHEN a dossier is asked for THEN it is refused clearly, nothing written, nothing audited
    with pytest.raises(DossierRefused, match="Nothing in this case may be shared"):
        dossier_export(actor=lead, case=case, zip_sink=sink,
                       recipient=str(x25519.Identity.generate().to_public()))  # fmt: skip
    assert sink.getvalue() == b""
    with pytest.raises(DossierRefused):
        dossier_pdf(actor=lead, case=case)
    assert AuditEntry.objects.count() == before


def test_bad_recipient_is_a_field_error(world: CaseWorld, lead: Any) -> None:
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        dossier_export(actor=lead, case=world.case, recipient="age1notakey", zip_sink=io.BytesIO())
    assert "recipient" in exc.value.errors
    assert AuditEntry.objects.count() == before


def test_viewers_and_outsiders_cannot_export(
    world: CaseWorld, lead: Any, make_user: Any, compartment: Any, mallory: Any
) -> None:
    viewer = make_user("legal_reviewer", (compartment,), username="vic")
    cs.case_member_set(actor=lead, case=world.case, username="vic", role="viewer")
    with pytest.raises(PermissionDenied):
        dossier_pdf(actor=viewer, case=world.case)
    with pytest.raises(NotFound):
        dossier_pdf(actor=mallory, case=world.case)


def test_changed_vault_file_stops_the_export(world: CaseWorld, lead: Any, settings: Any) -> None:
    # GIVEN the vault copy of the consented exhibit was replaced by another sealed file
    from crimebook.evidence import keys

    path = keys.store().path_for_key(world.exhibit_ok.storage_key)
    other = keys.store().path_for_key(world.exhibit_withheld.storage_key)
    path.chmod(0o600)
    path.write_bytes(other.read_bytes())
    # WHEN exported THEN it stops, and says so in the audit log
    from crimebook.cases.dossier.bundle import BundleError

    with pytest.raises(BundleError, match="does not match its recorded SHA-256"):
        _export(world, lead)
    assert AuditEntry.objects.order_by("-seq").first().action == "dossier_export_failed"  # type: ignore[union-attr]


def test_plan_states_omissions_with_reasons(world: CaseWorld) -> None:
    plan = dossier_plan(world.case)
    assert [e.item.pk for e in plan.exhibits] == [world.exhibit_ok.pk]
    assert [s.pk for s in plan.testimonies] == [world.consenting.pk]
    reasons = {(o.kind, o.reason) for o in plan.omissions}
    assert ("exhibit", "the source's consent does not cover sharing with prosecutors") in reasons
    assert plan.incidents == [world.incident]
    assert plan.exhibits[0].custody.entries >= 1
    assert "ingest" in plan.exhibits[0].custody.actions


def test_timestamp_tokens_of_the_chain_go_into_the_zip(world: CaseWorld, lead: Any) -> None:
    from django.utils import timezone

    from crimebook.audit.models import AuditTimestamp

    head = AuditEntry.objects.order_by("-seq").first()
    assert head is not None
    AuditTimestamp.objects.create(
        head_seq=head.seq, head_hash=head.entry_hash, tsa_url="http://127.0.0.1:1/tsa",
        tsa_name="Test TSA", token=b"\x30\x03\x02\x01\x01", gen_time=timezone.now(),
        policy="1.2.3", serial="42",
    )  # fmt: skip
    pdf, data, _identity, _outcome = _export(world, lead)
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = archive.namelist()
    token_name = next(n for n in names if n.endswith(".tst"))
    assert archive.read(token_name) == b"\x30\x03\x02\x01\x01"
    assert archive.read(token_name.replace(".tst", ".head.txt")).decode() == head.entry_hash
    text = _text(pdf)
    assert "Test TSA" in text and "no rfc 3161" not in text.lower()


def test_exhibits_come_from_the_store_they_were_written_to(
    world: CaseWorld, lead: Any, settings: Any
) -> None:
    # GIVEN the vault moved to an object store (unreachable here) after the exhibits were sealed on disk
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = int(sock.getsockname()[1])
    settings.CRIMEBOOK_VAULT_BACKEND = "s3"
    settings.CRIMEBOOK_VAULT_S3 = {
        "bucket_name": "moved", "endpoint_url": f"http://127.0.0.1:{closed}",
        "region_name": "us-east-1", "access_key": "x", "secret_key": "x", "location": "v",
    }  # fmt: skip
    assert world.exhibit_ok.storage_backend == "local"
    # WHEN the dossier is exported THEN the exhibit is read from the disk vault it lives in
    _pdf, data, identity, _outcome = _export(world, lead)
    archive = zipfile.ZipFile(io.BytesIO(data))
    row = json.loads(archive.read("manifest.json"))["exhibits"][0]
    plain = pyrage.decrypt(archive.read(row["sealed_file"]), [identity])
    assert hashlib.sha256(plain).hexdigest() == world.exhibit_ok.sha256


def test_pdf_is_in_the_dossier_language_not_the_readers(world: CaseWorld, lead: Any) -> None:
    # GIVEN a reader working in English and a case with a left-out exhibit and testimony
    # WHEN they ask for the dossier in Belarusian
    with translation.override("en"):
        pdf = dossier_pdf(actor=lead, case=world.case, language="be")
    text = " ".join(_text(pdf).split())
    # THEN the legal elements are in Belarusian (not in the reader's language)
    assert "Асобе прычынены моцны боль" in text
    assert "Severe pain or suffering" not in text
    # AND so is every reason something was left out, with the kind of record
    assert "згода крыніцы не распаўсюджваецца на перадачу пракурорам" in text
    assert "consent does not cover" not in text
    assert "паказанне" in text and "testimony" not in text


def test_dossier_page_states_what_is_left_out_in_the_readers_language(
    world: CaseWorld, lead: Any, settings: Any
) -> None:
    # GIVEN a legal reviewer reading in Russian
    client = Client()
    client.force_login(lead)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    # WHEN they open the dossier page of a case with left-out material
    page = client.get(f"/cases/{world.case.pk}/dossier/", HTTP_ACCEPT_LANGUAGE="ru")
    html = page.content.decode()
    # THEN what is left out, and why, is said in Russian
    assert page.status_code == 200
    assert "согласие источника не распространяется на передачу прокурорам" in html
    assert "показание" in html
    assert "does not cover" not in html


def test_refusal_is_in_the_readers_language(
    world: CaseWorld, lead: Any, compartment: Any, settings: Any
) -> None:
    # GIVEN a case with nothing consented, and a reader working in Belarusian
    case = cs.case_create(actor=lead, data=cs.CaseData(
        compartment_id=compartment.pk, title="Nothing to share", purpose="p", mechanism="un"))  # fmt: skip
    cs.case_material_add(actor=lead, case=case, kind="testimony", ids=[world.refusing.pk])
    client = Client()
    client.force_login(lead)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "be"
    # WHEN they open its dossier page THEN the refusal is in Belarusian
    html = client.get(f"/cases/{case.pk}/dossier/", HTTP_ACCEPT_LANGUAGE="be").content.decode()
    assert "Нічога з гэтай справы нельга перадаць пракурору" in html
    assert "Nothing in this case may be shared" not in html


def test_a_bad_recipient_key_is_refused_in_the_readers_language(
    world: CaseWorld, lead: Any, settings: Any
) -> None:
    # GIVEN a legal reviewer reading in Russian
    client = Client()
    client.force_login(lead)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    # WHEN they ask for the ZIP with something that is not an age public key
    page = client.post(f"/cases/{world.case.pk}/dossier/",
                       {"format": "zip", "language": "ru", "recipient": "ssh-rsa AAAA"},
                       HTTP_ACCEPT_LANGUAGE="ru")  # fmt: skip
    # THEN nothing is exported and the reason is said in Russian, beside the key field
    assert page.status_code == 400
    assert page["Content-Type"].startswith("text/html")
    assert "не открытый ключ age X25519" in page.content.decode()
