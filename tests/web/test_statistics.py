"""Overview charts and personnel attrition: figures as reported, per compartment, and the
demo reproduces the order of decline the article reports."""

from __future__ import annotations

import html
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils.html import escape as django_escape
from hypothesis import given
from hypothesis import strategies as hst

from crimebook.demo.load import DEMO_COMPARTMENT, demo_load
from crimebook.register import statistics as st
from crimebook.register.attrition import (
    Headcount,
    decline_between,
    dismissals_by_month,
    latest_on_or_before,
    suppress_small,
)
from crimebook.register.models import Unit
from crimebook.web import charts
from crimebook.web.charts import Bar, column_chart, hbar_chart

SERIES = [
    Headcount(date(2020, 7, 1), 600, "A"),
    Headcount(date(2020, 8, 1), 600, "B"),
    Headcount(date(2020, 11, 1), 426, "C"),
]


def test_decline_uses_the_records_standing_on_each_date() -> None:
    d = decline_between(SERIES, date(2020, 8, 15), date(2020, 11, 20))
    assert d is not None
    assert (d.start.headcount, d.end.headcount, d.lost) == (600, 426, 174)
    assert round(d.percent, 1) == 29.0
    assert d.sources == ("B", "C")
    assert decline_between(SERIES, date(2020, 11, 20), date(2020, 8, 15)) == d  # order-proof
    assert decline_between(SERIES, date(2019, 1, 1), date(2020, 8, 1)) is None  # nothing then
    assert latest_on_or_before(SERIES, date(2020, 6, 30)) is None


def test_dismissals_by_month_and_small_count_suppression() -> None:
    months = dismissals_by_month(
        [(date(2020, 8, 30), 3), (date(2020, 8, 2), 2), (date(2020, 9, 1), 1)]
    )
    assert months == [(date(2020, 8, 1), 5), (date(2020, 9, 1), 1)]
    assert [suppress_small(n) for n in (0, 1, 4, 5, 120)] == ["0", "<5", "<5", "5", "120"]


def test_charts_escape_labels_and_use_no_inline_css() -> None:
    svg = hbar_chart([Bar("<script>alert(1)</script>", 3), Bar("Stela", 7)], "by place")
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert "style=" not in svg
    cols = column_chart([Bar("09.08", 0), Bar("10.08", 12)], "per day")
    assert cols.count("<rect") == 2
    assert 'aria-label="per day"' in cols


@pytest.mark.django_db
def test_demo_attrition_is_of_the_order_the_article_reports(make_user: Any) -> None:
    demo_load(scale=0.05)
    from crimebook.accounts.models import Compartment

    user = make_user("analyst", (Compartment.objects.get(name=DEMO_COMPARTMENT),))
    rows = {
        a.unit.code: a for a in st.attrition_overview(user, date(2020, 8, 1), date(2020, 11, 1))
    }
    guvd = next(a for code, a in rows.items() if "guvd" in code)
    central = next(a for code, a in rows.items() if "central" in code)
    assert guvd.decline is not None
    assert central.decline is not None
    assert 16 <= guvd.decline.percent <= 20
    assert 27 <= central.decline.percent <= 31
    client = Client()
    client.force_login(user)
    page = client.get("/")
    assert page.status_code == 200
    assert b"<svg" in page.content
    assert b"29.0 %" in page.content or b"29,0 %" in page.content
    unit_page = client.get(f"/units/{central.unit.pk}/attrition/")
    assert unit_page.status_code == 200
    assert b"Staffing records as received" in unit_page.content


@pytest.mark.django_db
def test_statistics_count_only_visible_records(
    compartment: Any, other_compartment: Any, make_user: Any
) -> None:
    from tests import factories as f

    investigator = make_user("investigator", (compartment,))
    mallory = make_user("investigator", (other_compartment,))

    f.incident(compartment, place_name="Secret square")
    assert st.incidents_by_place(investigator) == [("Secret square", 1)]
    assert st.incidents_by_place(mallory) == []
    client = Client()
    client.force_login(mallory)
    assert b"Secret square" not in client.get("/").content


@pytest.mark.django_db
def test_bad_period_shows_an_error_and_keeps_working(make_user: Any) -> None:
    investigator = make_user("investigator")
    client = Client()
    client.force_login(investigator)
    page = client.get(
        "/", {"date_from": "2020-09-01", "date_to": "2020-08-01", "staff_from": "nonsense"}
    )
    assert page.status_code == 200
    assert b"The end comes before the start." in page.content
    assert Unit.objects.count() == 0


