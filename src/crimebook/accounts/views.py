"""Small account views that are not allauth's."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


def admin_login(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    """Send the admin's login to the workspace login (password + second factor)."""
    if request.user.is_authenticated:
        return redirect(request.GET.get("next") or "admin:index")
    return redirect_to_login(request.GET.get("next", "/admin/"), "/accounts/login/")
