"""Quality on known answers: a synthetic city where the true cameras and units are known.

Stated floors (measured with margin, see ARCHITECTURE.md "Correlation core"): recall of true
cameras and true units >= 0.95; precision of camera leads >= 0.02 (most leads are cameras
that *could* have seen the event given the stated uncertainty — ranking, not the rule, puts the
true ones first) and of unit leads >= 0.6.
"""

from __future__ import annotations

import numpy as np
import pytest

from crimebook.correlation import correlate
from crimebook.correlation.geo import haversine_m
from crimebook.correlation.scenario import Scenario, build_scenario, quality


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return build_scenario(n_incidents=1000, n_cameras=6000, days=3, seed=7)


def leads(sc: Scenario) -> tuple[set[tuple[int, int]], set[tuple[int, int]]]:
    result = correlate(
        sc.incidents,
        cameras=sc.cameras,
        segments=sc.segments,
        deployments=sc.deployments,
        config=sc.config,
    )
    assert not result.skipped and not result.rejected
    p = result.pairs
    source = p.prepared.sites.source_id[p.prepared.spans.site[p.span]]
    rec = p.kind_code == 0
    cams = set(zip(p.incident_id[rec].tolist(), source[rec].tolist(), strict=True))
    units = set(zip(p.incident_id[~rec].tolist(), source[~rec].tolist(), strict=True))
    return cams, units


def test_recall_and_precision_floors(scenario: Scenario) -> None:
    cams, units = leads(scenario)
    q_cam = quality(cams, scenario.truth_cameras)
    q_unit = quality(units, scenario.truth_units)
    assert q_cam.truth > 200 and q_unit.truth > 500  # the scenario is not trivially empty
    assert q_cam.recall >= 0.95 and q_cam.precision >= 0.02
    assert q_unit.recall >= 0.95 and q_unit.precision >= 0.6


def test_every_miss_is_explained_by_a_report_wrong_beyond_its_stated_uncertainty(
    scenario: Scenario,
) -> None:
    """The rule guarantees: if the truth lies within the stated window ± tolerance and the
    stated radius, every true camera is proposed. So each miss must be a wrong report."""
    cams, units = leads(scenario)
    inc = scenario.incidents
    row = {int(i): k for k, i in enumerate(inc.id)}
    missed = (scenario.truth_cameras - cams) | (scenario.truth_units - units)
    assert missed  # the scenario does contain bad reports
    for incident_id, _ in missed:
        k = row[incident_id]
        t = scenario.true_time[k]
        in_time = inc.start[k] - inc.tolerance_s[k] <= t <= inc.end[k] + inc.tolerance_s[k]
        d = haversine_m(
            np.array([inc.lat[k]]),
            np.array([inc.lon[k]]),
            np.array([scenario.true_lat[k]]),
            np.array([scenario.true_lon[k]]),
        )[0]
        assert not (in_time and d <= inc.radius_m[k]), incident_id


def test_scenario_is_deterministic() -> None:
    a = build_scenario(n_incidents=50, n_cameras=200, days=2, seed=3)
    b = build_scenario(n_incidents=50, n_cameras=200, days=2, seed=3)
    assert np.array_equal(a.segments.start, b.segments.start)
    assert a.truth_cameras == b.truth_cameras and a.truth_units == b.truth_units
