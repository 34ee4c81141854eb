"""Test clients shared across test packages."""

from __future__ import annotations

from typing import Any

from django.test import Client


def speaking(user: Any, lang: str) -> Client:
    """A client signed in as ``user`` whose browser asks for ``lang`` (header and cookie)."""
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    client.force_login(user)
    client.cookies["django_language"] = lang
    return client
