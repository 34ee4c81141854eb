"""Small-count suppression for publication (register/disclosure.py), pure: primary "<5",
complementary "*" so that no suppressed count follows from a total."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crimebook.register.attrition import suppress_small
from crimebook.register.disclosure import (
    DisclosureError,
    Rule,
    legend,
    protect,
    series,
    single,
    table,
)

RULE = Rule()


def texts(counts: tuple[object, ...]) -> list[str]:
    return [c.text for c in counts]  # type: ignore[attr-defined]


def test_primary_suppression_shows_one_to_four_as_less_than_five() -> None:
    assert [single(n, RULE).text for n in (0, 1, 4, 5, 120)] == ["0", "<5", "<5", "5", "120"]
    assert single(3, RULE).value is None and single(7, RULE).value == 7
    assert [suppress_small(n) for n in (0, 1, 4, 5)] == ["0", "<5", "<5", "5"]
    assert single(9, Rule(10)).text == "<10"


def test_a_single_small_count_in_a_series_takes_the_next_smallest_with_it() -> None:
    result = series([12, 3, 40, 0, 9], RULE)
    # 3 is small; alone it would be total − the rest, so 9 (smallest other non-zero) goes too
    assert texts(result.items) == ["12", "<5", "40", "0", "*"]
    assert result.total.text == "64"
    assert [c.state for c in result.items][:2] == ["shown", "small"]


def test_two_small_counts_protect_each_other_and_zeros_stay() -> None:
    result = series([2, 3, 50, 0], RULE)
    assert texts(result.items) == ["<5", "<5", "50", "0"]
    assert result.total.text == "55"


def test_a_series_with_nothing_else_to_withhold_withholds_its_total() -> None:
    result = series([3, 0, 0], RULE)
    assert texts(result.items) == ["<5", "0", "0"] and result.total.text == "<5"
    result = series([4, 0, 1], RULE)
    assert texts(result.items) == ["<5", "0", "<5"]
    lonely = series([7, 0], Rule(10))
    assert texts(lonely.items) == ["<10", "0"] and lonely.total.text == "<10"


def test_a_table_protects_rows_columns_and_margins() -> None:
    result = table([[20, 2, 30], [15, 25, 35], [10, 12, 40]], RULE)
    shown = [texts(row) for row in result.cells]
    assert shown[0][1] == "<5"
    # row 0 and column 1 each need a second suppressed entry
    assert sum(t != str(v) for t, v in zip(shown[0], [20, 2, 30], strict=True)) >= 2
    assert sum(shown[i][1] in ("<5", "*") for i in range(3)) >= 2
    assert result.total.text == "189"


def test_bad_input_is_refused() -> None:
    with pytest.raises(DisclosureError):
        Rule(1)
    with pytest.raises(DisclosureError):
        Rule.at_least(3)  # below the default floor of 5
    assert Rule.at_least(None).threshold == 5 and Rule.at_least(12).threshold == 12
    with pytest.raises(DisclosureError):
        series([3, -1], RULE)
    with pytest.raises(DisclosureError):
        table([[1, 2], [3]], RULE)
    with pytest.raises(DisclosureError):
        protect([1, 2, 4], [([0, 1], 2)], RULE)
    assert "<5" in legend(RULE) and "*" in legend(RULE)


def _lines_ok(values: list[int], states: list[str], lines: list[tuple[list[int], int]]) -> bool:
    for members, total in lines:
        suppressed = [i for i in [*members, total] if states[i] != "shown"]
        if len(suppressed) == 1 and values[suppressed[0]] != 0:
            return False
    return True


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.lists(st.integers(min_value=0, max_value=12), min_size=1, max_size=5),
        min_size=1,
        max_size=5,
    ).filter(lambda rows: len({len(r) for r in rows}) == 1),
    st.integers(min_value=2, max_value=8),
)
def test_no_line_ever_holds_exactly_one_suppressed_count(
    rows: list[list[int]], threshold: int
) -> None:
    rule = Rule(threshold)
    result = table(rows, rule)
    width, n = len(rows[0]), len(rows)
    flat = [c for row in result.cells for c in row]
    entries = [*flat, *result.row_totals, *result.column_totals, result.total]
    values = [v for r in rows for v in r]
    values += [sum(r) for r in rows] + [sum(r[j] for r in rows) for j in range(width)]
    values.append(sum(values[: n * width]))
    lines = [([i * width + j for j in range(width)], n * width + i) for i in range(n)]
    lines += [([i * width + j for i in range(n)], n * width + n + j) for j in range(width)]
    lines.append(([n * width + i for i in range(n)], len(values) - 1))
    lines.append(([n * width + n + j for j in range(width)], len(values) - 1))
    states = [c.state for c in entries]
    # THEN nothing small is shown, everything shown is exact, and no line gives one away
    for count, value in zip(entries, values, strict=True):
        if count.state == "shown":
            assert count.value == value and not rule.is_small(value)
        else:
            assert count.value is None and count.text in (rule.small_text, "*")
    assert _lines_ok(values, states, lines)
