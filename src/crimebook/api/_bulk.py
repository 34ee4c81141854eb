"""``POST /<resource>/bulk``: many records in one request, all or nothing.

Each item goes through the same service as a single create, inside one transaction (each
item in its own savepoint, so one failure does not stop the others from being checked).
If any item fails, nothing is kept and the answer is 422 with every failure keyed by the
item's index (``"3.title"``); a payload over ``CRIMEBOOK_API_BULK_MAX`` items is refused
(413) before anything is written. ninja's own validation of the body keys its errors the
same way (``items.3.title``).

No ``from __future__ import annotations`` here: ninja reads the endpoints' annotations,
which are built at run time from the resource's schemas.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Field, Router, Schema, Status
from pydantic import create_model

from crimebook.accounts.models import User
from crimebook.api._common import Input, caller, responses
from crimebook.core.errors import NotFound, PermissionDenied, ValidationFailed

__all__ = ["BulkRejected", "add_bulk_route"]


class BulkRejected(Exception):
    """Some items failed; nothing was written. ``errors`` are keyed "<index>.<field>"."""

    def __init__(self, errors: dict[str, list[str]], failed: int, total: int) -> None:
        super().__init__(f"{failed} of {total} items were rejected; nothing was saved.")
        self.errors = errors


class BulkTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"Send at most {limit} items per request.")


def bulk_max() -> int:
    return int(getattr(settings, "CRIMEBOOK_API_BULK_MAX", 500))


def _item_errors(index: int, exc: Exception) -> dict[str, list[str]]:
    if isinstance(exc, ValidationFailed):
        return {f"{index}.{field}": list(msgs) for field, msgs in exc.errors.items()}
    if isinstance(exc, NotFound):
        # same words for missing and forbidden, as for a single create
        return {f"{index}.__all__": [f"Not found: {exc}." if str(exc) else "Not found."]}
    return {f"{index}.__all__": [str(exc) or gettext("You may not do this.")]}


def create_all(user: User, items: list[Any], create: Callable[[User, Any], Any]) -> list[Any]:
    """Create every item through ``create`` in one transaction, or none of them."""
    if len(items) > bulk_max():
        raise BulkTooLarge(bulk_max())
    created: list[Any] = []
    errors: dict[str, list[str]] = {}
    failed = 0
    with transaction.atomic():
        for index, item in enumerate(items):
            try:
                with transaction.atomic():
                    created.append(create(user, item))
            except (ValidationFailed, NotFound, PermissionDenied) as exc:
                failed += 1
                errors.update(_item_errors(index, exc))
        if errors:
            raise BulkRejected(errors, failed, len(items))  # rolls the whole batch back
    return created


def add_bulk_route(
    router: Router,
    schema_in: type[Schema],
    schema_out: type[Schema],
    create: Callable[[User, Any], Any],
    what: str,
) -> None:
    """Register ``POST /bulk`` on ``router`` for ``schema_in`` items made by ``create``."""
    name = schema_in.__name__.removesuffix("In")
    body = create_model(
        f"{name}BulkIn",
        __base__=Input,
        items=(list[schema_in], Field(..., min_length=1, description="The records, in order.")),  # type: ignore[valid-type]
    )
    out = create_model(
        f"{name}BulkOut",
        __base__=Schema,
        count=(int, ...),
        items=(list[schema_out], ...),  # type: ignore[valid-type]
    )

    def bulk(request: HttpRequest, payload: Any) -> Status[dict[str, Any]]:
        created = create_all(caller(request), list(payload.items), create)
        return Status(201, {"count": len(created), "items": created})

    bulk.__annotations__ = {"request": HttpRequest, "payload": body, "return": Status[Any]}
    bulk.__name__ = f"bulk_create_{name.lower()}"
    router.post(
        "/bulk",
        response={**responses(out, 201), 413: responses(out)[401]},
        summary=f"Create many {what} (all or nothing)",
        operation_id=f"bulk_create_{name.lower()}",
    )(bulk)
    # URL patterns follow this order: /bulk must come before /{id}, which would take it
    ops = router.path_operations
    router.path_operations = {"/bulk": ops.pop("/bulk"), **ops}
