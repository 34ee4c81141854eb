"""Text and document metadata of PDF and office files, for search (PURE: no Django).

Runs inside the metadata worker (:mod:`crimebook.evidence.worker`), under its CPU, memory and
wall-clock limits, on untrusted files. Caps on top of those:

* text: at most ``MAX_TEXT_CHARS`` characters; more is cut and ``text_truncated`` set;
* PDF (pypdf): at most ``MAX_PDF_PAGES`` pages are read; an encrypted PDF that does not open
  with the empty password is refused;
* OOXML (DOCX, XLSX) and OpenDocument (ODT, ODS, ODP) are ZIP archives read with
  :mod:`zipfile` and parsed as a stream with ``defusedxml`` (no DTDs, no entities, no external
  references). Before anything is inflated: at most ``MAX_MEMBERS`` entries, each XML part at
  most ``MAX_PART_BYTES`` uncompressed, a compression ratio of at most ``MAX_RATIO`` per part
  and ``MAX_TOTAL_BYTES`` over the parts read — a zip bomb is refused by its directory. The
  declared sizes are not trusted either: every part is read through a counting reader that
  stops at the cap.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from defusedxml import ElementTree as SafeET

__all__ = [
    "MAX_TEXT_CHARS",
    "DocumentError",
    "DocumentText",
    "office_document",
    "pdf_document",
]

MAX_TEXT_CHARS = 500_000
MAX_PDF_PAGES = 2_000
MAX_MEMBERS = 10_000
MAX_PART_BYTES = 64 * 1024**2
MAX_TOTAL_BYTES = 256 * 1024**2
MAX_RATIO = 200
_META_CHARS = 300

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
S = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
META = "{urn:oasis:names:tc:opendocument:xmlns:meta:1.0}"
DC = "{http://purl.org/dc/elements/1.1/}"
DCTERMS = "{http://purl.org/dc/terms/}"
CP = "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}"
EXTENDED = "{http://schemas.openxmlformats.org/officeDocument/2006/extended-properties}"

_ODF_TYPES = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
}
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    **{short: long for long, short in _ODF_TYPES.items()},
}


class DocumentError(ValueError):
    """The document is refused (bomb, encrypted, malformed); the message says why."""


@dataclass
class DocumentText:
    """Collects text up to the cap; anything past it is dropped and flagged."""

    format: str = ""
    parts: list[str] = field(default_factory=list)
    chars: int = 0
    truncated: bool = False
    raw: dict[str, Any] = field(default_factory=dict)
    fields: dict[str, Any] = field(default_factory=dict)

    def add(self, text: str) -> bool:
        """Append text; False once the cap is reached (the caller may stop reading)."""
        if self.truncated:
            return False
        room = MAX_TEXT_CHARS - self.chars
        if len(text) > room:
            text, self.truncated = text[:room], True
        self.parts.append(text)
        self.chars += len(text)
        return not self.truncated

    @property
    def text(self) -> str:
        joined = "".join(self.parts).replace("\x00", "")
        return re.sub(r"\n{3,}", "\n\n", joined).strip()

    def result(self) -> dict[str, Any]:
        raw = {**self.raw, "format": self.format, "text_chars": len(self.text),
               "text_truncated": self.truncated}  # fmt: skip
        fields = {**self.fields, "media_type": MEDIA_TYPES.get(self.format, "")}
        return {"ok": True, "raw": raw, "fields": fields, "phash": None, "thumbnail": None,
                "text": self.text}  # fmt: skip


def _meta(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).replace("\x00", "").strip()
    return text[:_META_CHARS] or None


# -- PDF ----------------------------------------------------------------------------------

_PDF_DATE = re.compile(
    r"D?:?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([Zz+-])?(\d{2})?'?(\d{2})?"
)


def _pdf_time(value: str | None, doc: DocumentText) -> None:
    match = _PDF_DATE.match(value or "")
    if not match or match.group(2) is None:
        return
    y, mo, d, h, mi, s = (match.group(i) or dflt for i, dflt in
                          zip(range(1, 7), ("", "01", "01", "00", "00", "00"), strict=True))  # fmt: skip
    doc.fields["DateTimeOriginal"] = f"{y}:{mo}:{d} {h}:{mi}:{s}"
    sign = match.group(7)
    if sign in {"Z", "z"}:
        doc.fields["OffsetTimeOriginal"] = "+00:00"
    elif sign in {"+", "-"} and match.group(8):
        doc.fields["OffsetTimeOriginal"] = f"{sign}{match.group(8)}:{match.group(9) or '00'}"


def pdf_document(path: str) -> dict[str, Any]:
    """Text of every page (up to the caps) and the document information dictionary."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    doc = DocumentText(format="pdf")
    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentError("encrypted PDF (needs a password)")
        pages = len(reader.pages)
        doc.raw["pages"] = pages
        info: Any = reader.metadata or {}
        for key in ("/Title", "/Author", "/Subject", "/Creator", "/Producer", "/CreationDate",
                    "/ModDate"):  # fmt: skip
            value = _meta(info.get(key))
            if value is not None:
                doc.raw[key.lstrip("/")] = value
        doc.fields["Software"] = doc.raw.get("Producer") or doc.raw.get("Creator")
        _pdf_time(doc.raw.get("CreationDate"), doc)
        if pages > MAX_PDF_PAGES:
            doc.truncated = doc.raw["pages_truncated"] = True
        for number, page in enumerate(reader.pages):
            if number >= MAX_PDF_PAGES or not doc.add(page.extract_text() or ""):
                break
            doc.add("\n\n")
    except DocumentError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            RecursionError, ZeroDivisionError, AssertionError) as exc:  # fmt: skip
        raise DocumentError(f"malformed PDF: {type(exc).__name__}: {str(exc)[:200]}") from None
    return doc.result()


