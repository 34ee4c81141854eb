"""``crimebook stats``: headline figures of the whole register (system view)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated

import typer

from crimebook.cli._common import console
from crimebook.register.stats import register_stats_all


def stats(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Print counts of incidents, acts, persons, units, sources and the headline figure."""
    figures = asdict(register_stats_all())
    if as_json:
        console.print_json(json.dumps(figures))
        return
    width = max(len(k) for k in figures)
    for key, value in figures.items():
        console.print(f"{key.replace('_', ' '):<{width}}  {value:>8}")
