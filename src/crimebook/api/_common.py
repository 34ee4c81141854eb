"""Helpers shared by the resource modules: the error shape, pagination, the caller, and
turning request payloads into the services' frozen ``*Data`` records. Private to the API."""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any, Generic, Optional, TypeVar

from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Body, Field, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.patch_dict import ModelToDict
from pydantic import AfterValidator, ConfigDict, create_model

from crimebook.accounts.models import User
from crimebook.core.errors import ValidationFailed
from crimebook.web import refdata  # the reference cache the selectors' term filters use

MAX_LIMIT = 200
DEFAULT_LIMIT = 50

ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    422: "validation_failed",
    429: "throttled",
    500: "internal_error",
    503: "busy",
}

T = TypeVar("T")
M = TypeVar("M", bound=models.Model)
D = TypeVar("D")


def _to_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


# Datetimes in responses: always aware, always in UTC ("...Z"), whatever was sent in.
UtcDatetime = Annotated[datetime, AfterValidator(_to_utc)]


# --- the one error shape -------------------------------------------------------------------


class ErrorBody(Schema):
    code: str = Field(..., examples=["validation_failed"])
    message: str
    fields: dict[str, list[str]] = Field(
        default_factory=dict, description="Messages per input field ('__all__': not one field)."
    )


class ErrorOut(Schema):
    error: ErrorBody


def error_response(
    status: int, message: str, fields: Mapping[str, Sequence[str]] | None = None
) -> JsonResponse:
    """The API's only error body: ``{"error": {"code", "message", "fields"}}``."""
    body = {
        "error": {
            "code": ERROR_CODES.get(status, "error"),
            "message": message,
            "fields": {str(k): [str(m) for m in v] for k, v in (fields or {}).items()},
        }
    }
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def responses(ok: Any, status: int = 200) -> dict[int, Any]:
    """Response map for an operation: its success schema plus the documented errors."""
    return {
        status: ok,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        422: ErrorOut,
        429: ErrorOut,
        503: ErrorOut,  # SQLite: a long import held the write lock (code "busy", Retry-After)
    }


def check_filters(
    filters: Schema,
    *,
    choices: Mapping[str, Sequence[str]] | None = None,
    terms: Mapping[str, str] | None = None,
) -> None:
    """A list filter's value no record can have is a 422 naming it, not an empty page that
    reads as "none exist" (a misspelt ``status=verifed``). ``choices``: query parameter ->
    the values it may take; ``terms``: query parameter -> the vocabulary its code is from
    (retired terms included: old records still carry them). Empty values filter nothing."""
    errors: dict[str, list[str]] = {}
    for name, allowed in (choices or {}).items():
        value = getattr(filters, name)
        if value and value not in allowed:
            errors[name] = [
                _("'%(value)s' is not one of %(allowed)s.")
                % {"value": value[:100], "allowed": ", ".join(allowed)}
            ]
    for name, vocabulary in (terms or {}).items():
        code = getattr(filters, name)
        if code and not refdata.term_ids(vocabulary, code):
            errors[name] = [
                _("'%(value)s' is not a code of the vocabulary %(vocabulary)s.")
                % {"value": code[:100], "vocabulary": vocabulary}
            ]
    if errors:
        raise ValidationFailed(errors)


class Input(Schema):
    """Base of request bodies: a field the API does not know is an error, not ignored."""

    model_config = ConfigDict(extra="forbid")


# --- who is asking -------------------------------------------------------------------------


def caller(request: HttpRequest) -> User:
    """The user the bearer token belongs to (set by the API's authentication)."""
    user = getattr(request, "auth", None)
    if not isinstance(user, User):  # unreachable behind the API's auth; deny anyway
        raise AuthenticationError()
    return user


# --- pagination ----------------------------------------------------------------------------
#
# Every list is paged by an opaque cursor over one stable order: newest record first by
# primary key (ids only grow, so this is creation order and never changes under the client,
# unlike offsets while records are being added). The cursor is the base64 of "v1:<last id>";
# clients must treat it as opaque. Each page carries the next page's cursor, or null.


class InvalidCursor(HttpError):
    def __init__(self) -> None:
        super().__init__(400, "The cursor is not valid; use the 'next' of a previous page.")


