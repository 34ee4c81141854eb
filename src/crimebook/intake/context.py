"""Template context for every intake page: links to the same page in each language."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse, translate_url
from django.utils import translation
from django.utils.translation import get_language

from crimebook.intake import conf

Link = dict[str, object]


def _links(current: str, url_for: dict[str, str]) -> list[Link]:
    return [
        {"code": code, "name": name, "url": url_for[code], "current": code == current}
        for code, name in settings.LANGUAGES
    ]


@lru_cache(maxsize=64)
def _urls_of_view(view_name: str) -> dict[str, str]:
    """The URL of a named intake page (no arguments) in each language, computed once: the
    intake has a handful of pages, and the links are the same on every request."""
    urls = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            urls[code] = reverse(view_name)
    return urls


def intake(request: HttpRequest) -> dict[str, object]:
    current = (get_language() or "en")[:2]
    match = getattr(request, "resolver_match", None)
    if match is not None and match.url_name and not match.args and not match.kwargs:
        url_for = _urls_of_view(match.view_name)
    else:  # an error page: translate whatever path was asked for
        url_for = {code: translate_url(request.path, code) for code, _name in settings.LANGUAGES}
    return {
        "language_links": _links(current, url_for),
        "max_upload_mb": conf.max_upload_bytes() // (1024 * 1024),
    }
