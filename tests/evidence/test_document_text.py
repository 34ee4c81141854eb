"""Text of PDF and office documents for search, and HEIC photos (pillow-heif), extracted in
the sandboxed metadata worker; hostile documents are recorded as failed, never crash."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from crimebook.evidence import doctext, services
from crimebook.evidence.models import EvidenceItem
from crimebook.evidence.pipeline import process_item

pytestmark = pytest.mark.django_db

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _ingest(compartment: Any, name: str, data: bytes) -> EvidenceItem:
    out = services.evidence_ingest_stream(
        actor=None, compartment_id=compartment.pk, name=name, stream=io.BytesIO(data),
        process=False,
    )  # fmt: skip
    assert out.item_id is not None
    process_item(out.item_id)
    return EvidenceItem.objects.get(pk=out.item_id)


# -- builders -----------------------------------------------------------------------------


def pdf_bytes(pages: list[str], *, password: str = "", producer: str = "FictWriter 1.0") -> bytes:
    """A PDF with one line of Helvetica text per page (pypdf)."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    font = writer._add_object(
        DictionaryObject({
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        })
    )  # fmt: skip
    for text in pages:
        page = writer.add_blank_page(612, 792)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
        )
        content = DecodedStreamObject()
        content.set_data(f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1"))
        page[NameObject("/Contents")] = writer._add_object(content)
    writer.add_metadata({"/Producer": producer, "/CreationDate": "D:20200809213000+03'00'"})
    if password:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _zip(parts: dict[str, bytes | str], *, stored: tuple[str, ...] = ()) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            kind = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            archive.writestr(name, data, compress_type=kind)
    return out.getvalue()


def docx_bytes(paragraphs: list[str], *, body_xml: str | None = None) -> bytes:
    body = body_xml or "".join(
        f'<w:p><w:r><w:t xml:space="preserve">{p}</w:t></w:r></w:p>' for p in paragraphs
    )
    return _zip({
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        "word/document.xml": f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W_NS}"><w:body>{body}</w:body></w:document>',
        "docProps/core.xml": (
            '<?xml version="1.0"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/">'
            "<dc:creator>Fictional Clerk</dc:creator><dcterms:created>2020-08-10T09:15:00Z</dcterms:created>"
            "</cp:coreProperties>"
        ),
        "docProps/app.xml": '<?xml version="1.0"?><Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>FictOffice</Application></Properties>',
    })  # fmt: skip


def odt_bytes(paragraphs: list[str]) -> bytes:
    text = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
    office = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    body = "".join(
        f'<text:p>{p}<text:s text:c="2"/><text:span>end</text:span></text:p>' for p in paragraphs
    )
    return _zip(
        {
            "mimetype": "application/vnd.oasis.opendocument.text",
            "content.xml": f'<?xml version="1.0"?><office:document-content xmlns:office="{office}" xmlns:text="{text}"><office:body><office:text><text:h>Title</text:h>{body}</office:text></office:body></office:document-content>',
            "meta.xml": f'<?xml version="1.0"?><office:document-meta xmlns:office="{office}" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"><office:meta><meta:generator>FictWriter/7</meta:generator><meta:creation-date>2020-08-11T10:00:00</meta:creation-date></office:meta></office:document-meta>',
        },
        stored=("mimetype",),
    )  # fmt: skip


