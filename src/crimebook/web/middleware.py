"""Deny-by-default login and security headers for every response."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import lru_cache

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from crimebook.maps.tiles import tile_csp_source, validate_tile_url
from crimebook.web.sessions import SessionStore

# Paths reachable without logging in. Everything else needs a session (the API has its
# own token authentication and answers 401 in JSON itself).
PUBLIC_PREFIXES = (
    "/accounts/login/",
    "/accounts/2fa/authenticate/",
    "/static/",
    "/i18n/",
    "/api/",
    "/favicon.ico",
)

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def content_security_policy() -> str:
    """The workspace CSP. No third-party host is allowed, except the map tile server when
    one is configured (CRIMEBOOK_MAP_TILE_URL): its origin alone joins ``img-src``."""
    return _policy_for(str(getattr(settings, "CRIMEBOOK_MAP_TILE_URL", "") or ""))


@lru_cache(maxsize=8)
def _policy_for(tile_url: str) -> str:
    """The policy for one tile URL template, worked out once per process and template."""
    try:
        source = tile_csp_source(validate_tile_url(tile_url))
    except ValueError:  # an invalid template adds nothing (config refuses it at start-up)
        source = ""
    if not source:
        return CSP
    return CSP.replace("img-src 'self' data:", f"img-src 'self' data: {source}")


SESSION_TOUCHED_KEY = "_cb_touched"


def session_touch_interval() -> int:
    """Seconds between two writes of an unchanged session: 1/20 of the idle lifetime, at
    most a minute (3,600 s idle: 60 s; the 60 s minimum: 3 s)."""
    return max(1, min(60, int(settings.SESSION_COOKIE_AGE) // 20))


class IdleSessionMiddleware(SessionMiddleware):
    """Django's session middleware with ``SESSION_SAVE_EVERY_REQUEST`` (the idle timeout)
    writing an *unchanged* session at most once per :func:`session_touch_interval`.

    The idle lifetime is counted from the last write, so a session now ends between
    ``SESSION_COOKIE_AGE - interval`` and ``SESSION_COOKIE_AGE`` after the last request —
    never later than before. A changed session (login, logout, second factor, messages) is
    saved on every request as before. Saves one ``UPDATE`` (on SQLite a write lock) per page."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        session = getattr(request, "session", None)
        if (
            session is None
            or not settings.SESSION_SAVE_EVERY_REQUEST
            or not session.accessed  # left to Django: it loads and saves the session
            or session.session_key is None
            or session.is_empty()
            or response.status_code >= 500
        ):
            return super().process_response(request, response)
        now = int(time.time())
        touched = session.get(SESSION_TOUCHED_KEY)
        recent = isinstance(touched, int) and 0 <= now - touched < session_touch_interval()
        if recent and not session.modified:
            patch_vary_headers(response, ("Cookie",))  # as Django does for an accessed session
            return response
        if not session.modified and isinstance(session, SessionStore):
            session.touch_only = True  # only the idle clock moves: a skippable write
        session[SESSION_TOUCHED_KEY] = now
        return super().process_response(request, response)


class LoginRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if not request.path.startswith(PUBLIC_PREFIXES) and not (
            user is not None and user.is_authenticated and user.is_active
        ):
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return self.get_response(request)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        csp = content_security_policy()
        if request.path.startswith("/api/docs"):
            # the OpenAPI docs page ships its own inline bootstrap script
            csp = csp.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
            csp = csp.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
        response.setdefault("Content-Security-Policy", csp)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if request.user.is_authenticated if hasattr(request, "user") else False:
            response.setdefault("Cache-Control", "no-store")
        return response
