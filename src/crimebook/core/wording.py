"""Messages stored as a stable key and plain-JSON parameters, worded in the reader's language
when they are shown.

A writer says what happened as a key and its parameters; the record keeps that structure
(``{"v": 1, "key": ..., "params": {...}}``) beside its English wording (for the audit log, API
clients that read English, older code). Pages and the API word it again in the active language.
A record without the structure (older rows, an exception's own text) or with one this code
cannot read shows its stored English.

One :class:`Catalog` per kind of message (job messages, attachment reasons); each registers
one wording function per key, written with ``pgettext``/``npgettext`` in its own context so
``makemessages`` finds the strings. Used by ``jobs/wording.py`` and ``evidence/reasons.py``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from django.utils import translation

__all__ = ["VERSION", "Catalog", "Params", "count", "text"]

logger = logging.getLogger(__name__)
VERSION = 1
Params = Mapping[str, Any]
Wording = Callable[[Params], str]


def count(params: Params, name: str) -> int:
    """The parameter ``name`` as a count (TypeError if it is not an int)."""
    value: object = params[name]
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} is not a count")
    return value


def text(params: Params, name: str) -> str:
    """The parameter ``name`` as a text (TypeError if it is not a str)."""
    value: object = params[name]
    if not isinstance(value, str):
        raise TypeError(f"{name} is not a text")
    return value


class Catalog:
    """The wordings of one kind of message (``what`` names it in a warning)."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.wordings: dict[str, Wording] = {}

    def register(self, key: str) -> Callable[[Wording], Wording]:
        """Decorator: ``render(params)`` words ``key`` in the active language."""

        def decorator(render: Wording) -> Wording:
            if key in self.wordings and self.wordings[key] is not render:
                raise ValueError(f"{self.what} {key!r} is already registered")
            self.wordings[key] = render
            return render

        return decorator

    def word(self, key: str, params: Params) -> str:
        """``key`` in the active language. Raises KeyError for a key nobody registered and
        KeyError/TypeError/ValueError for parameters its wording cannot use."""
        return self.wordings[key](params)

    def english(self, key: str, params: Params) -> str:
        with translation.override("en"):
            return self.word(key, params)

    @staticmethod
    def stored(key: str, params: Params) -> dict[str, Any]:
        """The structure a record keeps."""
        return {"v": VERSION, "key": key, "params": dict(params)}

    @staticmethod
    def readable(data: object) -> dict[str, Any] | None:
        if isinstance(data, dict) and data.get("v") == VERSION and isinstance(data.get("key"), str):
            return data
        return None

    def shown(self, data: object, fallback: str, *, ref: object = None) -> str:
        """A stored structure in the active language; ``fallback`` (the stored English) when
        there is none or it cannot be read (logged with ``ref``, never with the text)."""
        found = self.readable(data)
        if found is None:
            return fallback
        params = found.get("params")
        try:
            return self.word(found["key"], params if isinstance(params, dict) else {})
        except (KeyError, TypeError, ValueError, IndexError):
            logger.warning("%s %s: unreadable structured form", self.what, ref)
            return fallback

    def code(self, data: object) -> str:
        """The stored key ("" when there is none): stable for programs."""
        found = self.readable(data)
        return str(found["key"]) if found is not None else ""
