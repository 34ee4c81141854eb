"""The elements matrix core: order, gaps, withheld support."""

from __future__ import annotations

from crimebook.cases.matrix import ElementIn, SupportIn, build_matrix, gap_count

ELEMENTS = [
    ElementIn(1, "severe-pain", "material", "Severe pain", 0),
    ElementIn(2, "intent", "mental", "Intent", 1),
    ElementIn(3, "purpose", "mental", "Purpose", 2),
]


def test_unsupported_elements_are_gaps_in_order() -> None:
    rows = build_matrix(
        reversed(ELEMENTS),
        [SupportIn(10, 1, "exhibit", 5, "photo", "bruises"),
         SupportIn(11, 1, "testimony", 6, "interview", "describes blows")],
    )  # fmt: skip
    assert [r.element.code for r in rows] == ["severe-pain", "intent", "purpose"]
    assert [r.gap for r in rows] == [False, True, True]
    assert (rows[0].exhibits, rows[0].testimonies) == (1, 1)
    assert gap_count(rows) == 2


def test_support_without_consent_is_withheld_and_leaves_a_gap() -> None:
    rows = build_matrix(
        ELEMENTS, [SupportIn(10, 2, "exhibit", 5, "video", "threats", usable=False)]
    )
    assert rows[1].gap and rows[1].withheld == 1
    assert gap_count(rows) == 3


def test_support_of_a_retired_element_is_ignored() -> None:
    rows = build_matrix(ELEMENTS, [SupportIn(10, 99, "exhibit", 5, "x", "y")])
    assert gap_count(rows) == 3
