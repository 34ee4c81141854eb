"""Communications in the synthetic city: calls placed at the true place and time of some
incidents (the cell area, centred off the true place, contains it), among calls elsewhere.
Every true call is found unless the report is wrong beyond its own stated uncertainty."""

from __future__ import annotations

import numpy as np

from crimebook.correlation import Communication, correlate
from crimebook.correlation.geo import M_PER_DEG_LAT, haversine_m
from crimebook.correlation.scenario import LAT0, LAT1, LON0, LON1, build_scenario, quality


def test_true_calls_are_found_and_every_miss_is_a_wrong_report() -> None:
    sc = build_scenario(n_incidents=600, n_cameras=300, days=3, seed=11)
    rng = np.random.default_rng(11)
    calls: list[Communication] = []
    truth: set[tuple[int, int]] = set()
    inc = sc.incidents
    for k in rng.choice(len(inc), size=200, replace=False).tolist():
        radius = float(rng.choice([300.0, 800.0, 2000.0]))
        off, bearing = rng.uniform(0, 0.8 * radius), rng.uniform(0, 2 * np.pi)
        lat = sc.true_lat[k] + off * np.cos(bearing) / M_PER_DEG_LAT
        lon = sc.true_lon[k] + off * np.sin(bearing) / (
            M_PER_DEG_LAT * np.cos(np.radians(sc.true_lat[k]))
        )
        start = int(sc.true_time[k]) + int(rng.integers(-50, 10))
        calls.append(Communication(len(calls) + 1, start, start + 60, lat, lon, radius))
        truth.add((int(inc.id[k]), len(calls)))
    t0, t1 = int(sc.true_time.min()), int(sc.true_time.max())
    for _ in range(800):  # calls elsewhere in the city on the same days
        start = int(rng.integers(t0, t1))
        calls.append(
            Communication(len(calls) + 1, start, start + int(rng.integers(0, 600)),
                          float(rng.uniform(LAT0, LAT1)), float(rng.uniform(LON0, LON1)),
                          float(rng.choice([500.0, 1500.0, 3000.0])))
        )  # fmt: skip
    result = correlate(inc, communications=calls, config=sc.config)
    assert not result.skipped and not result.rejected
    p = result.pairs
    found = set(zip(p.incident_id.tolist(), p.evidence_id.tolist(), strict=True))
    q = quality(found, truth)
    assert q.recall >= 0.95 and q.precision >= 0.02, q
    row = {int(i): k for k, i in enumerate(inc.id)}
    for incident_id, _ in truth - found:
        k = row[incident_id]
        t = sc.true_time[k]
        in_time = inc.start[k] - inc.tolerance_s[k] <= t <= inc.end[k] + inc.tolerance_s[k]
        d = haversine_m(
            np.array([inc.lat[k]]), np.array([inc.lon[k]]),
            np.array([sc.true_lat[k]]), np.array([sc.true_lon[k]]),
        )[0]  # fmt: skip
        assert sc.wrong[k] or not (in_time and d <= inc.radius_m[k]), incident_id
