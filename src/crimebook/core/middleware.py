"""First middleware of both planes: forget who the client is before anything can record it."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

# Headers that identify a client or its network path. Nothing downstream (logging, lockout,
# rate limits, error reports) can store what is no longer there.
IDENTIFYING_HEADERS = (
    "HTTP_USER_AGENT",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_REAL_IP",
    "HTTP_FORWARDED",
    "HTTP_CF_CONNECTING_IP",
    "HTTP_TRUE_CLIENT_IP",
    "HTTP_VIA",
    "HTTP_REFERER",
)
ANONYMOUS_ADDRESS = "0.0.0.0"  # noqa: S104 - a placeholder value, never bound


class StripClientIdentifiersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META["REMOTE_ADDR"] = ANONYMOUS_ADDRESS
        for header in IDENTIFYING_HEADERS:
            request.META.pop(header, None)
        return self.get_response(request)
