"""Logging filter that removes network addresses before anything reaches a log."""

from __future__ import annotations

import logging
import re

_IPV4 = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")
_IPV6 = re.compile(r"\b(?:[0-9a-fA-F]{1,4}:){2,7}[0-9a-fA-F]{0,4}\b")


def scrub(text: str) -> str:
    return _IPV6.sub("[addr]", _IPV4.sub("[addr]", text))


class ScrubFilter(logging.Filter):
    """Rewrites every record's message with addresses removed and drops the request object
    Django attaches (it carries the client address and headers)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub(record.getMessage())
        record.args = None
        if hasattr(record, "request"):
            record.request = None
        return True
