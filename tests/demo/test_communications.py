"""The demo's fictitious communications: deterministic, valid by the service's rules, phone
numbers only where a witness has a (fictitious) phone contact, and leads appear."""

from __future__ import annotations

import pytest

from crimebook.demo import build_dataset
from crimebook.demo.communications import build_communications
from crimebook.evidence import commrules


def test_communications_are_deterministic_valid_and_fictitious() -> None:
    data = build_dataset(scale=0.2)
    records = build_communications(data)
    assert records == build_communications(data) and len(records) >= 20
    assert {r.kind for r in records} >= {"call", "radio"}
    contacts = {p.contact for p in data.persons if p.contact}
    for r in records:
        assert not commrules.check_labels(r.party_a, r.party_b, r.summary), r
        assert not commrules.check_area(r.latitude, r.longitude, r.radius_m), r
        assert not commrules.check_span(r.start, r.end), r
        assert r.party_a_phone == "" or (r.party_a_phone in contacts and " 00 " in r.party_a_phone)
    assert len({r.external_id for r in records}) == len(records)


@pytest.mark.django_db
def test_demo_load_brings_communication_leads() -> None:
    from crimebook.demo.load import demo_load
    from crimebook.evidence.models import Communication
    from crimebook.leads.models import Lead

    demo_load(scale=0.05)
    assert Communication.objects.exists()
    assert Lead.objects.filter(kind="communication").exists()
