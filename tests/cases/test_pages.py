"""Case pages without JavaScript: forms with errors beside fields, the matrix with gaps and
support links, membership, the dossier buttons; outsiders get 404, viewers 403."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from typing import Any

import pyrage
import pytest
from django.test import Client
from pyrage import x25519

from crimebook.audit.models import AuditEntry
from crimebook.cases import services as cs
from crimebook.cases.models import Case, ElementSupport
from tests.cases.helpers import CaseWorld

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_create_form_shows_errors_beside_fields_and_saves_nothing(lead: Any) -> None:
    client = _client(lead)
    assert client.get("/cases/new/").status_code == 200
    page = client.post("/cases/new/", {"title": "", "purpose": "", "mechanism": "court"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Nothing was saved" in html
    assert html.count("has-error") >= 3
    assert not Case.objects.exists()


def test_create_then_detail(lead: Any, compartment: Any) -> None:
    client = _client(lead)
    response = client.post("/cases/new/", {
        "compartment": compartment.pk, "title": "Akrestsina nights", "purpose": "Torture",
        "mechanism": "universal", "mechanism_detail": "German Federal Prosecutor", "summary": "",
        "status": "open",
    })  # fmt: skip
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "Akrestsina nights" in page and "German Federal Prosecutor" in page
    assert client.get("/cases/").content.decode().count("Akrestsina nights") == 1


def test_add_material_classify_and_link_support(
    world: CaseWorld, lead: Any, compartment: Any
) -> None:
    from tests import factories as f

    client = _client(lead)
    extra = f.incident(compartment, title="Second evening")
    bad = client.post(f"/cases/{world.case.pk}/material/add/", {"kind": "incident",
                                                              "numbers": "abc"})  # fmt: skip
    assert bad.status_code == 400 and "Not a record number" in bad.content.decode()
    ok = client.post(f"/cases/{world.case.pk}/material/add/",
                     {"kind": "incident", "choice": [str(extra.pk)]})  # fmt: skip
    assert ok.status_code == 302 and world.case.incidents.filter(pk=extra.pk).exists()
    # classify: a missing definition is an error beside the field
    bad = client.post(f"/cases/{world.case.pk}/classify/", {"act": world.act.pk, "definition": ""})
    assert bad.status_code == 400 and "has-error" in bad.content.decode()
    done = client.post(f"/cases/{world.case.pk}/classify/",
                       {"act": world.act.pk, "definition": "rome-7-1-f", "note": ""})  # fmt: skip
    assert done.status_code == 302 and "/matrix/#c" in done["Location"]
    matrix = client.get(f"/cases/{world.case.pk}/matrix/").content.decode()
    assert matrix.count("GAP: no exhibit or testimony supports this element.") == 4 + 6
    element = world.classification.definition.elements.get(code="severe-pain")
    # linking without a note: error beside the note, nothing linked
    bad = client.post(f"/cases/{world.case.pk}/support/add/", {
        "classification": world.classification.pk, "element": element.pk,
        "material": f"exhibit:{world.exhibit_ok.pk}", "note": "",
    })  # fmt: skip
    assert bad.status_code == 400 and not ElementSupport.objects.exists()
    good = client.post(f"/cases/{world.case.pk}/support/add/", {
        "classification": world.classification.pk, "element": element.pk,
        "material": f"exhibit:{world.exhibit_ok.pk}", "note": "haematomas on the back",
    })  # fmt: skip
    assert good.status_code == 302
    matrix = client.get(f"/cases/{world.case.pk}/matrix/").content.decode()
    assert "haematomas on the back" in matrix
    assert matrix.count("GAP: no exhibit or testimony supports this element.") == 3 + 6


def test_membership_page(world: CaseWorld, lead: Any, investigator: Any, mallory: Any) -> None:
    client = _client(lead)
    bad = client.post(f"/cases/{world.case.pk}/members/", {"username": "mallory", "role": "viewer"})
    assert bad.status_code == 400 and "belongs to the case" in bad.content.decode()
    assert _client(investigator).get(f"/cases/{world.case.pk}/").status_code == 404
    client.post(f"/cases/{world.case.pk}/members/", {"username": "ivy", "role": "viewer"})
    viewer = _client(investigator)
    assert viewer.get(f"/cases/{world.case.pk}/").status_code == 200
    assert viewer.get(f"/cases/{world.case.pk}/dossier/").status_code == 403
    assert viewer.post(f"/cases/{world.case.pk}/classify/", {}).status_code == 403
    client.post(f"/cases/{world.case.pk}/members/remove/", {"username": "ivy"})
    assert viewer.get(f"/cases/{world.case.pk}/").status_code == 404


def test_outsiders_get_404_on_every_action(world: CaseWorld, mallory: Any) -> None:
    client = _client(mallory)
    for action in ("material/add/", "material/remove/", "classify/", "unclassify/",
                   "support/add/", "support/remove/", "members/remove/"):  # fmt: skip
        assert client.post(f"/cases/{world.case.pk}/{action}", {}).status_code == 404, action
    assert client.get(f"/cases/{world.case.pk}/dossier/").status_code == 404


def test_dossier_buttons(world: CaseWorld, lead: Any) -> None:
    client = _client(lead)
    page = client.get(f"/cases/{world.case.pk}/dossier/").content.decode()
    assert "Left out, and why" in page and "consent does not cover" in page
    pdf = client.post(f"/cases/{world.case.pk}/dossier/", {"format": "pdf", "language": "be"})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    missing = client.post(f"/cases/{world.case.pk}/dossier/", {"format": "zip", "language": "en"})
    assert missing.status_code == 400 and "needs the recipient" in missing.content.decode()
    wrong = client.post(f"/cases/{world.case.pk}/dossier/",
                        {"format": "zip", "language": "en", "recipient": "age1nope"})  # fmt: skip
    assert wrong.status_code == 400 and "not an age X25519 public key" in wrong.content.decode()
    identity = x25519.Identity.generate()
    response = client.post(f"/cases/{world.case.pk}/dossier/", {
        "format": "zip", "language": "ru", "recipient": str(identity.to_public()),
    })  # fmt: skip
    assert response.status_code == 200
    assert re.search(r"dossier-[0-9a-f-]+\.zip", response["Content-Disposition"])
    data = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    archive = zipfile.ZipFile(io.BytesIO(data))
    manifest = json.loads(archive.read("manifest.json"))
    row = manifest["exhibits"][0]
    plain = pyrage.decrypt(archive.read(row["sealed_file"]), [identity])
    assert hashlib.sha256(plain).hexdigest() == row["sha256"]
    last = AuditEntry.objects.order_by("-seq").first()
    assert last is not None and last.action == "dossier_export"
    assert last.changes["zip_sha256"] == hashlib.sha256(data).hexdigest()


def test_refused_dossier_says_why(lead: Any, compartment: Any) -> None:
    case = cs.case_create(actor=lead, data=cs.CaseData(compartment_id=compartment.pk, title="Empty",
                                                       purpose="p", mechanism="un"))  # fmt: skip
    client = _client(lead)
    page = client.get(f"/cases/{case.pk}/dossier/")
    assert "Nothing in this case may be shared" in page.content.decode()
    post = client.post(f"/cases/{case.pk}/dossier/", {"format": "pdf", "language": "en"})
    assert post.status_code == 400 and "No dossier was produced" in post.content.decode()


def test_big_case_dossier_is_sent_to_the_command_line(
    world: CaseWorld, lead: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from crimebook.cases import views

    monkeypatch.setattr(views, "MAX_WEB_EXHIBITS", 1)
    before = AuditEntry.objects.count()
    client = _client(lead)
    page = client.post(f"/cases/{world.case.pk}/dossier/", {"format": "pdf", "language": "en"})
    assert page.status_code == 400
    assert f"crimebook dossier {world.case.uuid}" in page.content.decode()
    assert AuditEntry.objects.count() == before


def test_edit_case_and_remove_material(world: CaseWorld, lead: Any) -> None:
    client = _client(lead)
    url = f"/cases/{world.case.pk}/edit/"
    bad = client.post(url, {"title": "", "purpose": "p", "mechanism": "icc", "status": "open"})
    assert bad.status_code == 200 and "has-error" in bad.content.decode()
    ok = client.post(url, {"title": "Okrestina, 9–13 August 2020", "purpose": "Torture",
                           "mechanism": "universal", "mechanism_detail": "", "summary": "S",
                           "status": "submitted"})  # fmt: skip
    assert ok.status_code == 302
    world.case.refresh_from_db()
    assert (world.case.title, world.case.status) == ("Okrestina, 9–13 August 2020", "submitted")
    entry = AuditEntry.objects.filter(object_type="cases.case", action="update").last()
    assert entry is not None and entry.changes["status"] == ["open", "submitted"]
    # an exhibit that supports nothing can leave; the page says what happened
    client.post(f"/cases/{world.case.pk}/material/remove/",
                {"kind": "exhibit", "record": world.exhibit_withheld.pk})  # fmt: skip
    assert not world.case.exhibits.filter(pk=world.exhibit_withheld.pk).exists()
    refused = client.post(f"/cases/{world.case.pk}/material/remove/",
                          {"kind": "incident", "record": world.incident.pk}, follow=True)  # fmt: skip
    assert "classified in the case" in refused.content.decode()
    assert world.case.incidents.filter(pk=world.incident.pk).exists()


def _ids_and_label_targets(html: str) -> tuple[list[str], list[str]]:
    return re.findall(r'\sid="([^"]+)"', html), re.findall(r'<label for="([^"]+)"', html)


def test_case_page_labels_name_their_own_fields(world: CaseWorld, lead: Any) -> None:
    # GIVEN the case page, with one "add material" form per kind of material
    client = _client(lead)
    pages = [client.get(f"/cases/{world.case.pk}/").content.decode()]
    # (and as it is shown again after a rejected submission)
    bad = client.post(f"/cases/{world.case.pk}/material/add/",
                      {"kind": "suspect", "numbers": "not-a-number"})  # fmt: skip
    assert bad.status_code == 400
    pages.append(bad.content.decode())
    for html in pages:
        ids, targets = _ids_and_label_targets(html)
        # THEN no id is used twice, so each label (and a screen reader) names its own field
        assert [i for i in set(ids) if ids.count(i) > 1] == []
        assert set(targets) <= set(ids)
        # AND the suspects' "Choose" label points at the suspects' list
        chooser = re.search(r'<select name="choice" id="id_suspect_choice"', html)
        assert chooser is not None
        assert 'for="id_suspect_choice"' in html


def test_case_page_names_roles_in_the_readers_language(world: CaseWorld, lead: Any) -> None:
    # GIVEN the case's lead reading in Russian
    client = _client(lead)
    client.cookies["django_language"] = "ru"
    # WHEN they open the case page
    html = client.get(f"/cases/{world.case.pk}/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    # THEN their role and the members' roles are words in Russian, not the stored code
    assert "ведущий (правит дело" in html
    assert "(lead)" not in html and "<dd>lead</dd>" not in html


def test_adding_material_explains_problems_in_the_readers_language(
    world: CaseWorld, lead: Any
) -> None:
    # GIVEN the case's lead reading in Belarusian
    client = _client(lead)
    client.cookies["django_language"] = "be"
    url = f"/cases/{world.case.pk}/material/add/"
    # WHEN they press "Add" with nothing chosen, with a word, and with an unknown number
    nothing = client.post(url, {"kind": "incident"}, HTTP_ACCEPT_LANGUAGE="be")
    word = client.post(url, {"kind": "incident", "numbers": "abc"}, HTTP_ACCEPT_LANGUAGE="be")
    unknown = client.post(url, {"kind": "incident", "numbers": "999999"},
                          HTTP_ACCEPT_LANGUAGE="be")  # fmt: skip
    # THEN each is refused with its reason in Belarusian
    assert nothing.status_code == word.status_code == unknown.status_code == 400
    assert "Выберыце хаця б адзін запіс." in nothing.content.decode()
    assert "Не нумар запісу: &#x27;abc&#x27;." in word.content.decode()
    assert "Не знойдзена ў адсеку доступу справы: 999999" in unknown.content.decode()
