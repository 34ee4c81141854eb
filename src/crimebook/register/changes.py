"""PURE: which incidents the audit entries of register writes name.

Every register write appends an audit entry (CONVENTIONS 3); what depends on incidents (the
map's grid index, the overview's buckets) catches up by reading the entries since it was
last current. An entry names one incident by its ``object_id``, or a bulk import's batch
names its created rows as ``changes["ids"]`` (``[first, last]`` runs). An import's closing
summary (``object_id="*"``, no ids) is skipped: the entries before it name every row it
wrote (a bulk batch's ``ids``, a service-mode row's own entry).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = ["incidents_named"]


def incidents_named(
    entries: Iterable[tuple[str, Any, str]],
) -> tuple[list[int], list[tuple[int, int]]] | None:
    """Incident ids and id ranges that ``register.incident`` entries ``(object_id, changes,
    action)`` name; None when one of them cannot be read (the caller then counts everything)."""
    ids: list[int] = []
    ranges: list[tuple[int, int]] = []
    for object_id, changes, action in entries:
        if action == "import" and object_id == "*" and not _names_rows(changes):
            continue
        if str(object_id).isdigit():
            ids.append(int(object_id))
            continue
        runs = changes.get("ids") if isinstance(changes, dict) else None
        if not isinstance(runs, list):
            return None
        for run in runs:
            if not (
                isinstance(run, list) and len(run) == 2 and all(isinstance(v, int) for v in run)
            ):
                return None
            ranges.append((run[0], run[1]))
    return sorted(set(ids)), ranges


def _names_rows(changes: Any) -> bool:
    return isinstance(changes, dict) and "ids" in changes
