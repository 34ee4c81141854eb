"""Template filters of the case pages and the dossier."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Mapping[Any, Any] | None, key: Any) -> Any:
    """``mapping|get_item:key`` — empty list when absent."""
    if not mapping:
        return []
    return mapping.get(key, [])
