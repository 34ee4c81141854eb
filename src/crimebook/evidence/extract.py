"""Run :mod:`crimebook.evidence.worker` on a plaintext file with time and memory limits
(PURE: no Django)."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Inspection", "Limits", "run_worker"]


@dataclass(frozen=True)
class Limits:
    seconds: float = 30.0
    memory_bytes: int = 1536 * 1024**2
    output_bytes: int = 8 * 1024**2


@dataclass(frozen=True)
class Inspection:
    ok: bool
    error: str = ""
    raw: dict[str, Any] = field(default_factory=dict)
    fields: dict[str, Any] = field(default_factory=dict)
    phash: int | None = None
    thumbnail_b64: str | None = None


def _limit(limits: Limits) -> None:  # runs in the child before exec
    cpu = max(1, int(limits.seconds))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))  # it writes no files
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run_worker(path: Path, media_type: str, limits: Limits | None = None) -> Inspection:
    lim = limits or Limits()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    try:
        done = subprocess.run(  # noqa: S603 - fixed argv, our own interpreter and module
            [sys.executable, "-I", "-m", "crimebook.evidence.worker", str(path), media_type],
            capture_output=True,
            timeout=lim.seconds,
            env=env,
            preexec_fn=lambda: _limit(lim),  # limits are set in the child
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Inspection(ok=False, error=f"metadata worker timed out after {lim.seconds:g} s")
    if done.returncode != 0 or not done.stdout:
        reason = (
            f"killed by signal {-done.returncode}"
            if done.returncode < 0
            else f"exit status {done.returncode}"
        )
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        return Inspection(ok=False, error=f"metadata worker failed ({reason}) {tail[0][:200]}")
    if len(done.stdout) > lim.output_bytes:
        return Inspection(ok=False, error="metadata worker output too large")
    try:
        data = json.loads(done.stdout)
    except ValueError:
        return Inspection(ok=False, error="metadata worker output is not JSON")
    if not data.get("ok"):
        return Inspection(ok=False, error=str(data.get("error", "unknown error"))[:500])
    return Inspection(
        ok=True,
        raw=dict(data.get("raw") or {}),
        fields=dict(data.get("fields") or {}),
        phash=data.get("phash"),
        thumbnail_b64=data.get("thumbnail"),
    )
