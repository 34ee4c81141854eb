"""The column mapping of an import (``Header in file=column``), read once for the command line
(``crimebook import --map``) and the workspace's import page (a textarea, one pair a line):
every problem is named with its line, and a mapping with any problem is refused whole."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from crimebook.interchange.formats import csvio

__all__ = ["MappingError", "parse_mapping"]


class MappingError(ValueError):
    """The mapping's problems, one message each (naming the line)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def parse_mapping(lines: Iterable[str], kind: str) -> dict[str, str]:
    """``{"Header in file": "column"}`` from ``Header=column`` lines (blank lines skipped);
    the column must be one of ``kind``'s columns, each header and each column mapped once
    (headers compared as the reader compares them: trimmed, case-insensitive)."""
    columns = [c.name for c in csvio.SCHEMAS[kind]]
    pairs: dict[str, str] = {}
    seen_headers: dict[str, int] = {}
    seen_targets: dict[str, int] = {}
    problems: list[str] = []
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text:
            continue
        source, sep, target = text.partition("=")
        source, target = source.strip(), target.strip().casefold()
        where = {"line": number, "text": text[:100]}
        if not sep or not source or not target:
            problems.append(_("Line %(line)s (%(text)s): write 'Column in file=field'.") % where)
            continue
        if target not in columns:
            problems.append(
                _(
                    "Line %(line)s: %(field)s is not a field of this kind; the fields are: %(fields)s."
                )
                % {**where, "field": target[:100], "fields": ", ".join(columns)}
            )
            continue
        folded = source.casefold()
        if folded in seen_headers:
            problems.append(
                _("Line %(line)s: the column %(column)s is already mapped on line %(first)s.")
                % {**where, "column": source[:100], "first": seen_headers[folded]}
            )
            continue
        if target in seen_targets:
            problems.append(
                _("Line %(line)s: the field %(field)s is already mapped on line %(first)s.")
                % {**where, "field": target, "first": seen_targets[target]}
            )
            continue
        seen_headers[folded], seen_targets[target] = number, number
        pairs[source] = target
    if problems:
        raise MappingError(problems)
    return pairs