def xlsx_bytes(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def heic_bytes() -> bytes:
    """A HEIC photo made by pillow-heif itself, with EXIF make, model and capture time."""
    from PIL import Image
    from pillow_heif import register_heif_opener

    register_heif_opener()
    img = Image.new("RGB", (96, 64))
    img.putdata(
        [((x * 5) % 256, (y * 7) % 256, (x * y) % 256) for y in range(64) for x in range(96)]
    )
    exif = Image.Exif()
    exif[0x010F] = "FictPhone"
    exif[0x0110] = "FP 12"
    sub = exif.get_ifd(0x8769)
    sub[0x9003] = "2020:08:10 21:30:00"
    sub[0x9011] = "+03:00"
    out = io.BytesIO()
    img.save(out, format="HEIF", exif=exif.tobytes(), quality=90)
    return out.getvalue()


# -- documents ----------------------------------------------------------------------------


def test_pdf_text_and_metadata(vault: Path, compartment: Any) -> None:
    item = _ingest(compartment, "report.pdf", pdf_bytes(["Detained near Pushkinskaya", "Page two"]))
    assert item.kind == "document" and item.metadata_status == "extracted", item.metadata_error
    assert "Detained near Pushkinskaya" in item.text and "Page two" in item.text
    assert item.software == "FictWriter 1.0"
    assert item.captured_at == datetime(2020, 8, 9, 18, 30, tzinfo=UTC)
    assert item.metadata_raw["pages"] == 2 and item.metadata_raw["text_truncated"] is False
    assert not item.derivatives.exists()


def test_docx_text_becomes_a_document(vault: Path, compartment: Any) -> None:
    item = _ingest(compartment, "statement.docx", docx_bytes(["First paragraph.", "Second one."]))
    assert item.metadata_status == "extracted", item.metadata_error
    assert item.kind == "document"
    assert item.media_type.endswith("wordprocessingml.document")
    assert item.text == "First paragraph.\nSecond one."
    assert item.software == "FictOffice" and item.metadata_raw["Author"] == "Fictional Clerk"
    assert item.captured_at == datetime(2020, 8, 10, 9, 15, tzinfo=UTC)


def test_xlsx_and_odt_text(vault: Path, compartment: Any) -> None:
    sheet = _ingest(compartment, "list.xlsx", xlsx_bytes([["name", "place"], ["Unit 7", "Okrestina"]]))  # fmt: skip
    assert sheet.metadata_status == "extracted", sheet.metadata_error
    assert sheet.media_type.endswith("spreadsheetml.sheet")
    assert "Okrestina" in sheet.text and "Unit 7" in sheet.text
    odt = _ingest(compartment, "notes.odt", odt_bytes(["Вторая запись", "Third"]))
    assert odt.metadata_status == "extracted", odt.metadata_error
    assert odt.media_type == "application/vnd.oasis.opendocument.text"
    assert odt.text.splitlines() == ["Title", "Вторая запись  end", "Third  end"]
    assert odt.software == "FictWriter/7"


def test_a_plain_zip_stays_other(vault: Path, compartment: Any) -> None:
    item = _ingest(compartment, "bundle.zip", _zip({"a.txt": "hello"}))
    assert item.kind == "other" and item.media_type == "application/zip"
    assert item.metadata_status == "none" and item.text == ""


def test_text_is_capped(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(doctext, "MAX_TEXT_CHARS", 50)
    path = tmp_path / "long.docx"
    path.write_bytes(docx_bytes(["x" * 40, "y" * 40, "z" * 40]))
    result = doctext.office_document(str(path))
    assert result is not None
    assert len(result["text"]) <= 50 and result["raw"]["text_truncated"] is True


# -- hostile documents --------------------------------------------------------------------


def test_zip_bomb_is_refused_by_its_directory(vault: Path, compartment: Any) -> None:
    # word/document.xml inflates 8 MiB from a few KiB (ratio far above the cap)
    filler = "<w:p/>" * (8 * 1024 * 1024 // 6)
    bomb = _zip({"word/document.xml": f'<w:document xmlns:w="{W_NS}"><w:body>{filler}</w:body></w:document>'})  # fmt: skip
    assert len(bomb) < 100_000
    item = _ingest(compartment, "bomb.docx", bomb)
    assert item.metadata_status == "failed" and "zip bomb" in item.metadata_error
    assert item.status == "ingested"  # the evidentiary copy is kept, honestly labelled


def test_parts_are_read_through_a_counting_cap() -> None:
    """Declared sizes are not trusted: a reader stops at the part cap and at the archive's
    total budget, whatever the header said (zipfile itself also stops at the declared size
    and then fails the CRC, which is reported as a damaged archive)."""
    reader = io.BufferedReader(doctext._Capped(io.BytesIO(b"a" * 5000), 1000, [10**9]))
    with pytest.raises(doctext.DocumentError, match="cap"):
        reader.read()
    budget = [1500]
    first = io.BufferedReader(doctext._Capped(io.BytesIO(b"a" * 1000), 1000, budget))
    assert len(first.read()) == 1000
    second = io.BufferedReader(doctext._Capped(io.BytesIO(b"a" * 1000), 1000, budget))
    with pytest.raises(doctext.DocumentError, match="cap"):
        second.read()


def test_lying_zip_header_is_a_damaged_archive(tmp_path: Path) -> None:
    data = bytearray(docx_bytes(["a" * 5000]))
    # shrink the declared uncompressed size of word/document.xml in the central directory
    central = data.rfind(
        b"PK\x01\x02", 0, data.find(b"word/document.xml", data.find(b"PK\x01\x02"))
    )
    data[central + 24 : central + 28] = (10).to_bytes(4, "little")
    path = tmp_path / "lying.docx"
    path.write_bytes(bytes(data))
    with pytest.raises(doctext.DocumentError, match="damaged archive"):
        doctext.office_document(str(path))


def test_entity_expansion_is_refused(vault: Path, compartment: Any) -> None:
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>&lol2;</w:t></w:r></w:p></w:body></w:document>'
    )
    data = _zip({"[Content_Types].xml": "<Types/>", "word/document.xml": laughs})
    item = _ingest(compartment, "laughs.docx", data)
    assert item.metadata_status == "failed" and "DTD" in item.metadata_error


def test_encrypted_and_broken_pdfs_are_recorded(vault: Path, compartment: Any) -> None:
    locked = _ingest(compartment, "locked.pdf", pdf_bytes(["secret"], password="pw"))
    assert locked.metadata_status == "failed" and "encrypted PDF" in locked.metadata_error
    broken = _ingest(compartment, "broken.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\n")
    assert broken.metadata_status == "failed" and broken.metadata_error
    assert broken.status == "ingested" and broken.text == ""


def test_malformed_docx_xml_is_recorded(vault: Path, compartment: Any) -> None:
    data = _zip({"word/document.xml": "<w:document><w:body><w:p>"})
    item = _ingest(compartment, "cut.docx", data)
    assert item.metadata_status == "failed" and "malformed XML" in item.metadata_error


# -- HEIC ---------------------------------------------------------------------------------


def test_heic_photo_metadata_phash_and_thumbnail(vault: Path, compartment: Any) -> None:
    item = _ingest(compartment, "IMG_0001.HEIC", heic_bytes())
    assert item.media_type == "image/heic" and item.kind == "photo"
    assert item.metadata_status == "extracted", item.metadata_error
    assert (item.device_make, item.device_model) == ("FictPhone", "FP 12")
    assert item.captured_at == datetime(2020, 8, 10, 18, 30, tzinfo=UTC)
    assert (item.width, item.height) == (96, 64)
    assert item.phash is not None
    thumb = item.derivatives.get()
    assert thumb.media_type == "image/jpeg"


def test_document_text_is_searchable(vault: Path, compartment: Any, investigator: Any) -> None:
    from crimebook.search.models import SearchDoc

    item = _ingest(compartment, "memo.docx", docx_bytes(["Zhodino transfer list, fictitious"]))
    doc = SearchDoc.objects.get(kind="evidence", object_id=item.pk)
    assert "Zhodino" in " ".join(str(v) for v in doc.__dict__.values())
