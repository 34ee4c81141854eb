"""Incident ↔ unit ↔ person leads, up the hierarchy, always "possible"."""

from __future__ import annotations

from crimebook.correlation import Deployment, Incident, IncidentTable
from crimebook.correlation.units import Post, UnitEdge, unit_leads

T = 1_597_000_000
H = 3600
LAT, LON = 53.9, 27.55


def incidents() -> IncidentTable:
    return IncidentTable.from_records([Incident(1, T, T, LAT, LON, 200.0, 1800)])


DEPLOYMENTS = [
    Deployment(10, 7, T - 2 * H, T + 4 * H, LAT + 0.005, LON, 1500.0),  # company 7, there
    Deployment(11, 8, T - 2 * H, T + 4 * H, LAT + 0.5, LON, 1500.0),  # company 8, elsewhere
]
EDGES = [
    UnitEdge(7, 70, None, None),  # company 7 in battalion 70
    UnitEdge(70, 700, T - 86400, None),  # battalion 70 in regiment 700 since yesterday
    UnitEdge(70, 701, None, T - 86400),  # ... before that in regiment 701
    UnitEdge(700, 7, None, None),  # a cycle in bad data must not loop
]
POSTS = [
    Post(1, 100, 7, T - 365 * 86400, None, False, "officer"),
    Post(2, 101, 7, T - 365 * 86400, None, True, "company commander"),
    Post(3, 102, 70, None, None, False, "battalion clerk"),  # not a commander above: no lead
    Post(4, 103, 70, T - 86400, T + 86400, True, "battalion commander"),
    Post(5, 104, 700, T + 86400, None, True, "regiment commander, appointed after"),
    Post(6, 105, 701, None, None, True, "commander of the old regiment"),
    Post(7, 106, 7, None, T - 86400, False, "left the company before"),
]


def test_units_deployed_there_and_their_parents_at_the_time() -> None:
    leads = unit_leads(incidents(), deployments=DEPLOYMENTS, edges=EDGES, posts=POSTS)
    assert [(u.unit_id, u.level) for u in leads.units] == [(7, 0), (70, 1), (700, 2)]
    assert all(u.grade == "possible" for u in leads.units)
    assert leads.units[0].explanation.startswith("unit 7 deployed there: unit 7 deployed")
    assert "unit 700 was 2 levels above unit 7 at the time (directly above unit 70)" in (
        leads.units[2].explanation
    )


def test_people_who_held_posts_then_including_commanders_up_the_chain() -> None:
    leads = unit_leads(incidents(), deployments=DEPLOYMENTS, edges=EDGES, posts=POSTS)
    got = [(p.person_id, p.role, p.unit_id, p.level) for p in leads.people]
    assert got == [
        (100, "member", 7, 0),
        (101, "commander", 7, 0),
        (103, "commander", 70, 1),
    ]
    assert all(p.grade == "possible" for p in leads.people)
    assert leads.people[1].explanation.startswith(
        "possible: person 101 held a post (company commander) as commander of unit 7 at the time"
    )


def test_no_deployment_no_lead() -> None:
    far = IncidentTable.from_records([Incident(1, T, T, LAT - 1, LON, 200.0, 1800)])
    leads = unit_leads(far, deployments=DEPLOYMENTS, edges=EDGES, posts=POSTS)
    assert leads.units == () and leads.people == ()
