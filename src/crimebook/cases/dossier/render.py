"""The dossier as HTML (a Django template) and as PDF (WeasyPrint, imported only here and
only when a PDF is asked for, so the rest of the workspace never needs it)."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from crimebook.cases.dossier.plan import DossierPlan

__all__ = ["DossierRenderError", "render_html", "render_pdf"]


class DossierRenderError(Exception):
    """The PDF could not be produced; the message says why."""


def render_html(
    plan: DossierPlan, *, language: str = "en", extra: dict[str, Any] | None = None
) -> str:
    with translation.override(language):
        return render_to_string("cases/dossier.html", {"plan": plan, **(extra or {})})


def render_pdf(html: str) -> bytes:
    """HTML → PDF bytes. No resource is fetched: the template carries its own CSS and
    images are never included (the fetcher refuses every URL)."""
    try:
        import weasyprint  # type: ignore[import-untyped]
    except (ImportError, OSError) as exc:  # OSError: pango/cairo missing on the system
        raise DossierRenderError(
            "WeasyPrint is not available, so no PDF can be made: install it with "
            f"`pip install weasyprint` and the system package pango ({exc})"
        ) from None

    def refuse(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        raise ValueError(f"dossiers fetch nothing ({url[:40]})")

    document = weasyprint.HTML(string=html, url_fetcher=refuse, base_url=".")
    data = document.write_pdf()
    if not isinstance(data, bytes):  # pragma: no cover - write_pdf without target returns bytes
        raise DossierRenderError("WeasyPrint returned no PDF")
    return data
