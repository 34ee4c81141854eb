"""Builders that create register records through the services, as the application does."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from crimebook.register import services as s


def source(compartment: Any, **kw: Any) -> Any:
    data = s.SourceData(
        compartment_id=compartment.pk,
        kind=kw.pop("kind", "interview"),
        title=kw.pop("title", "Interview with a witness"),
        reliability=kw.pop("reliability", "B"),
        credibility=kw.pop("credibility", 2),
        consent_investigation=True,
        **kw,
    )
    return s.source_create(actor=None, data=data)


def person(compartment: Any, name: str = "Алесь Тэставы", **kw: Any) -> Any:
    identity = s.PersonIdentity(
        full_name=name,
        birth_date=kw.pop("birth_date", date(1990, 5, 1)),
        contacts=kw.pop("contacts", ()),
        identifiers=kw.pop("identifiers", ()),
    )
    roles = kw if kw else {"is_victim": True}
    return s.person_create(
        actor=None, data=s.PersonData(compartment_id=compartment.pk, identity=identity, **roles)
    )


def incident_data(compartment: Any, **kw: Any) -> s.IncidentData:
    defaults: dict[str, Any] = {
        "compartment_id": compartment.pk,
        "title": "Beating near Pushkinskaya metro",
        "start": datetime(2020, 8, 10, 19, 0, tzinfo=UTC),
        "end": datetime(2020, 8, 10, 20, 0, tzinfo=UTC),
        "precision": "hour",
        "place_name": "Pushkinskaya metro",
        "latitude": 53.9093,
        "longitude": 27.4955,
        "radius_m": 300.0,
        "violation_types": ("torture",),
    }
    defaults.update(kw)
    return s.IncidentData(**defaults)


def incident(compartment: Any, **kw: Any) -> Any:
    return s.incident_create(actor=None, data=incident_data(compartment, **kw))


def unit(code: str = "omon", **kw: Any) -> Any:
    data = s.UnitData(
        code=code,
        name=kw.pop("name", f"Unit {code}"),
        unit_type=kw.pop("unit_type", "riot_police"),
        valid_from=kw.pop("valid_from", date(2000, 1, 1)),
        **kw,
    )
    return s.unit_create(actor=None, data=data)


def act(incident_obj: Any, victim: Any, **kw: Any) -> Any:
    data = s.ActData(
        incident_id=incident_obj.pk,
        victim_id=victim.pk,
        act_type=kw.pop("act_type", "beating"),
        **kw,
    )
    return s.act_create(actor=None, data=data)