@pytest.mark.django_db
def test_incident_timeline_per_day_and_hour_with_filters(compartment: Any, make_user: Any) -> None:
    from datetime import UTC, datetime

    from tests import factories as f

    user = make_user("read_only", (compartment,))
    for hour in (18, 18, 21):  # UTC; Minsk is UTC+3
        f.incident(compartment, title=f"Okrestina {hour}", place_name="Okrestina",
                   start=datetime(2020, 8, 11, hour, tzinfo=UTC), end=datetime(2020, 8, 11, hour, 30, tzinfo=UTC))  # fmt: skip
    f.incident(compartment, title="Elsewhere", place_name="Stela",
               start=datetime(2020, 8, 12, 10, tzinfo=UTC), end=datetime(2020, 8, 12, 11, tzinfo=UTC))  # fmt: skip
    client = Client()
    client.force_login(user)
    page = client.get("/incidents/", {"view": "timeline", "by": "hour", "q": "Okrestina"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "11.08 21:00: 2" in body  # two incidents in the 21:00 hour, Minsk time
    assert "11.08 00:00: 1" not in body
    assert "Elsewhere" not in body
    assert body.index("Okrestina 18") < body.index("Okrestina 21")
    by_day = client.get("/incidents/", {"view": "timeline"}).content.decode()
    assert "11.08.2020: 2" in by_day  # 18:00 UTC twice = 21:00 in Minsk
    assert "12.08.2020: 2" in by_day  # 21:00 UTC is already the 12th in Minsk
    bad = client.get("/incidents/", {"view": "timeline", "date_from": "not a date"})
    assert bad.status_code == 200
    assert "chronology" not in bad.content.decode()


@pytest.mark.django_db
def test_timeline_says_when_it_shows_days_instead_of_the_hours_asked_for(
    compartment: Any, make_user: Any
) -> None:
    from datetime import UTC, datetime

    from tests import factories as f

    # GIVEN incidents two months apart: too many hours to draw one column each
    user = make_user("read_only", (compartment,))
    for month in (8, 10):
        f.incident(compartment, title=f"Okrestina {month}", place_name="Okrestina",
                   start=datetime(2020, month, 11, 18, tzinfo=UTC),
                   end=datetime(2020, month, 11, 19, tzinfo=UTC))  # fmt: skip
    client = Client()
    client.force_login(user)
    # WHEN the reader asks for the timeline per hour
    body = client.get("/incidents/", {"view": "timeline", "by": "hour"}).content.decode()
    # THEN it is drawn per day, and the page says so (and how to get hours)
    assert "11.08.2020: 1" in body and "11.10.2020: 1" in body
    assert "too long to show hour by hour" in body
    # AND a period short enough is drawn per hour, without the note
    short = client.get(
        "/incidents/", {"view": "timeline", "by": "hour", "date_to": "2020-09-01"}
    ).content.decode()
    assert "11.08 21:00: 1" in short and "too long to show hour by hour" not in short


@pytest.mark.django_db
def test_incident_page_lists_its_evidence(
    compartment: Any, other_compartment: Any, make_user: Any, tmp_path: Any, settings: Any
) -> None:
    import io

    from crimebook.evidence.models import EvidenceItem
    from crimebook.evidence.services import evidence_ingest_stream, evidence_link
    from tests import factories as f
    from tests.evidence.helpers import jpeg_bytes, use_vault

    use_vault(tmp_path, settings)
    user = make_user("investigator", (compartment,))
    incident = f.incident(compartment)
    result = evidence_ingest_stream(
        actor=None,
        compartment_id=compartment.pk,
        name="photo-at-stela.jpg",
        stream=io.BytesIO(jpeg_bytes()),
    )
    item = EvidenceItem.objects.get(pk=result.item_id)
    client = Client()
    client.force_login(user)
    assert b"No evidence linked." in client.get(f"/incidents/{incident.pk}/").content
    evidence_link(actor=user, item=item, kind="incident", target_id=incident.pk)
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert "photo-at-stela.jpg" in page
    assert f"/evidence/{item.pk}/" in page


@pytest.mark.django_db
def test_attrition_overview_names_units_and_sources_as_the_records_do(make_user: Any) -> None:
    demo_load(scale=0.05)
    from crimebook.accounts.models import Compartment
    from crimebook.register import selectors

    user = make_user("analyst", (Compartment.objects.get(name=DEMO_COMPARTMENT),))
    rows = st.attrition_overview(user, date(2020, 8, 1), date(2020, 11, 1))
    records = list(selectors.staffing_for(user))
    assert rows and {a.unit for a in rows} == {r.unit for r in records}
    expected = {
        (r.unit_id, r.on, r.headcount, f"{r.source.title} ({r.source.grade})") for r in records
    }
    got = {(a.unit.pk, h.on, h.headcount, h.source) for a in rows for h in a.series}
    assert got == expected


@given(hst.text())
def test_chart_text_is_escaped_as_django_escapes_it(text: str) -> None:
    assert charts.escape(text) == str(django_escape(text))
    assert f"<title>{django_escape(text)}</title>" in hbar_chart([Bar(text, 1)], text)


def test_attrition_compiled_once_reads_what_the_selector_reads(
    world: Any, investigator: Any, outsider: Any
) -> None:
    """The overview's staffing read is compiled once per set of readable compartments: it
    runs the selector's own SQL, and other compartments get their own statement."""
    expected = list(st._staffing_query(investigator))
    assert expected
    for _ in range(2):  # compiled, then the compiled statement again
        assert st._staffing_rows(investigator) == expected
    assert st._staffing_query(investigator).query.sql_with_params() in st._STAFFING_SQL.values()
    assert st._staffing_rows(outsider) == list(st._staffing_query(outsider)) == []


# the overview's period fields as the template's loop over the form wrote them
_PERIOD_LOOP = (
    "{% for field in form %}"
    '{% if field.name != "publication" and field.name != "threshold" %}'
    '<p><label for="{{ field.id_for_label }}">{{ field.label }}</label><input type="date" '
    'name="{{ field.html_name }}" id="{{ field.id_for_label }}" '
    "value=\"{{ field.value|default_if_none:'' }}\">{{ field.errors }}</p>"
    "{% endif %}{% endfor %}"
)


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"date_from": "2020-08-09", "date_to": "2020-08-21"},
        {"date_from": "2020-08-21", "date_to": "2020-08-09", "staff_from": '"><script>'},
    ],
)
def test_date_inputs_write_what_the_template_loop_wrote(data: dict[str, str] | None) -> None:
    from django.template import engines

    from crimebook.web.templatetags.crimebook_web import date_inputs
    from crimebook.web.views.home import PeriodForm

    form = PeriodForm(data)
    if data:
        form.is_valid()
    expected = engines["django"].from_string(_PERIOD_LOOP).render({"form": form})
    assert date_inputs(form, "date_from", "date_to", "staff_from", "staff_to") == expected


