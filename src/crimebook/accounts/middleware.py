"""Every staff session must have passed a second factor (DESIGN §8).

A signed-in account with no authenticator may only enrol one; a session that signed in
without the second factor (any path around the login flow) is ended.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.models import Authenticator
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

EXEMPT_PREFIXES = (
    "/static/",
    "/i18n/",
    "/api/",
    "/accounts/logout/",
    "/accounts/login/",
    "/favicon.ico",
)
ENROLMENT_PREFIXES = ("/accounts/2fa/", "/accounts/reauthenticate/")


def session_passed_second_factor(request: HttpRequest) -> bool:
    records: list[dict[str, Any]] = request.session.get(AUTHENTICATION_METHODS_SESSION_KEY, [])
    return any(record.get("method") == "mfa" for record in records)


class RequireSecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is None
            or not user.is_authenticated
            or request.path.startswith(EXEMPT_PREFIXES)
            or session_passed_second_factor(request)
        ):
            return self.get_response(request)
        if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            logout(request)  # signed in around the second factor: end the session
            return HttpResponseRedirect(reverse("account_login"))
        if request.path.startswith(ENROLMENT_PREFIXES):
            return self.get_response(request)
        return HttpResponseRedirect(reverse("mfa_activate_totp"))
