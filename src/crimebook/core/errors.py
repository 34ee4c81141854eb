"""Errors raised by services and selectors, shared by pages, the API and the CLI."""

from __future__ import annotations


class NotFound(Exception):
    """The record does not exist *or* the actor may not see it: callers cannot tell which."""


class PermissionDenied(Exception):
    """The actor may see the record but may not do this to it."""


class ValidationFailed(Exception):
    """Input was rejected; nothing was written.

    ``errors`` maps a field name (or ``"__all__"``) to messages, as Django forms do, so
    pages show them beside the field and the API returns them in its one error shape.
    """

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))

    @classmethod
    def single(cls, field: str, message: str) -> ValidationFailed:
        return cls({field: [message]})

    @property
    def text(self) -> str:
        """The messages alone, for a page message (``str()`` also names the fields)."""
        return " ".join(m for messages in self.errors.values() for m in messages)
