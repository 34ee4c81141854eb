"""Consent per use (DESIGN §8): what a source allowed its information to be used for.

Every output that leaves the register's own pages — the API, exports, dossiers, publications —
asks :func:`permits` for each source and, when it leaves something out, says so with
:func:`withheld_note` instead of dropping it silently.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Protocol, TypeVar


class Use(StrEnum):
    INVESTIGATION = "investigation"
    PROSECUTION = "prosecution"
    PUBLICATION = "publication"


class HasConsent(Protocol):
    consent_investigation: bool
    consent_prosecution: bool
    consent_publication: bool


S = TypeVar("S", bound=HasConsent)


def permits(source: HasConsent, use: Use) -> bool:
    """Prosecution and publication presuppose consent to investigation."""
    if not source.consent_investigation:
        return False
    if use is Use.PROSECUTION:
        return source.consent_prosecution
    if use is Use.PUBLICATION:
        return source.consent_publication
    return True


def split_by_consent(sources: Iterable[S], use: Use) -> tuple[list[S], int]:
    """(sources whose consent covers ``use``, how many were left out)."""
    kept: list[S] = []
    left_out = 0
    for source in sources:
        if permits(source, use):
            kept.append(source)
        else:
            left_out += 1
    return kept, left_out


def withheld_note(count: int, use: Use) -> str:
    if count == 0:
        return ""
    noun = "source" if count == 1 else "sources"
    return f"{count} {noun} left out: their consent does not cover {use.value}."
