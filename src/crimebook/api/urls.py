"""URLs of the API. Every response, including Django-level 404 and 405, is JSON in the one
error shape, and none may be cached."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver, include, path, re_path

from crimebook.api._common import error_response
from crimebook.api._handlers import (
    NOT_FOUND,
    NUL_MESSAGE,
    BearerToken,
    throttled,
    unauthorized,
)
from crimebook.api.main import api
from crimebook.api.ratelimit import Throttled

View = Callable[..., HttpResponse]


def _json_errors(view: View) -> View:
    """ninja answers an unsupported method with a plain-text 405 and its root with a Django
    404 page; give both the error shape, and forbid caching of every API response."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            if "\x00" in request.path or any(
                "\x00" in key or "\x00" in value
                for key, values in request.GET.lists()
                for value in values
            ):
                # still deny-by-default: without a valid token the answer is 401
                response = not_found(request)
                if response.status_code == 404:
                    response = error_response(422, NUL_MESSAGE, {"__all__": [NUL_MESSAGE]})
            else:
                response = view(request, *args, **kwargs)
        except Http404:
            response = not_found(request)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            response = error_response(
                405, f"Method {request.method} is not allowed here; use {allowed}."
            )
            response["Allow"] = allowed
        response["Cache-Control"] = "no-store"
        return response

    return wrapped


def _wrap(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    out: list[URLPattern | URLResolver] = []
    for p in patterns:
        if isinstance(p, URLPattern):
            p = URLPattern(p.pattern, _json_errors(p.callback), p.default_args, p.name)
        out.append(p)
    return out


def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Anything else under /api/v1/: 401 without a valid token, else 404."""
    try:
        user = BearerToken()(request)
    except Throttled as exc:
        user, response = None, throttled(exc)
    else:
        response = unauthorized() if user is None else error_response(404, NOT_FOUND)
    response["Cache-Control"] = "no-store"
    return response


_patterns, _app_name, _namespace = api.urls

urlpatterns = [
    path("", include((_wrap(_patterns), _app_name), namespace=_namespace)),
    re_path(r"^(?P<rest>.*)$", not_found),
]
