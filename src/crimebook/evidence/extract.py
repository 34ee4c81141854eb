"""Run :mod:`crimebook.evidence.worker` on a plaintext file with time and memory limits
(PURE: no Django)."""

from __future__ import annotations

import contextlib
import json
import os
import resource
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Inspection", "Limits", "WorkerSession", "run_worker", "worker_session"]


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
    text: str = ""


def _limit(limits: Limits, cpu_seconds: float | None = None) -> None:  # in the child
    cpu = max(1, int(cpu_seconds or limits.seconds))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))  # it writes no files
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _env() -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }


def _inspection(data: Any) -> Inspection:
    if not isinstance(data, dict):
        return Inspection(ok=False, error="metadata worker answered nonsense")
    if not data.get("ok"):
        return Inspection(ok=False, error=str(data.get("error", "unknown error"))[:500])
    return Inspection(
        ok=True,
        raw=dict(data.get("raw") or {}),
        fields=dict(data.get("fields") or {}),
        phash=data.get("phash"),
        thumbnail_b64=data.get("thumbnail"),
        text=str(data.get("text") or ""),
    )


class WorkerSession:
    """One long-lived worker for many files (a folder import), saving the interpreter start
    per file. Same limits, except that CPU time is bounded per file by the wall-clock timeout
    (RLIMIT_CPU counts the whole process, so it is only a backstop here). A file that times
    out or kills the worker is reported as failed and the next file gets a fresh worker;
    the worker is also replaced every ``max_files`` files."""

    def __init__(self, limits: Limits | None = None, max_files: int = 500) -> None:
        self.limits = limits or Limits()
        self.max_files = max_files
        self._proc: subprocess.Popen[bytes] | None = None
        self._served = 0
        self._buffer = b""

    def _start(self) -> subprocess.Popen[bytes]:
        lim = self.limits
        backstop = lim.seconds * self.max_files
        self._proc = subprocess.Popen(  # fixed argv: our own interpreter and module
            [sys.executable, "-I", "-m", "crimebook.evidence.worker", "--serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=_env(),
            preexec_fn=lambda: _limit(lim, backstop),  # limits are set in the child
        )
        self._served = 0
        self._buffer = b""
        return self._proc

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.stdin is not None:
            proc.stdin.close()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def _kill(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            proc.kill()
            proc.wait()

    def _read_line(self, proc: subprocess.Popen[bytes], deadline: float) -> bytes | None:
        if proc.stdout is None:
            raise EOFError
        fd = proc.stdout.fileno()
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            ready, _, _ = select.select([fd], [], [], remaining)
            if not ready:
                return None
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                raise EOFError
            self._buffer += chunk
            if len(self._buffer) > self.limits.output_bytes:
                raise ValueError("metadata worker output too large")
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line

    def run(self, path: Path, media_type: str) -> Inspection:
        if self._proc is None or self._served >= self.max_files or self._proc.poll() is not None:
            self.close()
            self._start()
        proc = self._proc
        if proc is None or proc.stdin is None:
            raise RuntimeError("metadata worker did not start")
        self._served += 1
        request = json.dumps({"path": str(path), "media_type": media_type}).encode() + b"\n"
        try:
            proc.stdin.write(request)
            proc.stdin.flush()
            line = self._read_line(proc, time.monotonic() + self.limits.seconds)
        except (BrokenPipeError, EOFError):
            code = proc.wait()
            self._proc = None
            return Inspection(ok=False, error=f"metadata worker died (exit status {code})")
        except ValueError as exc:
            self._kill()
            return Inspection(ok=False, error=str(exc))
        if line is None:
            self._kill()
            return Inspection(
                ok=False, error=f"metadata worker timed out after {self.limits.seconds:g} s"
            )
        try:
            return _inspection(json.loads(line))
        except ValueError:
            self._kill()
            return Inspection(ok=False, error="metadata worker output is not JSON")


_SESSION: ContextVar[WorkerSession | None] = ContextVar("crimebook_worker_session", default=None)


@contextlib.contextmanager
def worker_session(limits: Limits | None = None) -> Iterator[WorkerSession]:
    """Within this block, :func:`run_worker` calls without explicit limits reuse one worker."""
    session = WorkerSession(limits)
    token = _SESSION.set(session)
    try:
        yield session
    finally:
        _SESSION.reset(token)
        session.close()


def run_worker(path: Path, media_type: str, limits: Limits | None = None) -> Inspection:
    session = _SESSION.get()
    if session is not None and limits is None:
        return session.run(path, media_type)
    lim = limits or Limits()
    env = _env()
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
    return _inspection(data)
