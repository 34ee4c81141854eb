"""Photos and videos: matched by capture time and GPS, picked up by an incremental run once
their metadata arrives, accepted into the incident's evidence, shown on the item's page."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from crimebook.audit.services import audit_record
from crimebook.evidence.models import EvidenceItem
from crimebook.leads.build import correlation_run
from crimebook.leads.models import Lead
from crimebook.leads.services import lead_accept
from tests.leads.helpers import LAT, LON, Scene, lead_of

pytestmark = pytest.mark.django_db


def _photo(compartment: Any, **kw: Any) -> EvidenceItem:
    return EvidenceItem.objects.create(
        compartment=compartment, kind="photo", original_name="IMG_0001.jpg", sha256="cd" * 32,
        metadata_status="pending", **kw,
    )  # fmt: skip


def test_photo_matched_once_its_metadata_arrives_then_accepted(
    scene: Scene, compartment: Any, investigator: Any
) -> None:
    photo = _photo(compartment)
    first = correlation_run(actor=None, compartment_id=compartment.pk)
    assert not Lead.objects.filter(item=photo).exists()
    assert first.summary["not_matched"]["media: no time: a media without a start cannot be matched"]
    # the worker extracts EXIF later: capture time (zone known) and GPS ± 15 m
    EvidenceItem.objects.filter(pk=photo.pk).update(
        captured_at=datetime(2020, 8, 10, 19, 30, tzinfo=UTC), tz_name="Europe/Minsk",
        latitude=LAT + 0.0002, longitude=LON, gps_accuracy_m=15.0, metadata_status="extracted",
    )  # fmt: skip
    audit_record(actor=None, action="extract", object_type="evidence.evidenceitem",
                 object_id=photo.pk, changes={})  # fmt: skip
    run = correlation_run(actor=None, compartment_id=compartment.pk)
    assert run.summary["evaluated"] == {"incidents": 3, "media": 1}
    lead = lead_of(scene.incident, f"item:{photo.pk}")
    assert lead.kind == "media" and lead.explanation.startswith(f"photo {photo.pk}, taken")
    page = Client()
    page.force_login(investigator)
    body = page.get(f"/evidence/{photo.pk}/").content.decode()
    # the page names the photo; the stored English keeps its number
    shown = lead.explanation.replace(f"photo {photo.pk},", "photo IMG_0001.jpg,")
    assert shown in body and lead.explanation not in body
    assert f"/leads/{lead.pk}/accept/" in body
    lead_accept(actor=investigator, lead=lead)
    assert photo.incidents.filter(pk=scene.incident.pk).exists()
