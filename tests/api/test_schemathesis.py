"""The OpenAPI document matches behaviour: schemathesis generates requests for every
operation from the document (valid and invalid ones), sends them in process through the
Django WSGI application with a member's bearer token, and checks each answer: never a 5xx,
the status code is one the document lists, and the body matches the documented schema
(the error shape included).

Bounded by ``MAX_EXAMPLES`` per operation so that the whole run takes a few minutes; it is
marked slow (``make test`` runs it; ``make test-fast`` skips it).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from ninja.responses import NinjaJSONEncoder
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from crimebook.accounts.services import api_token_create
from crimebook.api.main import api
from tests.evidence.helpers import use_vault

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

MAX_EXAMPLES = 15
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def bearer(world: Any, users: Any, tmp_path: Path, settings: Any) -> Iterator[dict[str, str]]:
    """A member's token (and a vault, for the evidence ingest route). Requests go through
    the bare WSGI handler, whose end-of-request signal would close the test's database
    connection (PostgreSQL, after CONN_MAX_AGE); Django's test client unhooks it the same way."""
    use_vault(tmp_path, settings)
    _, secret = api_token_create(actor=None, user=users.alice, name="schemathesis")
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield {"Authorization": f"Bearer {secret}"}
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


# The document exactly as GET /api/v1/openapi.json serves it (that route needs a token,
# which only exists inside a test's database transaction; a test below checks they agree).
def _document() -> dict[str, Any]:
    doc = api.get_openapi_schema(path_prefix="/api/v1")
    return json.loads(json.dumps(doc, cls=NinjaJSONEncoder))  # type: ignore[no-any-return]


schema = schemathesis.openapi.from_dict(_document())
APP = get_wsgi_application()


def test_the_checked_document_is_the_served_one(bearer: dict[str, str]) -> None:
    from django.test import Client

    served = Client().get("/api/v1/openapi.json", HTTP_AUTHORIZATION=bearer["Authorization"])
    assert served.status_code == 200
    assert served.json() == _document()


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_the_api_behaves_as_its_openapi_document_says(case: Any, bearer: dict[str, str]) -> None:
    case.call_and_validate(app=APP, headers=bearer, checks=CHECKS)
