"""Server-rendered SVG charts (no JavaScript, no inline CSS: presentation attributes only,
so the strict Content-Security-Policy holds). Pure: strings in, markup out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe

from crimebook.web.escaping import escape

BAR = "#0b5cad"
GRID = "#d0d7de"
TEXT = "#1b1f24"


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    title: str = ""  # tooltip
    shown: str | None = None  # printed instead of the value (publication: "<5", "*")

    @property
    def text(self) -> str:
        return self.shown if self.shown is not None else str(self.value)


# Advance widths in em, rounded up from DejaVu Sans (the widest of the common sans-serif
# faces a browser falls back to; Liberation Sans, Arial and Noto Sans are narrower), so a
# label cut to fit in these widths fits whatever the reader's font. Latin and Cyrillic
# letters differ a lot (Ж, Ш, Щ, Ю are a full em): counting characters cut Russian and
# Belarusian labels off at the chart's left edge.
_EM_NARROW = 0.4  # i j l f r t I J . , : ; ' ! | ( ) [ ] space
_EM_WIDE = 1.1  # m w M W ж ш щ ю ы ф Ж Ш Щ Ю Ы Ф — … №
_EM_UPPER = 0.8
_EM_OTHER = 0.66
_NARROW = frozenset("ijlfrtIJ.,:;'!|()[]{} ")
_WIDE = frozenset("mwMWжшщюыфмЖШЩЮЫФМ—…№%@")


def _em(char: str) -> float:
    if char in _NARROW:
        return _EM_NARROW
    if char in _WIDE:
        return _EM_WIDE
    return _EM_UPPER if char.isupper() else _EM_OTHER


def text_width(text: str, font_size: float) -> float:
    """An upper estimate of ``text``'s width in pixels at ``font_size``."""
    return sum(_em(c) for c in text) * font_size


def _short(text: str, max_width: float, font_size: float = 12) -> str:
    """``text``, or as much of it as fits in ``max_width`` pixels followed by "…"."""
    if text_width(text, font_size) <= max_width:
        return text
    room = max_width - _EM_WIDE * font_size  # the ellipsis
    kept, width = [], 0.0
    for char in text:
        width += _em(char) * font_size
        if width > room:
            break
        kept.append(char)
    return "".join(kept).rstrip(" ,;:-–") + "…"


def _svg(width: int, height: int, label: str, body: list[str], kind: str) -> SafeString:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(label)}" class="chart {kind}">'
        f"<title>{escape(label)}</title>"
    )
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308 - every text is escaped


def hbar_chart(bars: Sequence[Bar], label: str, width: int = 640) -> SafeString:
    """Horizontal bars with their labels and values: categories (types, places)."""
    row, pad, text_w = 22, 4, 250
    height = max(1, len(bars)) * row + pad
    top = max((b.value for b in bars), default=0) or 1
    body: list[str] = []
    for i, b in enumerate(bars):
        y = i * row + pad
        w = int((width - text_w - 60) * b.value / top)
        body.append(
            f'<text x="{text_w - 6}" y="{y + 14}" text-anchor="end" font-size="12" '
            f'fill="{TEXT}">{escape(_short(b.label, text_w - 8))}</text>'
            f'<rect x="{text_w}" y="{y + 2}" width="{max(w, 1)}" height="{row - 6}" fill="{BAR}">'
            f"<title>{escape(b.title or f'{b.label}: {b.text}')}</title></rect>"
            f'<text x="{text_w + w + 4}" y="{y + 14}" font-size="12" fill="{TEXT}">'
            f"{escape(b.text)}</text>"
        )
    return _svg(width, height, label, body, "hbar")


def column_chart(
    bars: Sequence[Bar], label: str, width: int = 900, height: int = 220
) -> SafeString:
    """Vertical columns over time (one per day or month), labels every few columns."""
    left, bottom, top_pad = 40, 34, 8
    n = max(1, len(bars))
    top = max((b.value for b in bars), default=0) or 1
    plot_w, plot_h = width - left - 8, height - bottom - top_pad
    step = plot_w / n
    every = max(1, n // 12)
    body = [
        f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{width - 8}" y2="{top_pad + plot_h}" '
        f'stroke="{GRID}"/>',
        f'<text x="{left - 4}" y="{top_pad + 10}" text-anchor="end" font-size="11" '
        f'fill="{TEXT}">{top}</text>',
        f'<text x="{left - 4}" y="{top_pad + plot_h}" text-anchor="end" font-size="11" '
        f'fill="{TEXT}">0</text>',
    ]
    for i, b in enumerate(bars):
        h = plot_h * b.value / top
        x = left + i * step
        body.append(
            f'<rect x="{x + 1:.1f}" y="{top_pad + plot_h - h:.1f}" width="{max(step - 2, 1):.1f}" '
            f'height="{h:.1f}" fill="{BAR}"><title>{escape(b.title or f"{b.label}: {b.text}")}'
            "</title></rect>"
        )
        if b.shown is not None and b.value == 0:  # withheld: say so where the column would be
            body.append(
                f'<text x="{x + step / 2:.1f}" y="{top_pad + plot_h - 3}" text-anchor="middle" '
                f'font-size="9" fill="{TEXT}">{escape(b.shown)}</text>'
            )
        if i % every == 0:
            body.append(
                f'<text x="{x + step / 2:.1f}" y="{height - 18}" text-anchor="middle" '
                f'font-size="10" fill="{TEXT}">{escape(b.label)}</text>'
            )
    return _svg(width, height, label, body, "columns")
