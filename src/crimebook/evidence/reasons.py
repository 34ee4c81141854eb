"""Why an attachment of an intake job was not stored, in the reader's language.

The intake door (and the store step it shares with uploads) says why a file failed as a
:class:`Reason` (a stable key and plain-JSON parameters). The outcome keeps it as
``reason_data`` (``{"v": 1, "key": ..., "params": {...}}``) beside its English wording in
``reason`` (the CLI, API clients that read English, older code); the job page, the triage page
and the API word it again at display time in the active language (``pgettext`` in the context
"attachment reason"), as :mod:`crimebook.jobs.wording` does for job messages (both on :mod:`crimebook.core.wording`). An outcome
stored without the structure (older rows) or with one this code cannot read shows its stored
``reason``. An exception's own text (which no catalog can translate) goes into the parameters
as it is; it was in ``reason`` before and says nothing more here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import pgettext

from crimebook.core.wording import VERSION, Catalog, Params
from crimebook.core.wording import text as _t

__all__ = ["VERSION", "Reason", "english", "fields", "reason_code", "reason_shown", "word"]

REASONS = Catalog("attachment reason")
_WORDINGS = REASONS.wordings
_register = REASONS.register
word = REASONS.word


@dataclass(frozen=True)
class Reason:
    key: str
    params: Mapping[str, Any] = field(default_factory=dict)


def english(reason: Reason) -> str:
    return REASONS.english(reason.key, reason.params)


def fields(reason: Reason) -> dict[str, Any]:
    """``reason`` (English) and ``reason_data`` (the structure) for an ``IngestOutcome``."""
    return {"reason": english(reason), "reason_data": REASONS.stored(reason.key, reason.params)}


def reason_shown(outcome: Mapping[str, Any]) -> str:
    """A stored outcome's reason in the active language; its stored English ``reason`` when
    it has no structured form (older rows) or one that cannot be read."""
    return REASONS.shown(outcome.get("reason_data"), str(outcome.get("reason") or ""))


def reason_code(outcome: Mapping[str, Any]) -> str:
    """The key of the outcome's structured reason ("" when it has none): stable for programs."""
    return REASONS.code(outcome.get("reason_data"))


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
