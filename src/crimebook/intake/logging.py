"""Log filter of the intake: a record keeps its level, logger and a scrubbed message; an
exception keeps its type and where it was raised, never its message or local values."""

from __future__ import annotations

import logging
import traceback

from crimebook.core.logging import scrub


class IntakeScrubFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub(record.getMessage()).split("\n", 1)[0][:200]
        record.args = None
        if hasattr(record, "request"):
            record.request = None
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            frames = traceback.extract_tb(exc.__traceback__)[-3:]
            where = " < ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno}" for f in frames)
            record.msg = f"{record.msg} [{type(exc).__name__} at {where}]"
            record.exc_info = None
            record.exc_text = None
        return True
