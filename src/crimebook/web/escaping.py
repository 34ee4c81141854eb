"""HTML escaping for markup written in Python (charts, the search page's result list): the
same text as ``django.utils.html.escape`` / ``conditional_escape``, without the lazy-argument
wrapper Django puts around them — these run a few hundred times per page."""

from __future__ import annotations

import html
from typing import Any

from django.utils.functional import Promise

__all__ = ["conditional_escape", "escape"]


def escape(text: object) -> str:
    """``django.utils.html.escape(text)``: ``html.escape`` of ``str(text)``, always."""
    return html.escape(str(text))


def conditional_escape(value: Any) -> str:
    """``django.utils.html.conditional_escape(value)``: a safe string (``__html__``) as it is,
    anything else escaped."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return escape(value)
