"""The workspace's 500 handler. One failure gets its own answer: on SQLite a write that waited
out the busy timeout while another writer (a long import, one transaction) held the
database's write lock. Nothing of the request was saved (its transaction rolled back), so the
reader gets a 503 that says so and when to try again, not a bare "Server Error"."""

from __future__ import annotations

import sys

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.views.defaults import server_error as django_server_error

from crimebook.core.writelock import RETRY_AFTER_SECONDS, is_lock_busy

__all__ = ["busy_response", "server_error"]


def busy_response(request: HttpRequest) -> HttpResponse:
    """503 with ``Retry-After``: a page without the database (a self-contained template)."""
    response = HttpResponse(
        render_to_string("web/busy.html", {"retry_after": RETRY_AFTER_SECONDS}),
        status=503,
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's ``handler500``: it runs inside the failed request's ``except`` block."""
    if is_lock_busy(sys.exc_info()[1]):
        return busy_response(request)
    return django_server_error(request)
