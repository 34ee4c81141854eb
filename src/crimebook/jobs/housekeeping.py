"""Leftovers of attempts that were killed outright (SIGKILL, power loss) skip their
``finally`` blocks. The one that matters: the evidence pipeline's inspection copy
(``<vault>/.staging/inspect-*.tmp``, a decrypted 0600 file that the parsing worker reads,
removed as soon as the parse ends — see ``evidence.pipeline.plaintext_copy``). Its name
carries the writing process: ``inspect-<host tag>-<pid>-<random>.tmp``. Workers, when they
start and every minute, delete

- at once, a copy written on this host by a process that no longer exists (a killed worker's
  copy is gone as soon as the worker is restarted, not half an hour later);
- any copy not touched for ``PLAINTEXT_MAX_AGE`` — it belongs to no running attempt
  (decryption writes it continuously and parsing is capped at 30 s). This also covers copies of
  other hosts sharing the directory, older names, and a pid that was reused."""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import time
from pathlib import Path

__all__ = ["PLAINTEXT_MAX_AGE", "inspection_copy_name", "remove_stale_plaintext"]

logger = logging.getLogger(__name__)
PLAINTEXT_MAX_AGE = 30 * 60.0
_PATTERN = "inspect-*.tmp"


def _host_tag() -> str:
    """Eight hex digits naming this host (a digest: the host name itself stays out of file names)."""
    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]


def inspection_copy_name() -> str:
    return f"inspect-{_host_tag()}-{os.getpid()}-{os.urandom(12).hex()}.tmp"


def _writer_is_gone(name: str, host: str) -> bool:
    """True when ``name`` was written on this host by a process that has exited."""
    parts = name.split("-")
    if len(parts) != 4 or parts[1] != host or not parts[2].isdigit():
        return False
    pid = int(parts[2])
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


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
    host = _host_tag()
    removed = 0
    for path in staging.glob(_PATTERN):
        try:
            if path.is_symlink() or not path.is_file():
                continue
            if path.stat().st_mtime < cutoff or _writer_is_gone(path.name, host):
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    if removed:
        logger.warning("removed %d abandoned decrypted inspection copies", removed)
    return removed
