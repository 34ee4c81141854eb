"""Workspace pages that are not about one record type."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from crimebook.register.stats import register_stats


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html", {"stats": register_stats(request.user)})
