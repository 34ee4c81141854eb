"""Logging filter that removes network addresses before anything reaches a log."""

from __future__ import annotations

import logging
import re

_IPV4 = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")
_IPV6 = re.compile(r"[0-9a-fA-F:]*:[0-9a-fA-F:]*:[0-9a-fA-F:]*")


def _v6(match: re.Match[str]) -> str:
    text = match.group(0)
    # an address has "::" or at least five colons; a clock time ("18:38:19") has neither
    return "[addr]" if "::" in text or text.count(":") >= 5 else text


def scrub(text: str) -> str:
    return _IPV6.sub(_v6, _IPV4.sub("[addr]", text))


class ScrubFilter(logging.Filter):
    """Rewrites every record's message with addresses removed and drops the request object
    Django attaches (it carries the client address and headers)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub(record.getMessage())
        record.args = None
        if hasattr(record, "request"):
            record.request = None
        return True
