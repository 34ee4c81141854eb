"""Authentication, body parsing and exception handlers of the API: every failure leaves in
the one error shape of :func:`crimebook.api._common.error_response`.

Nothing here logs a request body, a token or a client address.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext, gettext_noop
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer

from crimebook.accounts.models import User
from crimebook.accounts.services import api_token_authenticate
from crimebook.api import ratelimit
from crimebook.api._bulk import BulkRejected, BulkTooLarge
from crimebook.api._common import error_response
from crimebook.core.errors import NotFound, PermissionDenied, ValidationFailed
from crimebook.core.writelock import RETRY_AFTER_SECONDS, is_lock_busy

logger = logging.getLogger("crimebook.api")

UNAUTHORIZED = "Authentication required: send a valid, unexpired API token as 'Bearer <token>'."
NOT_FOUND = "Not found."


class BearerToken(HttpBearer):
    """``Authorization: Bearer <token>``, checked against the stored token digests.

    Missing, malformed, unknown, expired and revoked tokens are indistinguishable (401).
    Unlike ninja's HttpBearer this never logs the header.
    """

    def __call__(self, request: HttpRequest) -> User | None:
        scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            return None
        return self.authenticate(request, secret.strip())

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_token_authenticate(token)
        if user is not None:
            scope = user.cb_token_scope  # type: ignore[attr-defined]
            ratelimit.consume(scope.token_id, scope.prefix)
            if scope.read_only and not _reads_only(request):
                # access.py already gives such a token no writable compartment; this also
                # covers writes decided by other rules (lead review, case roles)
                raise PermissionDenied(gettext("This token is read-only."))
        return user


_READ_POSTS = re.compile(r"/persons/\d+/reveal/?$")  # a POST that only reads (audited)


def _reads_only(request: HttpRequest) -> bool:
    if request.method in {"GET", "HEAD", "OPTIONS"}:
        return True
    return request.method == "POST" and bool(_READ_POSTS.search(request.path))


def token_or_session_user(request: HttpRequest) -> User | None:
    """For the docs pages only: a signed-in staff session or a bearer token."""
    user = getattr(request, "user", None)
    if isinstance(user, User) and user.is_authenticated and user.is_active:
        return user
    return BearerToken()(request)


def throttled(exc: ratelimit.Throttled) -> HttpResponse:
    response = error_response(429, str(exc))
    response["Retry-After"] = str(exc.retry_after)
    return response


def unauthorized() -> HttpResponse:
    response = error_response(401, UNAUTHORIZED)
    response["WWW-Authenticate"] = 'Bearer realm="crimebook"'
    return response


class MalformedBody(ValueError):
    """The request body is not JSON."""


NUL_MESSAGE = "Text may not contain NUL characters (\\u0000)."


def contains_nul(value: Any) -> bool:
    """A NUL anywhere in a decoded JSON value (keys included). PostgreSQL cannot store one
    in text, so it is refused on the way in, on every database alike."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(contains_nul(k) or contains_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(contains_nul(v) for v in value)
    return False


