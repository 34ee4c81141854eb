"""The metadata worker: parses one untrusted file in a separate, resource-limited process
(PURE: no Django, no keys, no database).

Run as ``python -m crimebook.evidence.worker FILE MEDIA_TYPE``; it prints one JSON object:
``{"ok": true, "raw": {tag: value}, "fields": {...}, "phash": int|null,
"thumbnail": base64-JPEG|null, "text": str (documents only)}`` or
``{"ok": false, "error": "..."}``. Images (JPEG, PNG, HEIC/HEIF through pillow-heif, …) with
Pillow; video and audio with PyAV; PDF and office documents with
:mod:`crimebook.evidence.doctext` (text for search, capped). The parent
(:mod:`crimebook.evidence.extract`) sets CPU, memory, file-size and open-file limits before it
starts and a wall-clock timeout around it, so a decompression bomb or a parser stuck on a
hostile file ends this process only.
"""

from __future__ import annotations

import base64
import io
import json
import math
import re
import sys
import warnings
from typing import Any

MAX_PIXELS = 80_000_000  # larger images are refused as possible decompression bombs
MAX_VALUE_CHARS = 500
THUMB_SIZE = 320


def _plain(value: Any) -> Any:
    """EXIF values as JSON: rationals to floats (absurd ones to null), bytes to a note."""
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value[:64]]
    if isinstance(value, int | str | bool) or value is None:
        return value[:MAX_VALUE_CHARS] if isinstance(value, str) else value
    try:
        number = float(value)
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return str(value)[:MAX_VALUE_CHARS]
    return number if math.isfinite(number) else None


def _image(path: str) -> dict[str, Any]:
    from PIL import ExifTags, Image, ImageOps

    if path_is_heif(path):
        from pillow_heif import register_heif_opener

        register_heif_opener()  # HEIC/HEIF from phones: libheif via pillow-heif
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    warnings.simplefilter("error", Image.DecompressionBombWarning)
    with Image.open(path) as img:
        img.load()
        raw: dict[str, Any] = {"format": img.format, "width": img.width, "height": img.height}
        exif = img.getexif()
        for tag, value in exif.items():
            raw[ExifTags.TAGS.get(tag, f"0x{tag:04x}")] = _plain(value)
        for ifd_id, prefix in ((ExifTags.IFD.Exif, ""), (ExifTags.IFD.GPSInfo, "GPS")):
            try:
                ifd = exif.get_ifd(ifd_id)
            except Exception:  # noqa: S112 - a broken IFD is skipped, the rest is kept
                continue
            names = ExifTags.GPSTAGS if prefix else ExifTags.TAGS
            for tag, value in ifd.items():
                name = names.get(tag, f"0x{tag:04x}")
                raw[name if not prefix or name.startswith("GPS") else f"GPS{name}"] = _plain(value)
        fields = {
            "width": img.width,
            "height": img.height,
            "DateTimeOriginal": raw.get("DateTimeOriginal") or raw.get("DateTime"),
            "OffsetTimeOriginal": raw.get("OffsetTimeOriginal") or raw.get("OffsetTime"),
            "Make": raw.get("Make"),
            "Model": raw.get("Model"),
            "Software": raw.get("Software"),
            "Orientation": raw.get("Orientation"),
            "GPSLatitude": raw.get("GPSLatitude"),
            "GPSLatitudeRef": raw.get("GPSLatitudeRef"),
            "GPSLongitude": raw.get("GPSLongitude"),
            "GPSLongitudeRef": raw.get("GPSLongitudeRef"),
            "GPSHPositioningError": raw.get("GPSHPositioningError"),
        }
        # phash as a signed 64-bit integer; the thumbnail is re-encoded, no metadata kept
        phash, thumbnail = _pictures(ImageOps.exif_transpose(img))
    return {"ok": True, "raw": raw, "fields": fields, "phash": phash, "thumbnail": thumbnail}


_ISO6709 = re.compile(r"([+-]\d{1,2}(?:\.\d+)?)([+-]\d{1,3}(?:\.\d+)?)")


def _pictures(img: Any) -> tuple[int, str]:
    """(signed 64-bit phash, base64 JPEG thumbnail) of a Pillow image."""
    import imagehash

    phash = int(str(imagehash.phash(img)), 16)
    if phash >= 1 << 63:
        phash -= 1 << 64
    thumb = img.convert("RGB")
    thumb.thumbnail((THUMB_SIZE, THUMB_SIZE))
    out = io.BytesIO()
    thumb.save(out, format="JPEG", quality=80)
    return phash, base64.b64encode(out.getvalue()).decode("ascii")


