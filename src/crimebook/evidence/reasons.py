"""Why an attachment of an intake job was not stored, in the reader's language.

The intake door (and the store step it shares with uploads) says why a file failed as a
:class:`Reason` (a stable key and plain-JSON parameters). The outcome keeps it as
``reason_data`` (``{"v": 1, "key": ..., "params": {...}}``) beside its English wording in
``reason`` (the CLI, API clients that read English, older code); the job page, the triage page
and the API word it again at display time in the active language (``pgettext`` in the context
"attachment reason"), as :mod:`crimebook.jobs.wording` does for job messages. An outcome
stored without the structure (older rows) or with one this code cannot read shows its stored
``reason``. An exception's own text (which no catalog can translate) goes into the parameters
as it is; it was in ``reason`` before and says nothing more here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.translation import pgettext

__all__ = ["VERSION", "Reason", "english", "fields", "reason_code", "reason_shown", "word"]

VERSION = 1
Params = Mapping[str, Any]
_WORDINGS: dict[str, Callable[[Params], str]] = {}


@dataclass(frozen=True)
class Reason:
    key: str
    params: Mapping[str, Any] = field(default_factory=dict)


def _register(key: str) -> Callable[[Callable[[Params], str]], Callable[[Params], str]]:
    def decorator(render: Callable[[Params], str]) -> Callable[[Params], str]:
        _WORDINGS[key] = render
        return render

    return decorator


def _t(params: Params, name: str) -> str:
    value: object = params[name]
    if not isinstance(value, str):
        raise TypeError(f"{name} is not a text")
    return value


def word(key: str, params: Params) -> str:
    """The reason in the active language. Raises KeyError for an unknown key and
    KeyError/TypeError/ValueError for parameters its wording cannot use."""
    return _WORDINGS[key](params)


def english(reason: Reason) -> str:
    with translation.override("en"):
        return word(reason.key, reason.params)


def fields(reason: Reason) -> dict[str, Any]:
    """``reason`` (English) and ``reason_data`` (the structure) for an ``IngestOutcome``."""
    return {
        "reason": english(reason),
        "reason_data": {"v": VERSION, "key": reason.key, "params": dict(reason.params)},
    }


def _data_of(outcome: Mapping[str, Any]) -> dict[str, Any] | None:
    data = outcome.get("reason_data")
    if isinstance(data, dict) and data.get("v") == VERSION and isinstance(data.get("key"), str):
        return data
    return None


def reason_shown(outcome: Mapping[str, Any]) -> str:
    """A stored outcome's reason in the active language; its stored English ``reason`` when
    it has no structured form (older rows) or one that cannot be read."""
    english_text = str(outcome.get("reason") or "")
    data = _data_of(outcome)
    if data is None:
        return english_text
    params = data.get("params")
    try:
        return word(data["key"], params if isinstance(params, dict) else {})
    except (KeyError, TypeError, ValueError, IndexError):
        return english_text


def reason_code(outcome: Mapping[str, Any]) -> str:
    """The key of the outcome's structured reason ("" when it has none): stable for programs."""
    data = _data_of(outcome)
    return str(data["key"]) if data is not None else ""


@_register("intake.sealed_changed")
def _sealed_changed(p: Params) -> str:
    return pgettext("attachment reason", "sealed attachment changed")


@_register("intake.hash_mismatch")
def _hash_mismatch(p: Params) -> str:
    return pgettext("attachment reason", "plaintext differs from the hash the intake recorded")


@_register("intake.undecryptable")
def _undecryptable(p: Params) -> str:
    return pgettext("attachment reason", "cannot decrypt the intake copy: %(error)s") % {
        "error": _t(p, "error")
    }


@_register("evidence.not_sealed")
def _not_sealed(p: Params) -> str:
    return pgettext("attachment reason", "could not be sealed: %(error)s") % {
        "error": _t(p, "error")
    }


@_register("evidence.not_stored")
def _not_stored(p: Params) -> str:
    return pgettext("attachment reason", "could not be stored: %(error)s; nothing stored") % {
        "error": _t(p, "error")
    }
