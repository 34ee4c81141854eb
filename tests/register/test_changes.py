"""Which incidents register audit entries name (shared by the map index and the overview)."""

from __future__ import annotations

from crimebook.register.changes import incidents_named


def test_ids_ranges_and_an_import_summary() -> None:
    entries = [
        ("12", {"title": ["a", "b"]}, "update"),
        ("3..7", {"ids": [[3, 5], [7, 7]]}, "import"),
        ("*", {"created": 4}, "import"),  # the summary: its rows are named above
        ("12", {}, "create"),
    ]
    assert incidents_named(entries) == ([12], [(3, 5), (7, 7)])


def test_an_entry_that_names_nothing_readable_is_none() -> None:
    assert incidents_named([("3..7", {}, "import")]) is None
    assert incidents_named([("3..7", {"ids": [[3, "7"]]}, "import")]) is None
    assert incidents_named([("3..7", "not a mapping", "import")]) is None