def test_overview_charts_are_kept_per_input_labels_and_language() -> None:
    from django.utils import translation

    from crimebook.web.views.home import _drawn

    args = (date(2020, 8, 9), (1, 2), (("Torture", 1),), (("Okrestina", 3),), (), None)
    with translation.override("en"):  # not whatever an earlier test left active
        first = _drawn(*args, "en")
        assert _drawn(*args, "en") is first  # kept
        title = "Incidents by violation type"
        assert first[1]["by_type"] == hbar_chart([Bar("Torture", 1)], title)
        renamed = _drawn(args[0], args[1], (("Пытки", 1),), *args[3:], "en")
    assert "Пытки" in renamed[1]["by_type"] and "Torture" not in renamed[1]["by_type"]
    with translation.override("ru"):
        russian = _drawn(*args, "ru")
        assert russian is not first
        assert translation.gettext("Incidents per day") in russian[1]["by_day"]


DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
LONG_LABELS = [
    "Жестокое, бесчеловечное или унижающее достоинство обращение",
    "Жорсткае, бесчалавечнае або такое, што зневажае годнасць, абыходжанне",
    "Cruel, inhuman or degrading treatment",
    "ШУМ ЩИТ ЖЮРИ ФЫШ ШШШ ЩЩЩ ЖЖЖ ЮЮЮ ШШШ ЩЩЩ ЖЖЖ ЮЮЮ",
    "Офицерское общежитие Министерства внутренних дел на ул. Окрестина",
    "Offender Isolation Centre of the Minsk GUVD (TsIP, Okrestina)",
    "mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm",
]


@pytest.mark.skipif(not DEJAVU.exists(), reason="needs Debian's fonts-dejavu-core")
def test_bar_labels_fit_left_of_the_bars_in_every_script() -> None:
    # GIVEN long category labels in Russian, Belarusian and English, and the widest common
    # sans-serif face a browser falls back to (DejaVu Sans, 12 px as the chart sets it)
    from PIL import ImageFont

    font = ImageFont.truetype(str(DEJAVU), 12)
    # WHEN they are drawn as a bar chart
    svg = hbar_chart([Bar(label, 3) for label in [*LONG_LABELS, "Пытки", "Torture"]], "x")
    shown = re.findall(r'text-anchor="end"[^>]*>([^<]*)</text>', svg)
    # THEN every label ends inside the chart (right-aligned at x=244, so it must not be wider)
    assert len(shown) == len(LONG_LABELS) + 2
    for text in shown:
        assert font.getlength(html.unescape(text)) <= 244, text
    # AND short labels are whole, long ones cut with an ellipsis after a real prefix
    assert shown[-2:] == ["Пытки", "Torture"]
    assert shown[0].startswith("Жестокое, бесчеловечное") and shown[0].endswith("…")
