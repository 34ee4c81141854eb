"""A small scene with known answers: one incident at Pushkinskaya, a camera recording it, a
unit deployed there with a commander, a second report of the same event, and a report with
no time (skipped with its reason)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from crimebook.evidence.models import Camera, Recording
from crimebook.leads.models import Lead
from crimebook.register import services as s
from tests import factories as f

LAT, LON = 53.9093, 27.4955
T0 = datetime(2020, 8, 10, 19, 0, tzinfo=UTC)


@dataclass
class Scene:
    incident: Any
    twin: Any
    timeless: Any
    camera: Any
    recording: Any
    unit: Any
    deployment: Any
    commander: Any
    source: Any


def recording(camera: Any, start_h: float, end_h: float, **kw: Any) -> Recording:
    from datetime import timedelta

    return Recording.objects.create(
        compartment_id=camera.compartment_id,
        camera=camera,
        start=T0 + timedelta(hours=start_h),
        end=T0 + timedelta(hours=end_h),
        **kw,
    )


def build_scene(compartment: Any, label: str = "A", *, lat: float = LAT, lon: float = LON) -> Scene:
    src = f.source(compartment, title=f"{label} witness interview")
    incident = f.incident(
        compartment, title=f"{label}: beating of protesters near Pushkinskaya metro",
        description="Riot police beat people at the metro exit.", source_ids=(src.pk,),
        latitude=lat, longitude=lon,
    )  # fmt: skip
    twin = f.incident(
        compartment, title=f"{label}: protesters beaten near Pushkinskaya metro exit",
        description="People were beaten by riot police at the metro.",
        start=datetime(2020, 8, 10, 19, 20, tzinfo=UTC),
        end=datetime(2020, 8, 10, 19, 40, tzinfo=UTC), precision="minute",
        latitude=lat + 0.0005, longitude=lon, radius_m=200.0,
    )  # fmt: skip
    timeless = f.incident(
        compartment, title=f"{label}: detention reported without a date", start=None, end=None,
        latitude=lat, longitude=lon,
    )  # fmt: skip
    camera = Camera.objects.create(
        compartment=compartment, external_id=f"{label}-cam-1432", name=f"{label} camera 1432",
        latitude=lat + 0.0003, longitude=lon, fov_radius_m=50.0,
    )  # fmt: skip
    rec = recording(camera, -0.5, 1.5, held_by="Minsk city CCTV")
    unit = f.unit(f"omon-{label.lower()}")
    deployment = s.deployment_create(
        actor=None,
        data=s.DeploymentData(
            compartment_id=compartment.pk, unit_id=unit.pk, source_id=src.pk,
            start=datetime(2020, 8, 10, 17, tzinfo=UTC), end=datetime(2020, 8, 10, 23, tzinfo=UTC),
            place_name="Pushkinskaya", latitude=lat, longitude=lon, radius_m=500.0,
        ),
    )  # fmt: skip
    commander = f.person(compartment, f"{label} Commander Name", is_perpetrator=True)
    s.post_create(
        actor=None,
        data=s.PostData(
            person_id=commander.pk, unit_id=unit.pk, rank="Colonel", position="commander",
            start=date(2019, 1, 1), is_commander=True, source_id=src.pk,
        ),
    )  # fmt: skip
    return Scene(incident, twin, timeless, camera, rec, unit, deployment, commander, src)


def lead_of(incident: Any, key: str) -> Lead:
    return Lead.objects.get(incident=incident, target_key=key)
