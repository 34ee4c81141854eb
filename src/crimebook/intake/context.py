"""Template context for every intake page: links to the same page in each language."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.translation import get_language

from crimebook.intake import conf


def intake(request: HttpRequest) -> dict[str, object]:
    current = (get_language() or "en")[:2]
    links = [
        {
            "code": code,
            "name": name,
            "url": translate_url(request.path, code),
            "current": code == current,
        }
        for code, name in settings.LANGUAGES
    ]
    return {
        "language_links": links,
        "max_upload_mb": conf.max_upload_bytes() // (1024 * 1024),
    }
