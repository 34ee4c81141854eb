"""The audit hash chain, pure: canonical form, entry hash, and verification.

Each entry's hash is SHA-256 over the canonical JSON of its content *including the previous
entry's hash*, so changing, deleting or reordering any entry breaks every link after it.
Sequence numbers are contiguous from 1, which makes a deleted tail entry visible too when a
timestamped head (RFC 3161, later) or the stored count is compared.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64


@dataclass(frozen=True)
class EntryContent:
    seq: int
    at: datetime
    actor_id: int | None
    actor_name: str
    action: str
    object_type: str
    object_id: str
    changes: dict[str, Any]
    prev_hash: str


def canonical_json(content: EntryContent) -> bytes:
    document = {
        "seq": content.seq,
        "at": content.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor_id": content.actor_id,
        "actor_name": content.actor_name,
        "action": content.action,
        "object_type": content.object_type,
        "object_id": content.object_id,
        "changes": content.changes,
        "prev_hash": content.prev_hash,
    }
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def entry_hash(content: EntryContent) -> str:
    return hashlib.sha256(canonical_json(content)).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str

    def __str__(self) -> str:
        return f"entry {self.seq}: {self.reason}"


@dataclass(frozen=True)
class ChainReport:
    entries: int
    head_hash: str
    first_break: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.first_break is None


def verify_chain(entries: Iterable[tuple[EntryContent, str]]) -> ChainReport:
    """Walk entries in storage order (by seq) and name the first one that breaks the chain.

    ``entries`` yields (content, stored hash). A modified entry fails its own hash; a deleted
    entry leaves a gap in seq; a reordered entry points at the wrong predecessor.
    """
    expected_prev = GENESIS
    expected_seq = 1
    count = 0
    for content, stored in entries:
        count += 1
        if content.seq != expected_seq:
            return ChainReport(
                count,
                expected_prev,
                ChainBreak(content.seq, f"expected entry {expected_seq} here (missing or moved)"),
            )
        if content.prev_hash != expected_prev:
            return ChainReport(
                count,
                expected_prev,
                ChainBreak(content.seq, "does not link to the entry before it (reordered)"),
            )
        if entry_hash(content) != stored:
            return ChainReport(
                count,
                expected_prev,
                ChainBreak(content.seq, "content does not match its hash (modified)"),
            )
        expected_prev = stored
        expected_seq += 1
    return ChainReport(count, expected_prev, None)


def iter_chunks(total: int, size: int) -> Iterator[tuple[int, int]]:
    """Seq ranges [lo, hi] for streaming a long chain from the database in pages."""
    lo = 1
    while lo <= total:
        yield lo, min(total, lo + size - 1)
        lo += size
