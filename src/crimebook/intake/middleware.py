"""The intake's outermost middleware: limits, body guard, headers, cleanup.

* Every POST takes a token from one global bucket (no identifiers); codename attempts take one
  from a second bucket. An empty bucket answers 429.
* A POST must state its length (411 otherwise); a length above the upload limit is refused
  (413) before a byte of the body is read; a multipart body is wrapped in a
  :class:`~crimebook.intake.uploads.GuardedStream` so that truncation is noticed.
* Every response carries a strict CSP (nothing but this origin; no scripts at all),
  ``no-store`` and a ``same-origin`` referrer policy.
* Whatever happens, an uncommitted staging directory is deleted when the request ends.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from crimebook.intake import conf
from crimebook.intake.uploads import GuardedStream, state_for

__all__ = ["CSP", "IntakeGuardMiddleware"]

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
# Room for the text fields of a multipart body on top of the attachments' limit.
FORM_OVERHEAD_BYTES = 4 * 1024 * 1024
CODENAME_PATHS = ("/return/",)


def _problem(request: HttpRequest, status: int, reason: str) -> HttpResponse:
    return render(request, "intake/problem.html", {"reason": reason}, status=status)


def _boundary(content_type: str) -> bytes | None:
    if not content_type.startswith("multipart/"):
        return None
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "boundary" and value:
            return value.strip('"').encode("latin-1", "replace")
    return None


class IntakeGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        state = state_for(request)
        try:
            response = self._guarded(request)
        finally:
            state.discard()
        response["Content-Security-Policy"] = CSP
        response["Cache-Control"] = "no-store"
        # same-origin, not no-referrer: with no-referrer browsers send "Origin: null" on form
        # posts and the CSRF origin check fails; nothing is ever sent to another origin.
        response["Referrer-Policy"] = "same-origin"
        response["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        response["Cross-Origin-Resource-Policy"] = "same-origin"
        response["X-Content-Type-Options"] = "nosniff"
        return response

    def _guarded(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST":
            refusal = self._check_post(request)
            if refusal is not None:
                return refusal
        return self.get_response(request)

    def _check_post(self, request: HttpRequest) -> HttpResponse | None:
        if not conf.post_bucket().take():
            return _problem(request, 429, "busy")
        if any(request.path.endswith(p) for p in CODENAME_PATHS) and not (
            conf.codename_bucket().take()
        ):
            return _problem(request, 429, "busy")
        raw_length = request.META.get("CONTENT_LENGTH") or ""
        if not raw_length:
            return _problem(request, 411, "length")
        try:
            length = int(raw_length)
        except ValueError:
            return _problem(request, 400, "malformed")
        if length < 0:
            return _problem(request, 400, "malformed")
        if length > conf.max_upload_bytes() + FORM_OVERHEAD_BYTES:
            return _problem(request, 413, "too_large")
        boundary = _boundary(request.META.get("CONTENT_TYPE", ""))
        stream = getattr(request, "_stream", None)
        if stream is not None:
            guard = GuardedStream(stream, length, boundary)
            setattr(request, "_stream", guard)  # noqa: B010 - replaces a private attribute
            state_for(request).guard = guard
        return None
