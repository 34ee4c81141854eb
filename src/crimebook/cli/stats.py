"""``crimebook stats``: headline figures of the whole register (system view)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated

import typer

from crimebook.cli._common import console, fail
from crimebook.register.disclosure import DisclosureError, Rule, legend, single
from crimebook.register.stats import register_stats_all


def stats(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    publication: Annotated[
        bool,
        typer.Option(help="For publication: counts below the threshold are shown as '<N'."),
    ] = False,
    threshold: Annotated[
        int | None, typer.Option(help="Publication threshold (default 5; never lower).")
    ] = None,
) -> None:
    """Print counts of incidents, acts, persons, units, sources and the headline figure."""
    if threshold is not None and not publication:
        fail("--threshold only applies with --publication")
    figures: dict[str, int | str] = dict(asdict(register_stats_all()))
    if publication:
        try:
            rule = Rule.at_least(threshold)
        except DisclosureError as exc:
            fail(f"--threshold: {exc}")
        figures = {key: single(int(value), rule).text for key, value in figures.items()}
    if as_json:
        document: dict[str, object] = {"figures": figures} if publication else dict(figures)
        if publication:
            document["publication"] = {"threshold": rule.threshold, "rule": legend(rule)}
        console.print_json(json.dumps(document))
        return
    if publication:
        console.print(f"FOR PUBLICATION — {legend(rule)}")
    width = max(len(k) for k in figures)
    for key, value in figures.items():
        console.print(f"{key.replace('_', ' '):<{width}}  {value!s:>8}")
