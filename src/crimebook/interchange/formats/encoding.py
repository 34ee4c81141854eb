"""Text encoding of uploaded files, decided honestly (no guessing beyond what is checked).

Rule: a BOM decides (UTF-8, UTF-16); else the first ``SNIFF_BYTES`` must decode as strict
UTF-8; else they must decode as Windows-1251 *and* look like Cyrillic text (most letters
Cyrillic) *and* hold no line that is itself UTF-8 Cyrillic (a file that mixes the two,
e.g. rows pasted from another export, would otherwise become mojibake); else the file is refused with a message that says how to save it. The rest of
the file is decoded strictly while streaming: a later byte sequence that is not valid in
the chosen encoding stops the import with the line where it happened.
"""

from __future__ import annotations

import codecs
import io
import re
from typing import Any, BinaryIO, cast

SNIFF_BYTES = 1 << 20  # 1 MiB
CYRILLIC_SHARE = 0.5  # of letters, for a file that is not UTF-8 to count as Windows-1251


class EncodingProblem(ValueError):
    """The file's encoding cannot be determined or is not consistent."""


def _looks_cyrillic(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    cyr = sum(1 for c in letters if "\u0400" <= c <= "\u04ff")
    return cyr / len(letters) >= CYRILLIC_SHARE


def _first_utf8_cyrillic_line(head: bytes, *, complete: bool) -> int | None:
    """The number of the first line that is valid UTF-8 holding two or more Cyrillic letters,
    in a sample that is not UTF-8 as a whole. In Windows-1251 text such a line practically
    never occurs by chance (a lower-case letter is never a UTF-8 continuation byte), so one
    means the file mixes the two encodings. The last line of a cut sample is not judged."""
    lines = re.split(rb"\r\n|\r|\n", head)
    if not complete:
        lines = lines[:-1]
    for number, line in enumerate(lines, start=1):
        if line.isascii():
            continue
        try:
            decoded = line.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if sum(1 for c in decoded if "\u0400" <= c <= "\u04ff") >= 2:
            return number
    return None


def detect_encoding(head: bytes) -> str:
    """The Python codec name for a file starting with ``head``."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head[:4096]:
        raise EncodingProblem(
            "The file contains NUL bytes: it is binary or UTF-16/32 without a byte-order mark. "
            "Save it as CSV UTF-8."
        )
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    try:
        decoder.decode(head, final=False)  # a sequence cut at the end of the sample is fine
        return "utf-8"
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    lenient = head.decode("utf-8", errors="replace")
    bad = lenient.count("\ufffd")
    good = sum(1 for c in lenient if c > "\x7f" and c != "\ufffd")
    if good > 4 * bad:
        raise EncodingProblem(
            f"The file is UTF-8 but has invalid bytes (first at byte {first_bad}): it mixes "
            "encodings. Save it again as CSV UTF-8."
        )
    try:
        text = head.decode("cp1251")
    except UnicodeDecodeError:
        text = ""
    if text and _looks_cyrillic(text):
        utf8_line = _first_utf8_cyrillic_line(head, complete=len(head) < SNIFF_BYTES)
        if utf8_line is not None:
            # decoded as Windows-1251, that line would become mojibake ("РџСЂРёРІРµС‚")
            raise EncodingProblem(
                f"Line {utf8_line} is UTF-8 but other lines are not (Windows-1251?): the file "
                "mixes encodings. Save it again as CSV UTF-8."
            )
        return "cp1251"
    raise EncodingProblem(
        "The file is not UTF-8 and does not look like Windows-1251 Cyrillic text. "
        "Save it as 'CSV UTF-8' (Excel) or 'Text CSV, UTF-8' (LibreOffice)."
    )


# Three UTF-8 Cyrillic letters in a row (lead byte 0xD0/0xD1, then a continuation byte): in
# Windows-1251 that is "Р"/"С" followed by a punctuation sign or a rare letter, three times
# over, which natural text never holds; in a UTF-8 row it is any word of three letters.
_UTF8_CYRILLIC_RUN = re.compile(rb"(?:[\xd0\xd1][\x80-\xbf]){3}")
_CHECKED_CP1251 = "crimebook-cp1251-checked"


class _CheckedCp1251Decoder(codecs.IncrementalDecoder):
    """Windows-1251 that refuses UTF-8 Cyrillic text past the sniffed head (rows appended
    from another export), which plain Windows-1251 would decode into mojibake."""

    def __init__(self, errors: str = "strict") -> None:
        super().__init__(errors)
        self._tail = b""

    def decode(self, input: Any, final: bool = False) -> str:
        data = bytes(input)
        joined = self._tail + data
        match = _UTF8_CYRILLIC_RUN.search(joined)
        if match is not None:
            start = max(0, match.start() - len(self._tail))
            raise UnicodeDecodeError(
                "windows-1251", data, start, start + 1, "UTF-8 Cyrillic text in the file"
            )
        self._tail = joined[-5:]
        return data.decode("cp1251")

    def reset(self) -> None:
        self._tail = b""


def _search_codec(name: str) -> codecs.CodecInfo | None:
    if name != _CHECKED_CP1251.replace("-", "_") and name != _CHECKED_CP1251:
        return None
    base = codecs.lookup("cp1251")
    return codecs.CodecInfo(
        name=_CHECKED_CP1251,
        encode=base.encode,
        decode=base.decode,
        incrementalencoder=base.incrementalencoder,
        incrementaldecoder=_CheckedCp1251Decoder,
    )


codecs.register(_search_codec)


def open_text(raw: BinaryIO, encoding: str | None = None) -> tuple[io.TextIOWrapper, str]:
    """Wrap a binary stream as text (``newline=""`` for the csv module), detecting the
    encoding from a peek at its start unless one is given. A detected Windows-1251 file is
    decoded with a check that stops at UTF-8 Cyrillic text further on (a mixed file)."""
    buffered: io.BufferedReader = (
        raw if isinstance(raw, io.BufferedReader) else io.BufferedReader(cast(Any, raw))
    )
    codec = encoding
    if encoding is None:
        head = _peek(buffered, SNIFF_BYTES)
        encoding = codec = detect_encoding(head)
        if encoding == "cp1251":
            codec = _CHECKED_CP1251
    wrapper = io.TextIOWrapper(buffered, encoding=codec, errors="strict", newline="")
    return wrapper, encoding


def _peek(stream: io.BufferedReader, size: int) -> bytes:
    """Up to ``size`` bytes from the start without consuming them (needs a seekable file
    for samples larger than the buffer)."""
    if stream.seekable():
        pos = stream.tell()
        head = stream.read(size)
        stream.seek(pos)
        return head
    return stream.peek(size)[:size]
