"""Media type from a file's first bytes (magic numbers), never from its name (PURE)."""

from __future__ import annotations

__all__ = ["kind_of", "sniff"]

_SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\xff\xd8\xff", "image/jpeg"),
    (0, b"\x89PNG\r\n\x1a\n", "image/png"),
    (0, b"GIF87a", "image/gif"),
    (0, b"GIF89a", "image/gif"),
    (0, b"II*\x00", "image/tiff"),
    (0, b"MM\x00*", "image/tiff"),
    (0, b"BM", "image/bmp"),
    (0, b"%PDF-", "application/pdf"),
    (0, b"\x1a\x45\xdf\xa3", "video/x-matroska"),
    (0, b"OggS", "audio/ogg"),
    (0, b"fLaC", "audio/flac"),
    (0, b"ID3", "audio/mpeg"),
    (0, b"PK\x03\x04", "application/zip"),
    (0, b"\x1f\x8b", "application/gzip"),
    (0, b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
)

_FTYP = {
    b"heic": "image/heic", b"heix": "image/heic", b"mif1": "image/heif", b"msf1": "image/heif",
    b"avif": "image/avif", b"qt  ": "video/quicktime", b"M4A ": "audio/mp4",
    b"3gp4": "video/3gpp", b"3gp5": "video/3gpp",
}  # fmt: skip


def sniff(head: bytes) -> str:
    """The media type the content itself declares, or ``application/octet-stream``."""
    for offset, magic, media_type in _SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            if media_type == "video/x-matroska" and b"webm" in head[:64]:
                return "video/webm"
            return media_type
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        return _FTYP.get(brand, "video/mp4")
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "video/x-msvideo"
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        return "audio/mpeg"
    return "application/octet-stream"


def kind_of(media_type: str) -> str:
    """The evidence kind (photo/video/audio/document/other) a media type suggests."""
    top = media_type.split("/", 1)[0]
    if top == "image":
        return "photo"
    if top in {"video", "audio"}:
        return top
    if media_type == "application/pdf":
        return "document"
    return "other"