# -- ZIP containers -----------------------------------------------------------------------


class _Capped(io.RawIOBase):
    """Reads at most ``limit`` bytes of an archive member, whatever its header declared."""

    def __init__(self, source: IO[bytes], limit: int, budget: list[int]) -> None:
        self._source = source
        self._left = limit
        self._budget = budget

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._source.read(min(len(buffer), self._left + 1))
        self._left -= len(data)
        self._budget[0] -= len(data)
        if self._left < 0 or self._budget[0] < 0:
            raise DocumentError("archive part inflates past its cap (zip bomb?)")
        buffer[: len(data)] = data
        return len(data)


class _Archive:
    def __init__(self, path: str) -> None:
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise DocumentError(f"not a readable ZIP archive: {exc}") from None
        infos = self.zip.infolist()
        if len(infos) > MAX_MEMBERS:
            raise DocumentError(f"archive has more than {MAX_MEMBERS} entries")
        self.members = {info.filename: info for info in infos}
        self.budget = [MAX_TOTAL_BYTES]

    def close(self) -> None:
        self.zip.close()

    def has(self, name: str) -> bool:
        return name in self.members

    def open(self, name: str) -> IO[bytes]:
        info = self.members[name]
        if info.flag_bits & 0x1:
            raise DocumentError("encrypted archive entry")
        if info.file_size > MAX_PART_BYTES:
            raise DocumentError(f"{name} is larger than {MAX_PART_BYTES} bytes uncompressed")
        if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(1, info.compress_size):
            raise DocumentError(f"{name} compresses more than {MAX_RATIO}:1 (zip bomb?)")
        if info.file_size > self.budget[0]:
            raise DocumentError("archive parts exceed the total cap (zip bomb?)")
        return io.BufferedReader(_Capped(self.zip.open(info), MAX_PART_BYTES, self.budget))

    def read_small(self, name: str, limit: int = 1024) -> bytes:
        with self.open(name) as handle:
            return handle.read(limit)

    def events(self, name: str) -> Iterator[tuple[str, Any]]:
        """Streamed parse of an XML part (defusedxml: DTDs, entities refused)."""
        with self.open(name) as handle:
            try:
                yield from SafeET.iterparse(handle, events=("start", "end"), forbid_dtd=True)
            except SafeET.ParseError as exc:
                raise DocumentError(f"malformed XML in {name}: {exc}") from None


def _leaf_texts(archive: _Archive, name: str, doc: DocumentText, *, text_tag: str,
                para_tags: frozenset[str], tab_tag: str = "",
                break_tags: frozenset[str] = frozenset()) -> None:  # fmt: skip
    """Stream OOXML text runs; paragraphs end with a newline. Finished paragraphs are
    cleared so memory stays flat whatever the part's size."""
    for event, element in archive.events(name):
        if event == "start":
            continue
        tag = element.tag
        if tag == text_tag:
            if not doc.add(element.text or ""):
                return
        elif tag == tab_tag:
            doc.add("\t")
        elif tag in break_tags or tag in para_tags:
            doc.add("\n")
        if tag in para_tags:
            element.clear()


def _odf_text(archive: _Archive, name: str, doc: DocumentText) -> None:
    """OpenDocument text is mixed content (text, spans, links, spaces): take every text and
    tail inside paragraphs and headings."""
    depth = 0
    for event, element in archive.events(name):
        tag = element.tag
        if tag in (f"{TEXT}p", f"{TEXT}h"):
            if event == "start":
                depth += 1
                continue
            depth -= 1
            if depth == 0:
                for chunk in _odf_chunks(element):
                    if not doc.add(chunk):
                        return
                doc.add("\n")
                element.clear()


