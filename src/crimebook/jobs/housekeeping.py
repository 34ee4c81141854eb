"""Leftovers of attempts that were killed outright (SIGKILL, power loss) skip their
``finally`` blocks. The one that matters: the evidence pipeline's inspection copy
(``<vault>/.staging/inspect-*.tmp``, a decrypted 0600 file that the parsing worker reads,
removed as soon as the parse ends — see ``evidence.pipeline.plaintext_copy``). A copy that has
not been touched for ``PLAINTEXT_MAX_AGE`` belongs to no running attempt (decryption writes
it continuously and parsing is capped at 30 s), so workers delete it when they start and
every minute."""

from __future__ import annotations

import logging
import time
from pathlib import Path

__all__ = ["PLAINTEXT_MAX_AGE", "remove_stale_plaintext"]

logger = logging.getLogger(__name__)
PLAINTEXT_MAX_AGE = 30 * 60.0
_PATTERN = "inspect-*.tmp"


def remove_stale_plaintext(staging: Path | None = None, *, now: float | None = None) -> int:
    """Delete abandoned inspection copies; returns how many were removed."""
    if staging is None:
        from crimebook.evidence import keys

        try:
            staging = keys.store().staging_dir()
        except OSError:
            logger.warning("the vault's staging directory cannot be opened")
            return 0
    cutoff = (now if now is not None else time.time()) - PLAINTEXT_MAX_AGE
    removed = 0
    for path in staging.glob(_PATTERN):
        try:
            if path.is_file() and not path.is_symlink() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    if removed:
        logger.warning("removed %d abandoned decrypted inspection copies", removed)
    return removed