class JsonParser(Parser):
    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        try:
            data: dict[str, Any] = json.loads(request.body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise MalformedBody(f"The request body is not valid JSON: {exc}") from None
        if contains_nul(data):
            raise MalformedBody(NUL_MESSAGE)
        return data


# --- ninja's request validation into the error shape ---------------------------------------

# Said in the request's language; any other problem keeps pydantic's own (English) words.
_MESSAGES = {
    "timezone_aware": gettext_noop(
        "Give a time zone offset (e.g. 2020-08-10T22:30:00+03:00); a time without one is ambiguous."
    ),
    "missing": gettext_noop("This field is required."),
    "extra_forbidden": gettext_noop("Unknown field."),
}


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form", "file"}:
        source = parts.pop(0)
        if source == "body" and parts and parts[0] == "payload":
            parts.pop(0)  # every body parameter of this API is called "payload"
    return ".".join(parts) or "__all__"


def _in_path(error: dict[str, Any]) -> bool:
    loc = error.get("loc") or ("",)
    return str(loc[0]) == "path"


def validation_fields(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for err in errors:
        known = _MESSAGES.get(str(err.get("type")))
        message = gettext(known) if known else str(err.get("msg", "Invalid value."))
        fields.setdefault(_field_name(err.get("loc", ())), []).append(message)
    return fields


# --- handlers --------------------------------------------------------------------------------


def install(api: NinjaAPI) -> None:
    """Register the exception handlers that give every error the one shape."""

    @api.exception_handler(NinjaValidationError)
    def _request_invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        if exc.errors and all(_in_path(e) for e in exc.errors):
            return error_response(404, NOT_FOUND)  # /incidents/abc names no record either
        return error_response(
            422, gettext("The request is not valid; see fields."), validation_fields(exc.errors)
        )

    @api.exception_handler(ValidationFailed)
    def _rejected(request: HttpRequest, exc: ValidationFailed) -> HttpResponse:
        return error_response(422, gettext("The record was not saved; see fields."), exc.errors)

    @api.exception_handler(NotFound)
    def _not_found(request: HttpRequest, exc: NotFound) -> HttpResponse:
        # Identical for a record that does not exist and one the caller may not see.
        return error_response(404, NOT_FOUND)

    @api.exception_handler(Http404)
    def _http404(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(404, NOT_FOUND)

    @api.exception_handler(PermissionDenied)
    def _denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return error_response(403, str(exc) or gettext("You may not do this."))

    @api.exception_handler(DjangoPermissionDenied)
    def _django_denied(request: HttpRequest, exc: DjangoPermissionDenied) -> HttpResponse:
        return error_response(403, gettext("You may not do this."))

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return unauthorized()

    @api.exception_handler(HttpError)
    def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc.__cause__, MalformedBody):
            return error_response(422, str(exc.__cause__), {"__all__": [str(exc.__cause__)]})
        return error_response(exc.status_code, exc.message)

    @api.exception_handler(OverflowError)
    def _out_of_range(request: HttpRequest, exc: OverflowError) -> HttpResponse:
        # An id beyond the database's integers (SQLite raises before querying) or a date
        # at the edge of the calendar that a time zone or a day's end pushes past it.
        return error_response(422, "A number or a date is out of the supported range.")

    @api.exception_handler(BulkRejected)
    def _bulk_rejected(request: HttpRequest, exc: BulkRejected) -> HttpResponse:
        return error_response(422, str(exc), exc.errors)

    @api.exception_handler(BulkTooLarge)
    def _bulk_too_large(request: HttpRequest, exc: BulkTooLarge) -> HttpResponse:
        return error_response(413, str(exc), {"items": [str(exc)]})

    @api.exception_handler(ratelimit.Throttled)
    def _throttled(request: HttpRequest, exc: ratelimit.Throttled) -> HttpResponse:
        return throttled(exc)

    @api.exception_handler(RequestDataTooBig)
    def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return error_response(413, "The request body is too large.")

    @api.exception_handler(Exception)
    def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        if is_lock_busy(exc):  # SQLite: another writer (a long import) held the write lock
            busy = error_response(
                503,
                gettext(
                    "The register is busy with another long write (such as an import); "
                    "nothing was saved. Send the request again later."
                ),
            )
            busy["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return busy
        # The traceback names the failing code; the request (body, query, client) stays out.
        logger.error("unhandled API error: %s", type(exc).__name__, exc_info=exc)
        return error_response(500, "Internal error. It has been logged without request data.")


def docs_guard(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The schema and docs pages need a signed-in session or a token, like everything else."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            user = token_or_session_user(request)
        except ratelimit.Throttled as exc:
            return throttled(exc)
        if user is None:
            if request.path.rstrip("/").endswith("/docs"):
                return redirect_to_login(request.get_full_path())
            return unauthorized()
        return view(request, *args, **kwargs)

    return guarded
