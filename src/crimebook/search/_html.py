"""The result list and the facet links of ``search/page.html``, written in Python.

Rendered through the template engine these two loops were most of the page's template time
(≈40 nodes per hit and per facet value, each resolving its variables through the context).
The markup is exactly the template's — tested against it — and every value is escaped as
``{{ value }}`` escapes it (as ``conditional_escape``; counts localised, times in the current
time zone as the ``date`` filter shows them).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]  # (no stub)
from django.utils.translation import gettext as _

from crimebook.web.escaping import conditional_escape as _e


def _minute(value: datetime) -> str:
    """``value|date:"Y-m-d H:i"`` (the filter's digits, without its format parser)."""
    d = template_localtime(value)
    return f"{d.year:04d}-{d.month:02d}-{d.day:02d} {d.hour:02d}:{d.minute:02d}"


def hits_html(rows: Iterable[dict[str, Any]]) -> SafeString:
    """The ``<li>`` of each hit: ``rows`` as the view builds them (hit, url, kind label)."""
    similar = _e(_("similar name"))
    out = []
    for row in rows:
        hit = row["hit"]
        parts = [
            f'<li>\n      <a href="{_e(row["url"])}">{_e(hit.title)}</a> '
            f'<span class="tag">{_e(row["kind"])}</span>'
        ]
        if hit.fuzzy:
            parts.append(f' <span class="tag">{similar}</span>')
        parts.append("\n      ")
        if hit.start or hit.place:
            parts.append('<div class="muted">')
            if hit.start:
                parts.append(_e(_minute(hit.start)))
            if hit.place:
                parts.append(f" · {_e(hit.place)}")
            parts.append("</div>")
        parts.append("\n      ")
        if hit.snippet:
            parts.append('<p class="snippet">')
            parts.extend(
                f"<mark>{_e(text)}</mark>" if match else _e(text) for text, match in hit.snippet
            )
            parts.append("</p>")
        parts.append("\n    </li>")
        out.append("".join(parts))
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


def facets_html(facets: Iterable[dict[str, Any]]) -> SafeString:
    """The ``<section>`` of each facet: ``facets`` as ``views.facet_rows`` builds them."""
    remove = _e(_("remove"))
    out = []
    for facet in facets:
        items = []
        for item in facet["items"]:
            label, count = _e(item["label"]), _e(localize(item["count"]))
            if item["chosen"]:
                items.append(
                    f"<li><strong>{label}</strong> ({count}) "
                    f'<a href="{_e(item["clear_url"])}">{remove}'
                    f'<span class="visually-hidden"> {label}</span></a></li>'
                )
            else:
                items.append(f'<li><a href="{_e(item["url"])}">{label}</a> ({count})</li>')
        out.append(
            f"<section>\n      <h3>{_e(facet['heading'])}</h3>\n      "
            f"<ul>{''.join(items)}</ul>\n    </section>"
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped
