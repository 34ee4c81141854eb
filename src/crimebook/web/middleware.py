"""Deny-by-default login and security headers for every response."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

from crimebook.maps.tiles import tile_csp_source, validate_tile_url

# Paths reachable without logging in. Everything else needs a session (the API has its
# own token authentication and answers 401 in JSON itself).
PUBLIC_PREFIXES = ("/accounts/login/", "/accounts/2fa/authenticate/", "/static/", "/i18n/", "/api/")

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def content_security_policy() -> str:
    """The workspace CSP. No third-party host is allowed, except the map tile server when
    one is configured (CRIMEBOOK_MAP_TILE_URL): its origin alone joins ``img-src``."""
    try:
        source = tile_csp_source(validate_tile_url(getattr(settings, "CRIMEBOOK_MAP_TILE_URL", "")))
    except ValueError:  # an invalid template adds nothing (config refuses it at start-up)
        source = ""
    if not source:
        return CSP
    return CSP.replace("img-src 'self' data:", f"img-src 'self' data: {source}")


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
