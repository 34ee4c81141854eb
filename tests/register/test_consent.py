"""Consent per use: outputs leave out what a source's consent does not cover, and say so."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from crimebook.accounts.services import api_token_create
from crimebook.register import services as s
from crimebook.register.consent import Use, permits, split_by_consent, withheld_note
from tests import factories as f


def _src(inv: bool, pros: bool = False, pub: bool = False) -> SimpleNamespace:
    return SimpleNamespace(
        consent_investigation=inv, consent_prosecution=pros, consent_publication=pub
    )


def test_consent_rules() -> None:
    assert permits(_src(True), Use.INVESTIGATION)
    assert not permits(_src(True), Use.PROSECUTION)
    assert permits(_src(True, pros=True), Use.PROSECUTION)
    assert not permits(_src(False, pros=True, pub=True), Use.PUBLICATION)  # needs investigation too
    kept, left_out = split_by_consent(
        [_src(True, pub=True), _src(True), _src(False)], Use.PUBLICATION
    )
    assert len(kept) == 1
    assert left_out == 2
    assert (
        withheld_note(2, Use.PUBLICATION)
        == "2 sources left out: their consent does not cover publication."
    )
    assert withheld_note(0, Use.PUBLICATION) == ""


@pytest.mark.django_db
def test_api_leaves_out_and_says_so(compartment: Any, investigator: Any) -> None:
    agreed = f.source(compartment, title="Agreed interview")
    refused = s.source_create(
        actor=None,
        data=s.SourceData(
            compartment_id=compartment.pk, kind="interview", title="Secret meeting notes",
            description="details", url="https://example.org/x", consent_investigation=False,
        ),
    )  # fmt: skip
    incident = f.incident(compartment, source_ids=(agreed.pk, refused.pk))
    _, token = api_token_create(actor=None, user=investigator, name="t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    body = client.get(f"/api/v1/sources/{refused.pk}").json()
    assert body["title"] == ""
    assert body["description"] == ""
    assert body["url"] == ""
    assert "no consent" in body["withheld"]
    assert client.get(f"/api/v1/sources/{agreed.pk}").json()["withheld"] == ""
    out = client.get(f"/api/v1/incidents/{incident.pk}").json()
    assert out["source_ids"] == [agreed.pk]
    assert (
        out["sources_withheld"] == "1 source left out: their consent does not cover investigation."
    )
    listing = client.get("/api/v1/sources").content.decode()
    assert "Secret meeting notes" not in listing
