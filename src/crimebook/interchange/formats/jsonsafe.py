"""Reading untrusted JSON: a size cap (read at most cap + 1 bytes, never the whole of a
huge file), a nesting-depth cap checked *before* parsing (a "JSON bomb" of 100,000 nested
brackets would otherwise exhaust the recursion limit), strict UTF-8, no NaN/Infinity, no
integer longer than ``MAX_INT_DIGITS`` digits (Python refuses to convert those with a bare
``ValueError``), and no key twice in one object (the last would silently win)."""

from __future__ import annotations

import json
import re
from typing import Any, BinaryIO

DEFAULT_MAX_BYTES = 512 * 1024 * 1024
DEFAULT_MAX_DEPTH = 32
MAX_INT_DIGITS = 100

_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')


class JsonProblem(ValueError):
    """The document is too large, too deep, or not valid JSON."""


def nesting_depth(data: bytes, limit: int) -> int:
    """Maximum bracket depth outside strings; stops early once ``limit`` is passed."""
    depth = deepest = 0
    for match in _TOKENS.finditer(data):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    return deepest
        elif token in (b"]", b"}"):
            depth -= 1
    return deepest


def _reject_constant(name: str) -> Any:
    raise JsonProblem(f"{name} is not valid JSON.")


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise JsonProblem(f"A number has more than {MAX_INT_DIGITS} digits.")
    return int(text)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise JsonProblem(f"The key {key[:80]!r} appears twice in one object.")
        obj[key] = value
    return obj


def load_capped(
    raw: BinaryIO, *, max_bytes: int = DEFAULT_MAX_BYTES, max_depth: int = DEFAULT_MAX_DEPTH
) -> Any:
    data = raw.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise JsonProblem(
            f"The document is larger than {max_bytes:,} bytes; split it or use CSV, which streams."
        )
    if nesting_depth(data, max_depth) > max_depth:
        raise JsonProblem(f"The document nests deeper than {max_depth} levels.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise JsonProblem(f"JSON must be UTF-8 ({exc.reason} at byte {exc.start}).") from None
    try:
        return json.loads(
            text,
            parse_constant=_reject_constant,
            parse_int=_parse_int,
            object_pairs_hook=_unique_keys,
        )
    except json.JSONDecodeError as exc:
        raise JsonProblem(
            f"Not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
        ) from None
    except RecursionError:
        raise JsonProblem("The document nests too deeply.") from None
