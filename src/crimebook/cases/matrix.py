"""The elements matrix (PURE: no Django).

For one classification (an act under a definition): every element of the definition, in
order, with the exhibits and testimonies a reviewer linked to it. An element with no support
is a **gap**. In a dossier, support whose source did not consent to prosecution use is left
out, and an element supported only by such material becomes a gap there too — the matrix
says so (``withheld``) instead of hiding it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

__all__ = ["ElementIn", "MatrixRow", "SupportIn", "build_matrix", "gap_count"]


@dataclass(frozen=True)
class ElementIn:
    element_id: int
    code: str
    kind: str
    text: str
    order: int


@dataclass(frozen=True)
class SupportIn:
    support_id: int
    element_id: int
    kind: str  # "exhibit" or "testimony"
    ref_id: int
    label: str
    note: str
    usable: bool = True  # False: withheld (no consent for the use at hand)


@dataclass(frozen=True)
class MatrixRow:
    element: ElementIn
    supports: tuple[SupportIn, ...] = ()
    withheld: int = 0  # supports left out for lack of consent
    exhibits: int = field(default=0)
    testimonies: int = field(default=0)

    @property
    def gap(self) -> bool:
        return not self.supports


def build_matrix(elements: Iterable[ElementIn], supports: Iterable[SupportIn]) -> list[MatrixRow]:
    """Rows in element order; supports of unknown elements are ignored (a retired element
    keeps its links in the database but is not part of the definition any more)."""
    by_element: dict[int, list[SupportIn]] = {}
    for support in supports:
        by_element.setdefault(support.element_id, []).append(support)
    rows = []
    for element in sorted(elements, key=lambda e: (e.order, e.code)):
        linked = by_element.get(element.element_id, [])
        usable = tuple(s for s in linked if s.usable)
        rows.append(
            MatrixRow(
                element=element,
                supports=usable,
                withheld=len(linked) - len(usable),
                exhibits=sum(1 for s in usable if s.kind == "exhibit"),
                testimonies=sum(1 for s in usable if s.kind == "testimony"),
            )
        )
    return rows


def gap_count(rows: Sequence[MatrixRow]) -> int:
    return sum(1 for row in rows if row.gap)
