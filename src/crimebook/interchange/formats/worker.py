"""Parse in a second process: a parser's row results handed over in order, in batches,
through a bounded queue.

A bulk import spends about half its time parsing (dates, numbers, coordinates and choices
of every row in Python) and half writing. With two cores the parse runs in a child
process beside the writer instead of before it.

Contract:

- ``source`` is a picklable callable (a module-level function or a ``functools.partial``
  of one) that runs **in the child**, opens its own input and returns ``(rows, position)``:
  the parser's iterator of :class:`RowOk` / :class:`RowError` (or of any picklable items,
  e.g. rows packed as tuples: ``interchange/_packed.py``) and a function giving the bytes
  read so far (for a progress bar).
- The reader sees exactly the sequence the parser yields, line numbers included. An
  exception from the parser (``FileProblem``, ``EncodingProblem`` …) is raised in the
  reader after the rows that came before it; one that cannot be pickled arrives as
  :class:`WorkerFailed` with its type and message.
- Memory is bounded: at most ``depth`` batches of ``batch`` rows wait between the two
  processes (the child blocks when the queue is full).
- Leaving the ``with`` block early (an error in the writer, Ctrl-C) stops the child.
- The child imports nothing from Django and never touches the parent's database
  connection (``fork`` where available; ``spawn`` elsewhere).
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import queue as queue_mod
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from crimebook.interchange.formats.csvio import read_records
from crimebook.interchange.formats.encoding import open_text
from crimebook.interchange.formats.records import CsvOptions, Row

Source = Callable[[], tuple[Iterable[Any], Callable[[], int]]]
BATCH = 1000
DEPTH = 8
POLL_S = 1.0


class WorkerFailed(RuntimeError):
    """The parser process failed with an exception that could not be sent back as itself,
    or ended without saying why."""


class WorkerRows:
    """The rows, in order; ``position`` is the input offset as of the latest batch."""

    def __init__(self, channel: Any, process: Any) -> None:
        self._channel = channel
        self._process = process
        self.position = 0

    def __iter__(self) -> Iterator[Any]:
        while True:
            try:
                kind, payload, position = self._channel.get(timeout=POLL_S)
            except queue_mod.Empty:
                if not self._process.is_alive() and self._channel.empty():
                    raise WorkerFailed(
                        f"the parser process ended unexpectedly (exit code "
                        f"{self._process.exitcode})."
                    ) from None
                continue
            self.position = position
            if kind == "rows":
                yield from payload
            elif kind == "error":
                raise payload
            else:
                return


def _sendable(exc: BaseException) -> BaseException:
    try:
        pickle.loads(pickle.dumps(exc))  # noqa: S301 - our own bytes, just made
    except Exception:
        return WorkerFailed(f"{type(exc).__name__}: {exc}")
    return exc


def _work(source: Source, channel: Any, batch: int) -> None:
    """Child process: parse, send batches, then ``end`` or the exception."""
    buf: list[Any] = []
    position: Callable[[], int] = lambda: 0  # noqa: E731 - until the source is open
    try:
        rows, position = source()
        for row in rows:
            buf.append(row)
            if len(buf) >= batch:
                channel.put(("rows", buf, position()))
                buf = []
        channel.put(("rows", buf, position()))
        channel.put(("end", None, position()))
    except Exception as exc:
        channel.put(("rows", buf, 0))
        channel.put(("error", _sendable(exc), 0))
    channel.close()
    channel.join_thread()  # everything is in the pipe before the process ends


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


@contextmanager
def rows_in_worker(
    source: Source, *, batch: int = BATCH, depth: int = DEPTH
) -> Iterator[WorkerRows]:
    """Run ``source`` in a child process; iterate the returned object for its rows."""
    if batch < 1 or depth < 1:
        raise ValueError("batch and depth must be at least 1")
    ctx = _context()
    channel = ctx.Queue(maxsize=depth)
    process = ctx.Process(target=_work, args=(source, channel, batch), daemon=True)
    process.start()
    try:
        yield WorkerRows(channel, process)
    finally:
        if process.is_alive():
            process.terminate()
        process.join(timeout=10)
        channel.close()
        channel.cancel_join_thread()


def csv_source(
    path: str, kind: str, options: CsvOptions | None = None, encoding: str | None = None
) -> tuple[Iterable[Row], Callable[[], int]]:
    """A :data:`Source` for a CSV file: opened in the child, encoding detected unless
    given (the file stays open until the child ends)."""
    raw = open(path, "rb")  # noqa: SIM115 - closed with the text stream after the last row
    size = os.fstat(raw.fileno()).st_size
    text, _ = open_text(raw, encoding)

    def position() -> int:
        return size if raw.closed else raw.tell()

    return read_records(text, kind, options), position


def parallel_parse_useful() -> bool:
    """A second process helps only with a second core."""
    return (os.cpu_count() or 1) > 1
