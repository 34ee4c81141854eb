"""Where people use leads: the queue page and its POST forms, the sections on the incident,
evidence and unit pages, the REST API and ``crimebook correlate``."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from django.utils.html import escape
from typer.testing import CliRunner

from crimebook.accounts.services import api_token_create
from crimebook.cli.app import app
from crimebook.leads.build import correlation_run
from crimebook.leads.models import CorrelationRun, Lead
from crimebook.leads.wording import lead_sentence, names_for
from tests.leads.helpers import Scene, lead_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def leads(scene: Scene, compartment: Any) -> Scene:
    correlation_run(actor=None, compartment_id=compartment.pk)
    return scene


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _auth(user: Any) -> dict[str, str]:
    _, secret = api_token_create(actor=None, user=user, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def _shown(lead: Lead, user: Any) -> str:
    """The explanation as a page shows it: units and cameras named, escaped."""
    return escape(lead_sentence(lead, names_for(user, [lead])))


def test_queue_lists_proposed_leads_with_filters_and_forms(leads: Scene, analyst: Any) -> None:
    client = _client(analyst)
    page = client.get("/leads/")
    body = page.content.decode()
    assert page.status_code == 200
    rec = lead_of(leads.incident, f"recording:{leads.recording.pk}")
    assert _shown(rec, analyst) in body and rec.explanation not in body
    assert leads.camera.name in _shown(rec, analyst)
    assert (
        f'action="/leads/{rec.pk}/accept/"' in body and f'action="/leads/{rec.pk}/reject/"' in body
    )
    only_units = client.get("/leads/", {"kind": "unit"}).content.decode()
    assert f"/leads/{rec.pk}/accept/" not in only_units
    assert leads.unit.name in only_units
    by_unit = client.get("/leads/", {"unit": leads.unit.pk, "status": ""}).content.decode()
    assert f"/leads/{rec.pk}/accept/" not in by_unit
    high = client.get("/leads/", {"min_score": "1.0", "status": ""}).content.decode()
    assert _shown(rec, analyst) not in high
    # the last run's summary names what could not be matched, and why
    assert "no time: an incident without a start cannot be matched" in body
    ru = client.get("/leads/", HTTP_ACCEPT_LANGUAGE="ru")
    with translation.override("ru"):  # the sentence in Russian (test_wording.py checks it)
        in_russian = lead_sentence(rec, names_for(analyst, [rec]))
    assert ru.status_code == 200 and escape(in_russian) in ru.content.decode()
    bad = client.get("/leads/", {"min_score": "7"})
    assert bad.status_code == 200 and b"not valid" in bad.content
    assert _shown(rec, analyst).encode() not in bad.content


def test_accept_and_reject_through_the_page_without_javascript(leads: Scene, analyst: Any) -> None:
    client = _client(analyst)
    unit = lead_of(leads.incident, f"unit:{leads.unit.pk}")
    back = f"/incidents/{leads.incident.pk}/"
    response = client.post(f"/leads/{unit.pk}/reject/", {"note": "no", "next": back})
    assert response.status_code == 302 and response["Location"] == back
    unit.refresh_from_db()
    assert unit.status == "rejected"
    rec = lead_of(leads.incident, f"recording:{leads.recording.pk}")
    response = client.post(f"/leads/{rec.pk}/accept/", {"next": "https://evil.example/"})
    assert response["Location"] == "/leads/"  # never an outside address
    rec.refresh_from_db()
    assert rec.status == "accepted"
    again = client.post(f"/leads/{rec.pk}/reject/", follow=True)
    assert "already decided" in again.content.decode()
    assert client.get(f"/leads/{rec.pk}/accept/").status_code == 405


def test_reader_sees_leads_without_buttons_and_cannot_post(leads: Scene, reader: Any) -> None:
    client = _client(reader)
    body = client.get("/leads/").content.decode()
    unit = lead_of(leads.incident, f"unit:{leads.unit.pk}")
    assert _shown(unit, reader) in body and "/accept/" not in body
    assert client.post(f"/leads/{unit.pk}/accept/").status_code == 403
    unit.refresh_from_db()
    assert unit.status == "proposed"


def test_detail_pages_show_their_leads(leads: Scene, investigator: Any) -> None:
    client = _client(investigator)
    incident = client.get(f"/incidents/{leads.incident.pk}/").content.decode()
    rec = lead_of(leads.incident, f"recording:{leads.recording.pk}")
    assert 'id="leads-heading"' in incident and _shown(rec, investigator) in incident
    unit_page = client.get(f"/units/{leads.unit.pk}/").content.decode()
    assert _shown(lead_of(leads.incident, f"unit:{leads.unit.pk}"), investigator) in unit_page


def test_mallory_sees_no_lead_anywhere(leads: Scene, mallory: Any) -> None:
    client = _client(mallory)
    for path in ("/leads/", f"/units/{leads.unit.pk}/", "/leads/?status="):
        body = client.get(path).content.decode()
        assert leads.incident.title not in body, path
        assert "camera 1432" not in body, path
    lead = Lead.objects.first()
    assert lead is not None
    assert client.post(f"/leads/{lead.pk}/accept/").status_code == 404
    api = Client()
    listing = api.get("/api/v1/leads", **_auth(mallory))  # type: ignore[arg-type]
    assert listing.status_code == 200 and listing.json()["count"] == 0
    one = api.get(f"/api/v1/leads/{lead.pk}", **_auth(mallory))  # type: ignore[arg-type]
    assert one.status_code == 404 and one.json()["error"]["code"] == "not_found"


def test_api_list_get_accept_reject(leads: Scene, analyst: Any, reader: Any) -> None:
    api = Client()
    auth = _auth(analyst)
    query = {"kind": "unit", "incident_id": leads.incident.pk}
    listing = api.get("/api/v1/leads", query, **auth)  # type: ignore[arg-type]
    assert listing.status_code == 200
    items = listing.json()["items"]
    assert [i["target"] for i in items] == [f"unit:{leads.unit.pk}"]
    assert items[0]["grade"] == "possible" and items[0]["status"] == "proposed"
    lead_id = items[0]["id"]
    assert api.get(f"/api/v1/leads/{lead_id}", **auth).json()["id"] == lead_id  # type: ignore[arg-type]
    denied = api.post(f"/api/v1/leads/{lead_id}/reject", {"note": ""},
                      content_type="application/json", **_auth(reader))  # type: ignore[arg-type]  # fmt: skip
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "forbidden"
    unknown = api.post(f"/api/v1/leads/{lead_id}/reject", {"verdict": "no"},
                       content_type="application/json", **auth)  # type: ignore[arg-type]  # fmt: skip
    assert unknown.status_code == 422
    done = api.post(f"/api/v1/leads/{lead_id}/reject", {"note": "not there"},
                    content_type="application/json", **auth)  # type: ignore[arg-type]  # fmt: skip
    assert done.status_code == 200
    assert done.json()["status"] == "rejected" and done.json()["reviewer"] == analyst.username
    twice = api.post(f"/api/v1/leads/{lead_id}/accept", {},
                     content_type="application/json", **auth)  # type: ignore[arg-type]  # fmt: skip
    assert twice.status_code == 422 and "status" in twice.json()["error"]["fields"]
    rejected = api.get("/api/v1/leads", {"status": "rejected"}, **auth)  # type: ignore[arg-type]
    assert [i["id"] for i in rejected.json()["items"]] == [lead_id]
    bad = api.get("/api/v1/leads", {"min_score": "2"}, **auth)  # type: ignore[arg-type]
    assert bad.status_code == 422


def test_cli_correlate_prints_a_summary(scene: Scene, compartment: Any) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["correlate", "--compartment", compartment.name])
    assert result.exit_code == 0, result.output
    assert "run" in result.output and "(full)" in result.output
    assert "no time: an incident without a start cannot be matched" in result.output
    again = runner.invoke(app, ["correlate", "-c", compartment.name])
    assert again.exit_code == 0 and "(incremental)" in again.output
    assert "nothing new" in again.output
    full = runner.invoke(app, ["correlate", "--full"])
    assert full.exit_code == 0 and "(full)" in full.output
    assert CorrelationRun.objects.count() == 3
    missing = runner.invoke(app, ["correlate", "-c", "No such case"])
    assert missing.exit_code == 1 and "no compartment named" in missing.output
    assert CorrelationRun.objects.count() == 3
