"""Every failure has the one error shape; a record in another compartment is
indistinguishable from one that does not exist."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from crimebook.core.errors import NotFound
from crimebook.register import selectors

pytestmark = pytest.mark.django_db

Check = Callable[..., dict[str, Any]]

MISSING_ID = 987_654
# The smallest valid body for routes whose body has required fields.
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/units/{unit_id}/parents"): {"parent_id": 1},
    ("PATCH", "/units/{unit_id}/parents/{link_id}"): {"valid_to": "2021-01-01"},
    ("POST", "/persons/{person_id}/reveal"): {"reason": "Preparing a statement"},
    ("POST", "/cases/{case_id}/incidents"): {"ids": [1]},
    ("POST", "/cases/{case_id}/suspects"): {"ids": [1]},
    ("POST", "/cases/{case_id}/exhibits"): {"ids": [1]},
    ("POST", "/cases/{case_id}/testimonies"): {"ids": [1]},
    ("POST", "/cases/{case_id}/classifications"): {"act_id": 1, "definition": "cat-1"},
    ("POST", "/cases/{case_id}/classifications/{classification_id}/supports"): {
        "element_id": 1,
        "exhibit_id": 1,
        "note": "n",
    },
}


def _b_ids(world: Any) -> dict[str, int]:
    """Ids of mallory's records (compartment B), by path parameter name."""
    b = world.b
    return {
        "incident_id": b.incident.pk, "act_id": b.act.pk, "person_id": b.victim.pk,
        "source_id": b.source.pk, "post_id": b.post.pk, "deployment_id": b.deployment.pk,
    }  # fmt: skip


def _send(api: Any, method: str, url: str, body: dict[str, Any]) -> Any:
    return api.request(method, url, body if method in {"POST", "PATCH"} else None)


def test_routes_with_ids_answer_404_the_same_for_missing_and_invisible_records(
    id_operation: tuple[str, str], world: Any, alice_api: Any, error_of: Check,
    fill: Callable[..., str],
) -> None:  # fmt: skip
    method, path = id_operation
    params = re.findall(r"\{(\w+)\}", path)
    body = BODIES.get((method, path), {})
    # WHEN alice asks for an id that does not exist
    missing = error_of(_send(alice_api, method, fill(path, default=MISSING_ID), body), 404)
    assert missing == {"code": "not_found", "message": "Not found.", "fields": {}}
    # AND for a record that exists in a compartment she is not a member of
    ids = _b_ids(world)
    if all(p in ids for p in params):
        hidden = error_of(_send(alice_api, method, fill(path, ids), body), 404)
        # THEN both answers are identical, byte for byte
        assert hidden == missing


def test_mallory_never_sees_alices_records_in_lists(
    world: Any, api_as: Callable[[Any], Any], users: Any
) -> None:
    mallory = api_as(users.mallory)
    for resource, record in [
        ("/incidents", world.a.incident), ("/acts", world.a.act),
        ("/involvements", world.a.involvement), ("/persons", world.a.victim),
        ("/sources", world.a.source), ("/posts", world.a.post),
        ("/deployments", world.a.deployment),
    ]:  # fmt: skip
        ids = [item["id"] for item in mallory.get(resource, limit=200).json()["items"]]
        assert record.pk not in ids, resource
        assert ids, f"mallory should still see her own {resource}"


def test_a_read_only_member_may_read_but_not_write(
    world: Any, api_as: Callable[[Any], Any], users: Any, error_of: Check
) -> None:
    rita = api_as(users.rita)
    assert rita.get(f"/incidents/{world.a.incident.pk}").status_code == 200
    error = error_of(rita.patch(f"/incidents/{world.a.incident.pk}", {"title": "x"}), 403)
    assert error["code"] == "forbidden"
    assert "does not allow" in error["message"]
    body = {"compartment_id": world.a.source.compartment_id, "kind": "interview", "title": "t"}
    error_of(rita.post("/sources", body), 403)
    error_of(rita.post("/units", {"code": "x", "name": "X", "unit_type": "ministry"}), 403)


def test_malformed_json_is_422_in_the_error_shape(
    alice_api: Any, world: Any, error_of: Check
) -> None:
    for raw in ('{"title": ', "not json", "\udcff".encode("utf-8", "surrogatepass")):
        error = error_of(alice_api.request("POST", "/incidents", raw), 422)
        assert error["code"] == "validation_failed"
        assert "not valid JSON" in error["message"]
        assert error["fields"]["__all__"]
    error_of(alice_api.request("PATCH", f"/incidents/{world.a.incident.pk}", "[1,"), 422)


def test_wrong_types_and_missing_fields_are_422_per_field(
    alice_api: Any, compartments: Any, error_of: Check
) -> None:
    error = error_of(alice_api.post("/incidents", {"compartment_id": "abc"}), 422)
    assert error["code"] == "validation_failed"
    assert error["fields"]["title"] == ["This field is required."]
    assert "valid integer" in error["fields"]["compartment_id"][0]
    error = error_of(alice_api.post("/incidents", ["not", "an", "object"]), 422)
    assert error["fields"]
    error = error_of(alice_api.get("/incidents", limit="many", date_from="yesterday"), 422)
    assert set(error["fields"]) == {"limit", "date_from"}


def test_an_unsupported_method_is_405_in_the_error_shape(
    alice_api: Any, world: Any, error_of: Check
) -> None:
    response = alice_api.request("DELETE", f"/incidents/{world.a.incident.pk}")
    error = error_of(response, 405)
    assert error["code"] == "method_not_allowed"
    assert "PATCH" in response["Allow"]
    error_of(alice_api.request("PUT", "/incidents", {}), 405)


def test_an_unexpected_failure_is_500_in_the_error_shape_without_request_data(
    alice_api: Any, world: Any, error_of: Check, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr("crimebook.api.sources.sources_for", broken)
    secret_title = "Victim named Ivan Secretov"
    response = alice_api.request("GET", "/sources", q=secret_title)
    error = error_of(response, 500)
    assert error["code"] == "internal_error"
    assert "boom" not in error["message"]
    assert secret_title not in caplog.text
    assert "RuntimeError" in caplog.text


def test_the_selector_not_found_is_what_the_api_relies_on(world: Any, users: Any) -> None:
    # GIVEN the contract the 404 test depends on: selectors hide other compartments
    with pytest.raises(NotFound):
        selectors.incident_get_for(users.alice, world.b.incident.pk)


def test_unknown_body_fields_are_rejected_not_ignored(
    alice_api: Any, world: Any, error_of: Check
) -> None:
    error = error_of(alice_api.patch(f"/incidents/{world.a.incident.pk}", {"titel": "x"}), 422)
    assert error["fields"] == {"titel": ["Unknown field."]}
    body = {"compartment_id": world.a.source.compartment_id, "kind": "interview", "title": "t",
            "full_name": "Ivan"}  # fmt: skip
    assert error_of(alice_api.post("/sources", body), 422)["fields"] == {
        "full_name": ["Unknown field."]
    }


def test_an_oversized_body_is_413_in_the_error_shape(
    alice_api: Any, world: Any, error_of: Check, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = '{"title": "' + "x" * 2000 + '"}'
    error = error_of(alice_api.request("PATCH", f"/incidents/{world.a.incident.pk}", body), 413)
    assert error["code"] == "payload_too_large"
