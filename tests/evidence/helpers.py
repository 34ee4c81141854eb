"""Builders for evidence tests (also used by the permission matrix)."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from typing import Any

from PIL import Image

from crimebook.evidence.keys import vault_keygen


def use_vault(tmp_path: Path, django_settings: Any) -> Path:
    """Point the vault at a temporary directory with its own identity (the key directory is
    already per test, see tests/conftest.py), through pytest-django's ``settings`` fixture
    so that it is restored. Returns the vault directory."""
    django_settings.CRIMEBOOK_VAULT_DIR = tmp_path / "vault"
    django_settings.CRIMEBOOK_VAULT_RECIPIENTS = []
    vault_keygen()
    return Path(tmp_path / "vault")


def _rational(value: float) -> Any:
    from PIL.TiffImagePlugin import IFDRational

    return IFDRational(round(value * 10000), 10000)


def jpeg_bytes(
    *,
    size: tuple[int, int] = (64, 48),
    seed: int = 1,
    taken: datetime | None = None,
    offset: str | None = None,
    gps: tuple[float, float] | None = None,
    make: str = "",
    model: str = "",
    exif_extra: dict[int, Any] | None = None,
    quality: int = 90,
) -> bytes:
    """A small JPEG with a deterministic pattern and the EXIF tags asked for."""
    img = Image.new("RGB", size)
    w, h = size
    img.putdata(
        [(((x * seed) ^ y) * 7 % 256, (x + y * seed) % 256, (x * y + seed) % 256)
         for y in range(h) for x in range(w)]
    )  # fmt: skip
    exif = Image.Exif()
    if make:
        exif[0x010F] = make
    if model:
        exif[0x0110] = model
    sub = exif.get_ifd(0x8769)
    if taken is not None:
        sub[0x9003] = taken.strftime("%Y:%m:%d %H:%M:%S")
    if offset is not None:
        sub[0x9011] = offset
    if gps is not None:
        lat, lon = gps
        g = exif.get_ifd(0x8825)
        g[1] = "N" if lat >= 0 else "S"
        g[2] = (_rational(abs(lat)), _rational(0), _rational(0))
        g[3] = "E" if lon >= 0 else "W"
        g[4] = (_rational(abs(lon)), _rational(0), _rational(0))
    for tag, value in (exif_extra or {}).items():
        exif[tag] = value
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=quality, exif=exif)
    return out.getvalue()


def png_bytes(size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def mp4_bytes(
    *, frames: int = 50, rate: int = 25, seed: int = 1, metadata: dict[str, str] | None = None
) -> bytes:
    """A small MPEG-4 video (PyAV's bundled FFmpeg) with the container tags asked for."""
    import av
    import numpy as np

    buf = io.BytesIO()
    with av.open(buf, "w", format="mp4") as out:
        for key, value in (metadata or {}).items():
            out.metadata[key] = value
        stream = out.add_stream("mpeg4", rate=rate)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        rng = np.random.default_rng(seed)
        base = rng.integers(0, 255, (48, 64, 3)).astype("uint8")
        for _ in range(frames):
            frame = av.VideoFrame.from_ndarray(base, format="rgb24")
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return buf.getvalue()


def wav_bytes(seconds: float = 1.5, rate: int = 8000) -> bytes:
    import wave

    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"\x00\x00" * int(seconds * rate))
    return buf.getvalue()
