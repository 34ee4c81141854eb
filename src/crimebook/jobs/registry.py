"""Job kinds: a name, a label for people, and the function that does the work.

Pure (no Django): a kind's ``run`` receives a :class:`JobContext` (ids and a small frozen
mapping of parameters, never ORM objects, CONVENTIONS 4) and returns a :class:`JobOutcome`.

The contract of ``run``:

* it MUST be idempotent: a job is run again after a retry and after its worker died, so work
  already done must be recognised (content addresses, "already processed" states) and not
  repeated or duplicated;
* it MAY raise :class:`JobFailed` for a failure that another attempt cannot cure (a record that
  no longer exists, bad parameters); the job then fails at once;
* any other exception is a transient failure: the attempt is recorded and huey retries it
  until the job's attempt limit is reached;
* it reports progress through ``context.progress(done, total)`` (cheap to call often);
* what it says to people (an outcome, a failure) is a :class:`Message` — a key and its
  parameters, stored with the job and worded in the reader's language when shown
  (``jobs/wording.py``); a plain string is kept as it is (e.g. an exception's own text).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "JobContext", "JobFailed", "JobKind", "JobOutcome", "Message", "get", "kinds", "register",
]  # fmt: skip


@dataclass(frozen=True)
class Message:
    """Something a job says to people, as a key of ``jobs/wording.py`` and its parameters
    (plain JSON: numbers, short texts, lists of such mappings). It is stored on the job and
    worded in the reader's language when shown; its English wording is kept in ``message``."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:  # for logs and tracebacks only; people see the wording
        return self.key


class JobFailed(Exception):
    """A permanent failure: retrying would not help. The message is shown to the user;
    ``result`` keeps what the run did find out (e.g. which files failed and why)."""

    def __init__(self, message: str | Message, result: Mapping[str, Any] | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.result: Mapping[str, Any] = result or {}


@dataclass(frozen=True)
class JobContext:
    job_id: int
    parameters: Mapping[str, Any]
    actor_id: int | None
    compartment_id: int | None
    attempt: int
    progress: Callable[[int, int | None], None] = field(repr=False)


@dataclass(frozen=True)
class JobOutcome:
    message: str | Message
    result: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class JobKind:
    name: str
    label: Any  # a (lazy) translatable string
    run: Callable[[JobContext], JobOutcome]
    subject_type: str = ""


_KINDS: dict[str, JobKind] = {}


def register(
    name: str, label: Any, *, subject_type: str = ""
) -> Callable[[Callable[[JobContext], JobOutcome]], Callable[[JobContext], JobOutcome]]:
    """Decorator: make ``run`` the job kind ``name``. A name is registered once."""

    def decorator(run: Callable[[JobContext], JobOutcome]) -> Callable[[JobContext], JobOutcome]:
        if name in _KINDS and _KINDS[name].run is not run:
            raise ValueError(f"job kind {name!r} is already registered")
        _KINDS[name] = JobKind(name=name, label=label, run=run, subject_type=subject_type)
        return run

    return decorator


def get(name: str) -> JobKind | None:
    return _KINDS.get(name)


def kinds() -> dict[str, JobKind]:
    return dict(_KINDS)