def _media(path: str) -> dict[str, Any]:
    """Video and audio with PyAV (FFmpeg): container and stream tags, duration, frame rate,
    creation time, ISO 6709 location; the first keyframe gives the phash and thumbnail."""
    import av

    with av.open(path, metadata_errors="ignore") as container:
        raw: dict[str, Any] = {"format": container.format.name, "duration_us": container.duration}
        for key, value in list(container.metadata.items())[:200]:
            raw[str(key)[:100]] = _plain(value)
        fields: dict[str, Any] = {}
        if container.duration:
            fields["duration"] = container.duration / 1_000_000
        video = container.streams.video[0] if container.streams.video else None
        phash: int | None = None
        thumbnail: str | None = None
        if video is not None:
            for key, value in list(video.metadata.items())[:100]:
                raw.setdefault(f"video:{key}"[:100], _plain(value))
            if video.average_rate:
                fields["fps"] = float(video.average_rate)
            fields["width"] = video.codec_context.width
            fields["height"] = video.codec_context.height
            video.codec_context.thread_count = 1
            video.codec_context.skip_frame = "NONKEY"
            for frame in container.decode(video=0):
                if frame.width * frame.height > MAX_PIXELS:
                    raise ValueError("video frame too large")
                phash, thumbnail = _pictures(frame.to_image())  # type: ignore[no-untyped-call]
                break
        created = raw.get("creation_time") or raw.get("video:creation_time")
        if isinstance(created, str):
            fields["DateTimeOriginal"] = created
            # QuickTime/MP4 creation_time is UTC by specification; Matroska DATE likewise.
            fields["OffsetTimeOriginal"] = "+00:00"
        location = raw.get("location") or raw.get("com.apple.quicktime.location.ISO6709")
        match = _ISO6709.match(location) if isinstance(location, str) else None
        if match:
            lat, lon = float(match.group(1)), float(match.group(2))
            fields.update(GPSLatitude=[abs(lat)], GPSLatitudeRef="S" if lat < 0 else "N",
                          GPSLongitude=[abs(lon)], GPSLongitudeRef="W" if lon < 0 else "E")  # fmt: skip
    return {"ok": True, "raw": raw, "fields": fields, "phash": phash, "thumbnail": thumbnail}


def path_is_heif(path: str) -> bool:
    with open(path, "rb") as handle:
        head = handle.read(16)
    return head[4:8] == b"ftyp" and head[8:12] in {b"heic", b"heix", b"mif1", b"msf1", b"hevc"}


def inspect(path: str, media_type: str) -> dict[str, Any]:
    if media_type.startswith("image/"):
        return _image(path)
    if media_type.startswith(("video/", "audio/")):
        return _media(path)
    if media_type == "application/pdf":
        from crimebook.evidence.doctext import pdf_document

        return pdf_document(path)
    if media_type == "application/zip":
        from crimebook.evidence.doctext import office_document

        found = office_document(path)
        if found is not None:
            return found
    return {"ok": True, "raw": {}, "fields": {}, "phash": None, "thumbnail": None}


def _safe_inspect(path: str, media_type: str) -> str:
    try:
        result = inspect(path, media_type)
    except Exception as exc:  # every failure becomes a reason, never a traceback
        result = {"ok": False, "error": f"{type(exc).__name__}: {str(exc)[:300]}"}
    return json.dumps(result, allow_nan=False)


def serve() -> None:
    """Session mode: one JSON request per line on stdin, one JSON answer per line out."""
    for line in sys.stdin:
        try:
            request = json.loads(line)
            answer = _safe_inspect(str(request["path"]), str(request["media_type"]))
        except (ValueError, KeyError, TypeError) as exc:
            answer = json.dumps({"ok": False, "error": f"bad request: {exc}"})
        sys.stdout.write(answer + "\n")
        sys.stdout.flush()


def main() -> None:
    if sys.argv[1:] == ["--serve"]:
        serve()
        return
    sys.stdout.write(_safe_inspect(sys.argv[1], sys.argv[2]))


if __name__ == "__main__":
    main()