class PageParams(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page.")
    cursor: str = Field(
        "", max_length=100, description="The 'next' of the previous page; empty: the first page."
    )


class Page(Schema, Generic[T]):
    count: int = Field(..., description="Items matching the filters, on all pages.")
    next: str | None = Field(..., description="Cursor of the next page; null on the last.")
    items: list[T]


def encode_cursor(pk: int) -> str:
    return base64.urlsafe_b64encode(f"v1:{pk}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The last id of the previous page; :class:`InvalidCursor` (400) for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        version, _, value = raw.partition(":")
        if version != "v1" or not value.isdigit() or len(value) > 19:
            raise ValueError(raw)
        return int(value)
    except ValueError:  # binascii.Error and UnicodeDecodeError are ValueErrors
        raise InvalidCursor() from None


def paginate(
    queryset: QuerySet[M], page: PageParams, *, prefetch: Sequence[str] = ()
) -> dict[str, Any]:
    """One page of ``queryset`` (already filtered by the caller's access), newest first."""
    ordered = queryset.order_by("-pk")
    window = ordered
    if page.cursor:
        window = ordered.filter(pk__lt=decode_cursor(page.cursor))
    window = window[: page.limit + 1]
    if prefetch:
        window = window.prefetch_related(*prefetch)
    items = list(window)
    more = len(items) > page.limit
    items = items[: page.limit]
    return {
        "count": queryset.count(),
        "next": encode_cursor(items[-1].pk) if more else None,
        "items": items,
    }


# --- payloads into service data ------------------------------------------------------------


def _default(field: dataclasses.Field[Any]) -> Any:
    if field.default is not dataclasses.MISSING:
        return field.default
    if field.default_factory is not dataclasses.MISSING:
        return field.default_factory()
    return dataclasses.MISSING


def to_data(cls: type[D], values: Mapping[str, Any], *, base: D | None = None) -> D:
    """Build (``base`` None) or patch a service's frozen dataclass from payload values.

    Only the given keys change. ``null`` resets a field to the service's default; a field
    without one (e.g. a title) cannot be null. Lists become tuples, as the services expect.
    """
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    changes: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, value in values.items():
        field = fields.get(name)
        if field is None:
            continue
        if value is None:
            value = _default(field)
            if value is dataclasses.MISSING:
                errors[name] = ["This field is required and cannot be null."]
                continue
        changes[name] = tuple(value) if isinstance(value, list) else value
    if errors:
        raise ValidationFailed(errors)
    if base is None:
        return cls(**changes)
    return dataclasses.replace(base, **changes)  # type: ignore[type-var]


def payload_dict(payload: Schema) -> dict[str, Any]:
    """The fields the client actually sent (defaults are the services' business)."""
    return payload.model_dump(exclude_unset=True)


# --- PATCH bodies --------------------------------------------------------------------------


def patch_model(schema: type[Schema]) -> type[Input]:
    """``schema`` with every field optional and defaulting to "not sent"."""
    fields: dict[str, Any] = {}
    for name, info in schema.model_fields.items():
        annotation: Any = info.annotation
        if info.metadata:  # constraints pydantic lifted out of Annotated[...]
            annotation = Annotated[annotation, *info.metadata]
        fields[name] = (Optional[annotation], Field(None, description=info.description))  # noqa: UP045
    return create_model(f"{schema.__name__.removesuffix('In')}Patch", __base__=Input, **fields)


class _PatchOf:
    """``Patch[SomeIn]``: a body of SomeIn's fields, all optional, parsed into a dict of the
    fields the client sent. (ninja's PatchDict cannot resolve postponed annotations.)"""

    def __getitem__(self, schema: type[Schema]) -> Any:
        model = patch_model(schema)
        to_dict = type(
            f"{model.__name__}Dict", (ModelToDict,),
            {"_wrapped_model": model, "_wrapped_model_dump_params": {"exclude_unset": True}},
        )  # fmt: skip
        return Body[to_dict]  # type: ignore[valid-type,misc]


if TYPE_CHECKING:

    class Patch(dict[str, Any], Generic[T]):
        pass

else:
    Patch = _PatchOf()
