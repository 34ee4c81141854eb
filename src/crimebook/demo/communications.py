"""PURE: fictitious communications for the demo (call detail records and radio intercepts),
derived deterministically from the demo data set so that communication leads appear.

- calls placed near some incidents while they happened (a witness calling for help, an
  ambulance dispatcher): the cell area is centred a few hundred metres off, as cells are;
  when the witness has a (fictitious) phone contact, the call carries it, so its blind
  digest meets the witness's contact digest;
- radio intercepts near some deployments while the unit was there;
- calls elsewhere in Minsk on the same days (noise: most match nothing).

Nothing here is real: parties are pseudonymous labels, numbers use operator code 00.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from crimebook.demo.dataset import DemoDataset

__all__ = ["DemoCommunication", "build_communications"]

_CENTRE = (53.9023, 27.5619)  # Minsk, Independence Square
_INTERCEPTS = (
    "Intercepted radio traffic: a unit asked to hold the square and clear the side streets.",
    "Intercepted radio traffic: a request for more transport for detainees.",
    "Intercepted radio traffic: a unit reported its position and was told to wait.",
)
_CALLS = (
    "Call for an ambulance: people injured near the crowd.",
    "Call to a relative: the caller says people are being detained.",
    "Short call; the caller reports shots and runs.",
)


@dataclass(frozen=True)
class DemoCommunication:
    external_id: str
    kind: str
    start: datetime
    end: datetime
    latitude: float | None
    longitude: float | None
    radius_m: float | None
    party_a: str
    party_b: str
    party_a_phone: str
    summary: str


def _off(lat: float, lon: float, metres: float, rng: random.Random) -> tuple[float, float]:
    bearing = rng.uniform(0, 2 * math.pi)
    dlat = metres * math.cos(bearing) / 111_320
    dlon = metres * math.sin(bearing) / (111_320 * math.cos(math.radians(lat)))
    return round(lat + dlat, 6), round(lon + dlon, 6)


def build_communications(
    dataset: DemoDataset, seed: int = 2020, share: float = 0.08
) -> tuple[DemoCommunication, ...]:
    """About ``share`` of the incidents get a call, one deployment in 15 an intercept, and
    as many calls again elsewhere; the same data set and seed give the same records."""
    rng = random.Random(f"communications-{seed}")
    contacts = {p.key: p.contact for p in dataset.persons if p.contact}
    out: list[DemoCommunication] = []

    def add(kind: str, start: datetime, seconds: int, place: tuple[float, float] | None,
            radius: float | None, a: str, b: str, phone: str, summary: str) -> None:  # fmt: skip
        n = len(out) + 1
        lat, lon = place if place else (None, None)
        out.append(
            DemoCommunication(
                f"DEMO-CDR-{n:04d}", kind, start, start + timedelta(seconds=seconds), lat, lon,
                radius, a, b, phone, summary,
            )
        )  # fmt: skip

    for incident in dataset.incidents:
        if incident.precision in ("day", "range") or rng.random() >= share:
            continue
        window = max(60, int((incident.end - incident.start).total_seconds()))
        start = incident.start + timedelta(seconds=rng.randrange(0, window))
        place = _off(incident.latitude, incident.longitude, rng.uniform(150, 700), rng)
        phones = [contacts[k] for k in incident.witness_keys if (contacts.get(k) or "")[:1] == "+"]
        phone = phones[0] if phones and rng.random() < 0.7 else ""
        callee = rng.choice(("ambulance dispatcher", f"subscriber R-{rng.randrange(100, 999)}"))
        add("call", start, rng.randrange(20, 400), place, float(rng.choice((500, 800, 1200))),
            f"subscriber W-{len(out) + 1:04d}", callee, phone, rng.choice(_CALLS))  # fmt: skip
    for i, dep in enumerate(dataset.deployments):
        if i % 15:
            continue
        span = max(60, int((dep.end - dep.start).total_seconds()))
        start = dep.start + timedelta(seconds=rng.randrange(0, span))
        add("radio", start, rng.randrange(10, 90), (dep.latitude, dep.longitude), 2000.0,
            f"call sign {rng.choice(('Berkut', 'Granit', 'Vostok'))}-{rng.randrange(1, 30)}",
            "duty officer", "", rng.choice(_INTERCEPTS))  # fmt: skip
    incidents = [i for i in dataset.incidents if i.start.month == 8]
    for _ in range(len(out)):
        anchor = rng.choice(incidents)
        start = anchor.start + timedelta(hours=rng.uniform(-30, 30))
        place = _off(*_CENTRE, rng.uniform(0, 9000), rng)
        kind = rng.choice(("call", "call", "message"))
        add(kind, start, 0 if kind == "message" else rng.randrange(10, 600), place,
            float(rng.choice((800, 1500, 3000))), f"subscriber N-{rng.randrange(1000, 9999)}",
            f"subscriber N-{rng.randrange(1000, 9999)}", "", "")  # fmt: skip
    return tuple(out)
