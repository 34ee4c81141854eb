"""Statistics marked for publication: the overview page and `crimebook stats` apply the one
small-count rule (register/disclosure.py) — "<5" and complementary "*" — and say so."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client
from typer.testing import CliRunner

from crimebook.cli.app import app
from tests import factories as f

runner = CliRunner()


@pytest.fixture
def places(compartment: Any) -> None:
    when = datetime(2020, 8, 10, 19, tzinfo=UTC)
    for name, count in (("Stela", 12), ("Okrestina", 3), ("Pushkinskaya", 7)):
        for i in range(count):
            f.incident(compartment, title=f"{name} {i}", place_name=name, start=when)


def _chart(body: str, title: str) -> str:
    start = body.index(f'aria-label="{title}"')
    return body[start : body.index("</svg>", start)]


def _values(chart: str) -> list[str]:
    """The printed values of an hbar chart: the texts right after each bar."""
    return re.findall(
        r'</rect><text x="[^"]+" y="[^"]+" font-size="12" fill="[^"]+">([^<]*)<', chart
    )


@pytest.mark.django_db
def test_overview_for_publication_suppresses_small_counts_and_says_so(
    make_user: Any, compartment: Any, places: None
) -> None:
    client = Client()
    client.force_login(make_user("investigator", (compartment,)))
    # GIVEN the overview as investigators see it: exact counts
    plain = client.get("/").content.decode()
    assert _values(_chart(plain, "Incidents by place")) == ["12", "7", "3"]
    assert "For publication." not in plain
    # WHEN it is marked for publication
    page = client.get("/", {"publication": "on"})
    body = page.content.decode()
    assert page.status_code == 200
    # THEN it says so, 3 reads "<5", and 7 is withheld so that 22 − 12 − 7 cannot give 3
    assert "For publication." in body and "Overview for publication" in body
    assert _values(_chart(body, "Incidents by place")) == ["12", "*", "&lt;5"]
    assert "Okrestina: 3" not in body and "Pushkinskaya: 7" not in body
    assert "<dd>22</dd>" in body  # the total is published; the parts protect each other
    assert " checked" in body


@pytest.mark.django_db
def test_a_small_headline_figure_and_a_higher_threshold(make_user: Any, compartment: Any) -> None:
    for i in range(3):
        f.incident(compartment, title=f"T{i}", place_name="Stela")
    client = Client()
    client.force_login(make_user("investigator", (compartment,)))
    body = client.get("/", {"publication": "on"}).content.decode()
    assert "<dd>&lt;5</dd>" in body and "<dd>3</dd>" not in body
    higher = client.get("/", {"publication": "on", "threshold": "25"}).content.decode()
    assert "shown as &lt;25" in higher


@pytest.mark.django_db
def test_a_threshold_below_the_floor_is_refused_and_the_default_rule_stays(
    make_user: Any, compartment: Any, places: None
) -> None:
    client = Client()
    client.force_login(make_user("investigator", (compartment,)))
    body = client.get("/", {"publication": "on", "threshold": "2"}).content.decode()
    assert "greater than or equal to 5" in body
    assert _values(_chart(body, "Incidents by place")) == ["12", "*", "&lt;5"]


@pytest.mark.django_db
def test_cli_stats_for_publication(compartment: Any) -> None:
    for i in range(3):
        f.incident(compartment, title=f"T{i}")
    plain = runner.invoke(app, ["stats", "--json"])
    assert json.loads(plain.output)["incidents"] == 3
    result = runner.invoke(app, ["stats", "--json", "--publication"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["figures"]["incidents"] == "<5" and doc["publication"]["threshold"] == 5
    text = runner.invoke(app, ["stats", "--publication", "--threshold", "10"])
    assert "FOR PUBLICATION" in text.output and "<10" in text.output
    low = runner.invoke(app, ["stats", "--publication", "--threshold", "3"])
    assert low.exit_code != 0 and "cannot be lower than 5" in low.output
    stray = runner.invoke(app, ["stats", "--threshold", "9"])
    assert stray.exit_code != 0 and "--publication" in stray.output


@pytest.mark.django_db
def test_csv_and_svg_downloads_carry_the_same_rule(
    make_user: Any, compartment: Any, places: None
) -> None:
    client = Client()
    client.force_login(make_user("investigator", (compartment,)))
    # GIVEN the page's CSV without and with the publication mark
    plain = client.get("/", {"format": "csv"})
    assert plain["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(plain.content.decode())))
    assert ["by_place", "Okrestina", "3"] in rows and ["figures", "incidents", "22"] in rows
    published = client.get("/", {"format": "csv", "publication": "on"})
    assert "overview-for-publication.csv" in published["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(published.content.decode())))
    assert rows[0][0].startswith("# FOR PUBLICATION.")
    assert ["by_place", "Okrestina", "<5"] in rows and ["by_place", "Pushkinskaya", "*"] in rows
    assert ["by_place", "Stela", "12"] in rows
    assert not any(r[-1] in ("3", "7") for r in rows if r and r[0] == "by_place")
    # AND one chart as an SVG file
    svg = client.get("/", {"format": "svg", "chart": "by_place", "publication": "on"})
    assert svg["Content-Type"].startswith("image/svg+xml")
    assert "by_place-for-publication.svg" in svg["Content-Disposition"]
    assert _values(svg.content.decode()) == ["12", "*", "&lt;5"]
    # AND nonsense is a clear 400, not a page
    bad = client.get("/", {"format": "svg", "chart": "secrets"})
    assert bad.status_code == 400 and b"format=svg with chart=" in bad.content
    # AND the page links to the downloads with the publication mark kept
    page = client.get("/", {"publication": "on"}).content.decode()
    assert "publication=on&amp;format=csv" in page


@pytest.mark.django_db
def test_formula_like_labels_are_neutralised_in_the_csv(make_user: Any, compartment: Any) -> None:
    f.incident(compartment, title="x", place_name="=HYPERLINK(1)")
    client = Client()
    client.force_login(make_user("investigator", (compartment,)))
    rows = list(csv.reader(io.StringIO(client.get("/", {"format": "csv"}).content.decode())))
    assert ["by_place", "'=HYPERLINK(1)", "1"] in rows
