"""The overview: headline figures, charts of incidents by day, type, place and detention
place, and personnel attrition by unit — all over the records the user may see."""

from __future__ import annotations

import csv
from dataclasses import asdict
from datetime import date, timedelta
from functools import lru_cache

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from crimebook.interchange.formats.csvio import neutralise
from crimebook.register import selectors
from crimebook.register import statistics as st
from crimebook.register.disclosure import (
    DEFAULT_THRESHOLD,
    MAX_THRESHOLD,
    Rule,
    legend,
    protect,
    series,
    single,
)
from crimebook.register.rollups import overview_for
from crimebook.web import refdata
from crimebook.web.charts import Bar, column_chart, hbar_chart
from crimebook.web.views._common import register_view, user_of

DEFAULT_DAYS = 92


PERIOD_FIELDS = ("date_from", "date_to", "staff_from", "staff_to")


class PeriodForm(forms.Form):
    """Two periods: the incidents chart and the attrition comparison."""

    date_from = forms.DateField(label=gettext_lazy("Incidents from"), required=False)
    date_to = forms.DateField(label=gettext_lazy("to"), required=False)
    staff_from = forms.DateField(label=gettext_lazy("Staffing compared from"), required=False)
    staff_to = forms.DateField(label=gettext_lazy("to"), required=False)
    publication = forms.BooleanField(label=gettext_lazy("For publication"), required=False)
    threshold = forms.IntegerField(
        label=gettext_lazy("Suppress counts below"),
        required=False,
        min_value=DEFAULT_THRESHOLD,
        max_value=MAX_THRESHOLD,
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        for a, b in (("date_from", "date_to"), ("staff_from", "staff_to")):
            if data.get(a) and data.get(b) and data[b] < data[a]:
                self.add_error(b, _("The end comes before the start."))
        return data


def periods(request: HttpRequest, first: date | None) -> tuple[PeriodForm, date, date, date, date]:
    """The form and the four dates, with defaults from the data when a field is empty or wrong."""
    form = PeriodForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    base = first or date.today()
    start = data.get("date_from") or base
    end = data.get("date_to") or start + timedelta(days=DEFAULT_DAYS - 1)
    staff_start = data.get("staff_from") or base.replace(day=1)
    staff_end = data.get("staff_to") or staff_start + timedelta(days=DEFAULT_DAYS)
    return form, start, end, staff_start, staff_end


def publication_rule(form: PeriodForm) -> Rule | None:
    """The small-count rule when the page is marked for publication (None otherwise). An
    invalid threshold keeps the default rule, never none: the form shows the error."""
    if not (form.is_bound and form.data.get("publication")):
        return None
    threshold = form.cleaned_data.get("threshold") if form.is_valid() else None
    return Rule.at_least(threshold)


def _bars(
    pairs: list[tuple[str, int]], rule: Rule | None, titles: list[str] | None = None
) -> list[Bar]:
    """Chart bars; for publication every series goes through the rule (a withheld bar is
    drawn empty and labelled "<5" or "*")."""
    if rule is None:
        return [Bar(label, n, titles[i] if titles else "") for i, (label, n) in enumerate(pairs)]
    shown = series([n for _, n in pairs], rule).items
    return [
        Bar(label, c.value or 0, f"{titles[i] if titles else label}: {c.text}", c.text)
        for i, ((label, _n), c) in enumerate(zip(pairs, shown, strict=True))
    ]


def _attrition_row(row: st.UnitAttrition, rule: Rule) -> dict[str, object]:
    """Headcounts, change and percentage of one unit for publication: start = end + lost
    is one line of the rule; the percentage goes when the change or the start does."""
    d = row.decline
    if d is None:
        return {"row": row, "decline": None}
    lost = d.start.headcount - d.end.headcount
    small, big = (
        (d.end.headcount, d.start.headcount) if lost >= 0 else (d.start.headcount, d.end.headcount)
    )
    states = protect([small, abs(lost), big], [([0, 1], 2)], rule)
    texts = [
        single(v, rule).text if s == "small" else ("*" if s == "withheld" else str(v))
        for v, s in zip([small, abs(lost), big], states, strict=True)
    ]
    end_text, start_text = (texts[0], texts[2]) if lost >= 0 else (texts[2], texts[0])
    hidden = states[1] != "shown" or states[2] != "shown" or states[0] != "shown"
    return {
        "row": row,
        "decline": d,
        "start": start_text,
        "end": end_text,
        "lost": texts[1] if lost >= 0 else f"+{texts[1]}",
        "percent": None if hidden else f"{d.percent:.1f}",
    }


CHARTS = ("by_day", "by_type", "by_place", "by_detention")


@lru_cache(maxsize=32)
def _drawn(
    start: date,
    day_counts: tuple[int, ...],
    types: tuple[tuple[str, int], ...],
    places: tuple[tuple[str, int], ...],
    detention: tuple[tuple[str, int], ...],
    rule: Rule | None,
    language: str | None,
) -> tuple[dict[str, list[Bar]], dict[str, SafeString]]:
    """The bars and the four charts: a pure function of its arguments (labelled series, the
    rule, the language of the titles), kept for the last few — overviews of the same
    compartments between two writes draw the same charts. Callers must not change them."""
    days = [start + timedelta(days=i) for i in range(len(day_counts))]
    bars = {
        "by_day": _bars(
            [(d.strftime("%d.%m"), n) for d, n in zip(days, day_counts, strict=True)],
            rule,
            [
                f"{d.isoformat()}: {n}" if rule is None else d.isoformat()
                for d, n in zip(days, day_counts, strict=True)
            ],
        ),
        "by_type": _bars(list(types), rule),
        "by_place": _bars(list(places), rule),
        "by_detention": _bars(list(detention), rule),
    }
    titles = {
        "by_day": _("Incidents per day"),
        "by_type": _("Incidents by violation type"),
        "by_place": _("Incidents by place"),
        "by_detention": _("Acts by place of detention"),
    }
    charts = {
        name: (column_chart if name == "by_day" else hbar_chart)(bars[name], titles[name])
        for name in CHARTS
    }
    return bars, charts


@register_view
def home(request: HttpRequest) -> HttpResponse:
    """The overview page; ``?format=csv`` downloads its figures and series, and
    ``?format=svg&chart=<name>`` one chart — the same numbers, under the same rule when
    marked for publication."""
    user = user_of(request)
    fmt = request.GET.get("format", "html")
    chart_name = request.GET.get("chart", "")
    if fmt not in ("html", "csv", "svg") or (fmt == "svg" and chart_name not in CHARTS):
        return HttpResponseBadRequest(
            _("Unknown format or chart: use format=csv, or format=svg with chart=%(charts)s.")
            % {"charts": ", ".join(CHARTS)},
            content_type="text/plain; charset=utf-8",
        )
    overview = overview_for(user)
    form, start, end, staff_start, staff_end = periods(request, overview.first_day())
    # a wrong period (unreadable, the end before the start) shows its error and none of its
    # figures — never the default period's figures beside the error
    wrong = {name for name in form.errors if name in PERIOD_FIELDS}
    days_wrong = bool(wrong & {"date_from", "date_to"})
    staff_wrong = bool(wrong & {"staff_from", "staff_to"})
    if days_wrong and (fmt == "csv" or (fmt == "svg" and chart_name == "by_day")):
        problems = " ".join(  # the dates' own messages ("The end comes before the start.")
            dict.fromkeys(str(e) for name in PERIOD_FIELDS[:2] for e in form.errors.get(name, []))
        )
        return HttpResponseBadRequest(
            _("Correct the dates to see the figures.") + " " + problems,
            content_type="text/plain; charset=utf-8",
        )
    rule = publication_rule(form)
    end = min(end, start + timedelta(days=st.MAX_DAYS))
    days = [
        (start + timedelta(days=i), overview.days.get(start + timedelta(days=i), 0))
        for i in range((end - start).days + 1)
    ]
    type_labels = refdata.term_labels("violation_type")
    place_labels = refdata.term_labels("detention_place")
    bars, charts = _drawn(
        start,
        tuple(n for _d, n in days),
        tuple((type_labels.get(code, code), n) for code, n in overview.types),
        tuple((place, n) for place, n in overview.places[:12]),
        tuple((place_labels.get(code, code), n) for code, n in overview.detention),
        rule,
        get_language(),
    )
    figures: dict[str, str] = {k: str(v) for k, v in asdict(overview.figures).items()}
    if rule is not None:
        figures = {k: single(int(v), rule).text for k, v in asdict(overview.figures).items()}
    suffix = "-for-publication" if rule is not None else ""
    if fmt == "csv":
        day_labels = [d.isoformat() for d, _n in days]
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="overview{suffix}.csv"'
        _write_csv(response, figures, bars, day_labels, rule)
        return response
    if fmt == "svg":
        response = HttpResponse(
            '<?xml version="1.0" encoding="UTF-8"?>\n' + charts[chart_name],
            content_type="image/svg+xml; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{chart_name}{suffix}.svg"'
        return response
    attrition = [] if staff_wrong else st.attrition_overview(user, staff_start, staff_end)
    query = request.GET.copy()
    query.pop("format", None)
    query.pop("chart", None)
    context = {
        "stats": figures if rule is not None else overview.figures,
        "publication": rule,
        "publication_floor": DEFAULT_THRESHOLD,
        "as_of": overview.as_of,
        "form": form,
        "charts": charts,
        # the page's own query before a download's "format=…" (escaped by the template)
        "query_prefix": f"{encoded}&" if (encoded := query.urlencode()) else "",
        "period": None if days_wrong else (start, end),
        "staff_period": None if staff_wrong else (staff_start, staff_end),
        "attrition": attrition,
        "attrition_published": [_attrition_row(r, rule) for r in attrition] if rule else None,
    }
    return render(request, "web/home.html", context)


def _write_csv(
    out: HttpResponse,
    figures: dict[str, str],
    bars: dict[str, list[Bar]],
    day_labels: list[str],
    rule: Rule | None,
) -> None:
    """``table,label,count`` rows (formula-safe), a ``#`` line first when for publication."""
    writer = csv.writer(out, lineterminator="\r\n")
    if rule is not None:
        writer.writerow(["# FOR PUBLICATION. " + legend(rule)])
    writer.writerow(["table", "label", "count"])
    for key, text in figures.items():
        writer.writerow(["figures", key, text])
    for name in CHARTS:
        labels = day_labels if name == "by_day" else [b.label for b in bars[name]]
        for label, bar in zip(labels, bars[name], strict=True):
            writer.writerow([name, neutralise(label), bar.text])


@register_view
def unit_attrition(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    unit = selectors.unit_get_for(user, pk)
    form, _start, _end, staff_start, staff_end = periods(request, st.first_incident_day(user))
    if form.is_bound and not form.is_valid():
        # wrong dates (e.g. the end before the start): the form with its errors and no
        # figures — never the default period's figures next to the error
        return render(
            request,
            "web/units/attrition.html",
            {"unit": unit, "data": None, "charts": {}, "form": form, "staff_period": None},
        )
    data = st.unit_attrition(user, unit, staff_start, staff_end)
    charts = {
        "headcount": column_chart(
            [
                Bar(h.on.strftime("%m.%Y"), h.headcount, f"{h.on}: {h.headcount} ({h.source})")
                for h in sorted(data.series, key=lambda h: h.on)
            ],
            _("Headcount as reported"),
        ),
        "dismissals": column_chart(
            [Bar(m.strftime("%m.%Y"), n) for m, n in data.dismissals_monthly],
            _("Dismissals reported per month"),
        ),
    }
    return render(
        request,
        "web/units/attrition.html",
        {
            "unit": unit,
            "data": data,
            "charts": charts,
            "form": form,
            "staff_period": (staff_start, staff_end),
        },
    )
