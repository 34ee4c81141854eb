"""Helpers shared by the intake tests (imported as ``tests.intake._helpers``)."""

from __future__ import annotations

import re
from typing import Any

CODENAME = re.compile(r'id="codename">([^<]+)<')


def codename_of(html: str) -> str:
    found = CODENAME.search(html)
    assert found, "no codename on the page"
    return found.group(1)


def minimal_report(**extra: Any) -> dict[str, Any]:
    return {
        "what_happened": "Задержали у метро, избили дубинками в автозаке.",
        "when_kind": "part_of_day",
        "when_date": "2020-08-10",
        "when_part_of_day": "evening",
        "where": "станция метро Пушкинская",
        "location_certainty": "street",
        "violation_types": ["torture", "arbitrary_detention"],
        **extra,
    }
