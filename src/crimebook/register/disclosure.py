"""Small-count suppression for anything marked for publication (issue 7 point 6), pure.

**The rule.** A published count from 1 to ``threshold − 1`` is shown as ``<threshold``
(*primary* suppression; default threshold 5, so 1–4 read "<5"). Zero is shown: an empty
category singles nobody out. Then, so that a suppressed count cannot be worked out by
subtraction, every *line* — a set of counts that add up to a total that is published or
can be derived (a series and its total, a row or a column of a table and its margin) — must
hold either no suppressed entry or at least two. While some line holds exactly one, the
smallest non-zero count still shown in that line is withheld as well (*complementary*
suppression, shown as ``*``); if the line has no such count, its total is withheld. This is
repeated until no line holds exactly one suppressed entry.

A series is always treated as if its total were published (it usually is: a headline
figure, a page total or the sum of the rows of an export), and so are series whose items can
overlap (an incident of two violation types): the rule then withholds more than strictly
needed, never less.

What the rule does not do: it does not hide that a count is small (``<5`` says 1–4), and
suppressed entries spread over several lines can in rare layouts still be bounded by
combining lines; tables published here are series or two-way tables with margins, for which
"no line with exactly one suppressed entry" is the usual standard.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

DEFAULT_THRESHOLD = 5
MAX_THRESHOLD = 1000
SECONDARY = "*"

State = Literal["shown", "small", "withheld"]


class DisclosureError(ValueError):
    """A threshold or a table the rule cannot be applied to."""


@dataclass(frozen=True)
class Rule:
    """The threshold of one publication (at least ``floor``, the operator's setting)."""

    threshold: int = DEFAULT_THRESHOLD

    def __post_init__(self) -> None:
        if not 2 <= self.threshold <= MAX_THRESHOLD:
            raise DisclosureError(f"The threshold must be 2 … {MAX_THRESHOLD}.")

    @classmethod
    def at_least(cls, threshold: int | None, floor: int = DEFAULT_THRESHOLD) -> Rule:
        """The rule for a requested threshold, never below ``floor``."""
        if threshold is not None and threshold < floor:
            raise DisclosureError(f"The threshold cannot be lower than {floor}.")
        return cls(threshold if threshold is not None else floor)

    def is_small(self, count: int) -> bool:
        return 0 < count < self.threshold

    @property
    def small_text(self) -> str:
        return f"<{self.threshold}"


@dataclass(frozen=True)
class Count:
    """A count as it may be published: ``text`` is what to print, ``value`` only when the
    count is shown (``None`` when withheld)."""

    text: str
    value: int | None
    state: State

    @property
    def suppressed(self) -> bool:
        return self.state != "shown"


@dataclass(frozen=True)
class Series:
    items: tuple[Count, ...]
    total: Count


@dataclass(frozen=True)
class Table:
    cells: tuple[tuple[Count, ...], ...]
    row_totals: tuple[Count, ...]
    column_totals: tuple[Count, ...]
    total: Count


def _check(values: Sequence[int]) -> None:
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise DisclosureError(f"Counts must be whole numbers ≥ 0 (got {v!r}).")


def protect(
    values: Sequence[int], lines: Sequence[tuple[Sequence[int], int]], rule: Rule
) -> list[State]:
    """The core: ``values`` are all entries (cells and totals), ``lines`` are
    ``(members, total)`` index groups with ``sum(members) == total``. Returns the state of
    every entry after primary and complementary suppression (deterministic)."""
    _check(values)
    for members, total in lines:
        if sum(values[i] for i in members) != values[total]:
            raise DisclosureError("A line's entries do not add up to its total.")
    state: list[State] = ["small" if rule.is_small(v) else "shown" for v in values]
    changed = True
    while changed:
        changed = False
        for members, total in lines:
            entries = [*members, total]
            if sum(state[i] != "shown" for i in entries) != 1:
                continue
            candidates = [i for i in members if state[i] == "shown" and values[i] > 0]
            pick = min(candidates, key=lambda i: (values[i], i)) if candidates else total
            if state[pick] == "shown":  # else: a withheld total over zeros, which tells nothing
                state[pick] = "withheld"
                changed = True
    return state


def _count(value: int, state: State, rule: Rule) -> Count:
    if state == "small":
        return Count(rule.small_text, None, "small")
    if state == "withheld":
        return Count(SECONDARY, None, "withheld")
    return Count(str(value), value, "shown")


def single(value: int, rule: Rule) -> Count:
    """One standalone figure (a headline count): primary suppression only."""
    _check([value])
    return _count(value, "small" if rule.is_small(value) else "shown", rule)


def series(values: Sequence[int], rule: Rule) -> Series:
    """Counts of one breakdown and their total (published or derivable)."""
    items = list(values)
    total = sum(items)
    state = protect([*items, total], [(range(len(items)), len(items))], rule)
    counts = [_count(v, s, rule) for v, s in zip([*items, total], state, strict=True)]
    return Series(tuple(counts[:-1]), counts[-1])


def table(cells: Sequence[Sequence[int]], rule: Rule) -> Table:
    """A two-way table with row totals, column totals and the grand total."""
    rows = [list(r) for r in cells]
    width = len(rows[0]) if rows else 0
    if any(len(r) != width for r in rows):
        raise DisclosureError("Every row needs the same number of cells.")
    n_rows = len(rows)
    row_totals = [sum(r) for r in rows]
    col_totals = [sum(r[j] for r in rows) for j in range(width)]
    values = [v for r in rows for v in r] + row_totals + col_totals + [sum(row_totals)]

    def cell(i: int, j: int) -> int:
        return i * width + j

    row_total = n_rows * width
    col_total = row_total + n_rows
    grand = col_total + width
    lines: list[tuple[Sequence[int], int]] = [
        ([cell(i, j) for j in range(width)], row_total + i) for i in range(n_rows)
    ]
    lines += [([cell(i, j) for i in range(n_rows)], col_total + j) for j in range(width)]
    lines.append(([row_total + i for i in range(n_rows)], grand))
    lines.append(([col_total + j for j in range(width)], grand))
    state = protect(values, lines, rule)
    counts = [_count(v, s, rule) for v, s in zip(values, state, strict=True)]
    return Table(
        cells=tuple(tuple(counts[cell(i, j)] for j in range(width)) for i in range(n_rows)),
        row_totals=tuple(counts[row_total : row_total + n_rows]),
        column_totals=tuple(counts[col_total : col_total + width]),
        total=counts[grand],
    )


def legend(rule: Rule) -> str:
    """One sentence for the reader (English; pages translate their own)."""
    return (
        f"For publication: counts from 1 to {rule.threshold - 1} are shown as "
        f"{rule.small_text}; {SECONDARY} marks a count withheld so that a small count "
        "cannot be worked out from a total."
    )
