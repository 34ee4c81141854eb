"""/api/v1/cases and ``crimebook dossier``."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path
from typing import Any

import pyrage
import pytest
from django.test import Client
from pyrage import x25519
from typer.testing import CliRunner

from crimebook.accounts.services import api_token_create
from crimebook.audit.models import AuditEntry
from crimebook.cli.app import app
from tests.cases.helpers import CaseWorld

pytestmark = pytest.mark.django_db
API = "/api/v1/cases"


class _Api:
    def __init__(self, user: Any) -> None:
        _token, secret = api_token_create(actor=None, user=user, name="t")
        self.auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
        self.client = Client()

    def get(self, path: str) -> Any:
        return self.client.get(API + path, **self.auth)  # type: ignore[arg-type]

    def post(self, path: str, body: Any) -> Any:
        return self.client.post(API + path, json.dumps(body), content_type="application/json",
                                **self.auth)  # type: ignore[arg-type]  # fmt: skip


def test_api_create_add_classify_and_matrix(world: CaseWorld, lead: Any, compartment: Any) -> None:
    api = _Api(lead)
    defs = api.get("/definitions").json()
    assert {d["code"] for d in defs} >= {"cat-1", "rome-7-1-i", "by-cc-128-note"}
    made = api.post("", {"compartment_id": compartment.pk, "title": "API case",
                         "purpose": "Disappearances", "mechanism": "un"})  # fmt: skip
    assert made.status_code == 201, made.content
    case_id = made.json()["id"]
    assert made.json()["members"] == [{"username": "lena", "role": "lead"}]
    added = api.post(f"/{case_id}/incidents", {"ids": [world.incident.pk]})
    assert added.status_code == 200 and added.json()["incident_ids"] == [world.incident.pk]
    assert api.post(f"/{case_id}/exhibits", {"ids": [world.exhibit_ok.pk]}).status_code == 200
    c = api.post(
        f"/{case_id}/classifications", {"act_id": world.act.pk, "definition": "rome-7-1-i"}
    )
    assert c.status_code == 201 and c.json()["gaps"] == 8
    element = c.json()["matrix"][0]["element"]["id"]
    linked = api.post(f"/{case_id}/classifications/{c.json()['id']}/supports",
                      {"element_id": element, "exhibit_id": world.exhibit_ok.pk,
                       "note": "arrest filmed"})  # fmt: skip
    assert linked.status_code == 201 and linked.json()["gaps"] == 7
    listed = api.get(f"/{case_id}/classifications").json()
    assert listed[0]["matrix"][0]["supports"][0]["note"] == "arrest filmed"
    assert api.get("").json()["count"] == 2


def test_api_bad_input_and_outsiders(
    world: CaseWorld, lead: Any, mallory: Any, investigator: Any
) -> None:
    api = _Api(lead)
    bad = api.post("", {"compartment_id": world.case.compartment_id, "title": "x",
                        "purpose": "y", "mechanism": "moon"})  # fmt: skip
    assert bad.status_code == 422 and "mechanism" in bad.json()["error"]["fields"]
    assert api.post(f"/{world.case.pk}/incidents", {"ids": []}).status_code == 422
    assert api.post(f"/{world.case.pk}/incidents", {"ids": [1], "extra": 1}).status_code == 422
    both = api.post(f"/{world.case.pk}/classifications/{world.classification.pk}/supports",
                    {"element_id": 1, "note": "n"})  # fmt: skip
    assert both.status_code == 422
    assert _Api(investigator).post("", {"compartment_id": world.case.compartment_id, "title": "x",
                                        "purpose": "y", "mechanism": "un"}).status_code == 403  # fmt: skip
    outsider = _Api(mallory)
    assert outsider.get(f"/{world.case.pk}").status_code == 404
    assert outsider.post(f"/{world.case.pk}/incidents", {"ids": [1]}).status_code == 404
    assert outsider.get("").json()["count"] == 0


def test_cli_dossier(world: CaseWorld, tmp_path: Path) -> None:
    identity = x25519.Identity.generate()
    runner = CliRunner()
    out = tmp_path / "out"
    result = runner.invoke(app, ["dossier", str(world.case.uuid), "--out", str(out),
                                 "--recipient", str(identity.to_public()), "--as", "lena"])  # fmt: skip
    assert result.exit_code == 0, result.output
    pdf = out / f"dossier-{world.case.uuid}.pdf"
    archive = zipfile.ZipFile(out / f"dossier-{world.case.uuid}.zip")
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["pdf_sha256"] == hashlib.sha256(pdf.read_bytes()).hexdigest()
    for row in manifest["exhibits"]:
        plain = pyrage.decrypt(archive.read(row["sealed_file"]), [identity])
        assert hashlib.sha256(plain).hexdigest() == row["sha256"]
    assert not list(out.glob("*.part"))
    assert AuditEntry.objects.order_by("-seq").first().actor_name == "lena"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no-such-case"], "no case"),
        (["CASE", "--recipient", "age1bad"], "not an age X25519 public key"),
        (["CASE", "--as", "ghost"], "no active user"),
        (["CASE", "--as", "mallory"], "no case"),
        (["CASE", "--language", "de"], "--language"),
    ],
)
def test_cli_dossier_bad_input(
    world: CaseWorld, tmp_path: Path, mallory: Any, args: list[str], message: str
) -> None:
    key = str(x25519.Identity.generate().to_public())
    argv = [a.replace("CASE", str(world.case.pk)) for a in args]
    if "--recipient" not in argv:
        argv += ["--recipient", key]
    before = AuditEntry.objects.count()
    result = CliRunner().invoke(app, ["dossier", *argv, "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert message in result.output
    assert AuditEntry.objects.count() == before
    assert not list((tmp_path / "o").glob("*")) if (tmp_path / "o").exists() else True
