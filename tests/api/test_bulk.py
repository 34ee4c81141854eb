"""POST /<resource>/bulk: all or nothing, every failure named by its index, capped."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from crimebook.audit.models import AuditEntry
from crimebook.register.models import Incident, StaffingRecord

pytestmark = pytest.mark.django_db

Check = Callable[..., dict[str, Any]]


def _incident(compartment: Any, title: str, **more: Any) -> dict[str, Any]:
    return {"compartment_id": compartment.pk, "title": title, **more}


def test_a_valid_batch_is_created_in_order_and_audited(
    alice_api: Any, compartments: Any, world: Any
) -> None:
    before = Incident.objects.count(), AuditEntry.objects.count()
    items = [_incident(compartments.a, f"Bulk {n}", violation_types=["torture"]) for n in range(4)]
    response = alice_api.post("/incidents/bulk", {"items": items})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["count"] == 4
    assert [i["title"] for i in body["items"]] == [f"Bulk {n}" for n in range(4)]
    assert Incident.objects.count() == before[0] + 4
    assert AuditEntry.objects.count() > before[1]


def test_one_bad_item_rejects_the_whole_batch_and_names_each_failure(
    alice_api: Any, compartments: Any, world: Any, error_of: Check
) -> None:
    # GIVEN a batch whose items 1 and 3 break the services' rules
    items = [
        _incident(compartments.a, "Fine"),
        _incident(compartments.a, "Bad latitude", latitude=123.0, longitude=27.5),
        _incident(compartments.a, "Also fine"),
        _incident(compartments.a, "Unknown term", violation_types=["no-such-term"]),
    ]
    before = Incident.objects.count(), AuditEntry.objects.count()
    # WHEN it is sent
    error = error_of(alice_api.post("/incidents/bulk", {"items": items}), 422)
    # THEN nothing was written, and the errors carry the failing items' indexes
    assert (Incident.objects.count(), AuditEntry.objects.count()) == before
    assert {key.split(".")[0] for key in error["fields"]} == {"1", "3"}
    assert "2 of 4" in error["message"]


def test_an_item_in_a_compartment_the_caller_cannot_see_fails_the_batch(
    alice_api: Any, compartments: Any, world: Any, error_of: Check
) -> None:
    before = Incident.objects.count()
    items = [_incident(compartments.a, "Mine"), _incident(compartments.b, "Not mine")]
    error = error_of(alice_api.post("/incidents/bulk", {"items": items}), 422)
    assert list(error["fields"]) == ["1.__all__"]
    assert Incident.objects.count() == before


def test_a_malformed_item_is_named_by_index_before_anything_runs(
    alice_api: Any, compartments: Any, error_of: Check
) -> None:
    items = [_incident(compartments.a, "Fine"), {"compartment_id": compartments.a.pk}]
    error = error_of(alice_api.post("/incidents/bulk", {"items": items}), 422)
    assert "items.1.title" in error["fields"]
    error_of(alice_api.post("/incidents/bulk", {"items": []}), 422)
    error_of(alice_api.post("/incidents/bulk", [_incident(compartments.a, "no wrapper")]), 422)


def test_a_batch_over_the_cap_is_refused_whole(
    alice_api: Any, compartments: Any, settings: Any, error_of: Check
) -> None:
    settings.CRIMEBOOK_API_BULK_MAX = 3
    before = Incident.objects.count()
    items = [_incident(compartments.a, f"n{n}") for n in range(4)]
    error = error_of(alice_api.post("/incidents/bulk", {"items": items}), 413)
    assert "3" in error["message"] and "items" in error["fields"]
    assert Incident.objects.count() == before


def test_a_read_only_member_cannot_bulk_create(
    api_as: Callable[[Any], Any], users: Any, compartments: Any, error_of: Check
) -> None:
    reader = api_as(users.rita)
    error = error_of(
        reader.post("/incidents/bulk", {"items": [_incident(compartments.a, "x")]}), 422
    )
    assert list(error["fields"]) == ["0.__all__"]
    assert not Incident.objects.filter(title="x").exists()


def test_staffing_records_in_bulk(
    alice_api: Any, compartments: Any, world: Any, error_of: Check
) -> None:
    row = {
        "compartment_id": compartments.a.pk, "unit_id": world.omon.pk, "on": "2020-08-09",
        "headcount": 1200, "source_id": world.a.source.pk,
    }  # fmt: skip
    response = alice_api.post("/staffing/bulk", {"items": [row, {**row, "on": "2020-09-01"}]})
    assert response.status_code == 201, response.content
    assert StaffingRecord.objects.count() == 2
    # a source of another compartment fails the batch
    bad = {**row, "source_id": world.b.source.pk}
    error = error_of(alice_api.post("/staffing/bulk", {"items": [row, bad]}), 422)
    assert "1.source_id" in error["fields"]
    assert StaffingRecord.objects.count() == 2


@pytest.mark.parametrize(
    "path",
    ["/incidents/bulk", "/acts/bulk", "/involvements/bulk", "/persons/bulk", "/sources/bulk",
     "/units/bulk", "/posts/bulk", "/deployments/bulk", "/staffing/bulk", "/dismissals/bulk"],
)  # fmt: skip
def test_every_bulk_route_refuses_an_empty_batch(
    alice_api: Any, path: str, error_of: Check
) -> None:
    error_of(alice_api.post(path, {"items": []}), 422)