def _odf_chunks(element: Any) -> Iterator[str]:
    if element.text:
        yield element.text
    for child in element:
        tag = child.tag
        if tag == f"{TEXT}s":
            count = child.get(f"{TEXT}c")
            yield " " * min(int(count) if count and count.isdigit() else 1, 100)
        elif tag == f"{TEXT}tab":
            yield "\t"
        elif tag == f"{TEXT}line-break":
            yield "\n"
        elif tag not in (f"{TEXT}note", f"{OFFICE}annotation"):
            yield from _odf_chunks(child)
        if child.tail:
            yield child.tail


def _xml_values(archive: _Archive, name: str, tags: dict[str, str]) -> dict[str, str]:
    found: dict[str, str] = {}
    if not archive.has(name):
        return found
    for event, element in archive.events(name):
        if event == "end" and element.tag in tags:
            value = _meta(element.text)
            if value is not None:
                found.setdefault(tags[element.tag], value)
    return found


def _iso_time(value: str | None, doc: DocumentText) -> None:
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?", value or "")  # fmt: skip
    if not match:
        return
    y, mo, d, h, mi, s = match.groups()[:6]
    doc.fields["DateTimeOriginal"] = f"{y}:{mo}:{d} {h}:{mi}:{s}"
    zone = match.group(8)
    if zone:
        doc.fields["OffsetTimeOriginal"] = "+00:00" if zone == "Z" else zone


def _ooxml_meta(archive: _Archive, doc: DocumentText) -> None:
    doc.raw.update(_xml_values(archive, "docProps/core.xml", {
        f"{DC}title": "Title", f"{DC}creator": "Author", f"{CP}lastModifiedBy": "LastModifiedBy",
        f"{DCTERMS}created": "Created", f"{DCTERMS}modified": "Modified",
    }))  # fmt: skip
    doc.raw.update(_xml_values(archive, "docProps/app.xml", {
        f"{EXTENDED}Application": "Application", f"{EXTENDED}AppVersion": "AppVersion",
    }))  # fmt: skip
    doc.fields["Software"] = doc.raw.get("Application")
    _iso_time(doc.raw.get("Created"), doc)


def _odf_meta(archive: _Archive, doc: DocumentText) -> None:
    doc.raw.update(_xml_values(archive, "meta.xml", {
        f"{DC}title": "Title", f"{META}initial-creator": "Author", f"{DC}creator": "LastModifiedBy",
        f"{META}creation-date": "Created", f"{DC}date": "Modified", f"{META}generator": "Application",
    }))  # fmt: skip
    doc.fields["Software"] = doc.raw.get("Application")
    _iso_time(doc.raw.get("Created"), doc)


def _docx(archive: _Archive, doc: DocumentText) -> None:
    extra = r"word/(footnotes|endnotes|header\d*|footer\d*)\.xml"
    names = ["word/document.xml", *sorted(n for n in archive.members if re.fullmatch(extra, n))]
    for name in names:
        _leaf_texts(archive, name, doc, text_tag=f"{W}t", para_tags=frozenset({f"{W}p"}),
                    tab_tag=f"{W}tab", break_tags=frozenset({f"{W}br", f"{W}cr"}))  # fmt: skip
        if doc.truncated:
            return


def _xlsx(archive: _Archive, doc: DocumentText) -> None:
    names = ["xl/sharedStrings.xml"] if archive.has("xl/sharedStrings.xml") else []
    names += sorted(n for n in archive.members if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n))
    for name in names:  # shared strings, then inline strings in the sheets
        _leaf_texts(archive, name, doc, text_tag=f"{S}t",
                    para_tags=frozenset({f"{S}si", f"{S}is"}))  # fmt: skip
        if doc.truncated:
            return


def office_document(path: str) -> dict[str, Any] | None:
    """Text and metadata of a DOCX, XLSX, ODT, ODS or ODP; None for another ZIP archive."""
    archive = _Archive(path)
    try:
        doc = DocumentText()
        if archive.has("mimetype"):
            declared = archive.read_small("mimetype", 100).decode("ascii", "replace").strip()
            doc.format = _ODF_TYPES.get(declared, "")
            if doc.format and archive.has("content.xml"):
                _odf_meta(archive, doc)
                _odf_text(archive, "content.xml", doc)
                return doc.result()
        if archive.has("word/document.xml"):
            doc.format = "docx"
            _ooxml_meta(archive, doc)
            _docx(archive, doc)
            return doc.result()
        if archive.has("xl/workbook.xml"):
            doc.format = "xlsx"
            _ooxml_meta(archive, doc)
            _xlsx(archive, doc)
            return doc.result()
        return None
    except (zipfile.BadZipFile, EOFError, NotImplementedError, RuntimeError, OSError) as exc:
        raise DocumentError(f"damaged archive: {type(exc).__name__}: {str(exc)[:200]}") from None
    finally:
        archive.close()
