"""The overview: headline figures, charts of incidents by day, type, place and detention
place, and personnel attrition by unit — all over the records the user may see."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crimebook.register import selectors
from crimebook.register import statistics as st
from crimebook.register.rollups import overview_for
from crimebook.web.charts import Bar, column_chart, hbar_chart
from crimebook.web.views._common import register_view, user_of

DEFAULT_DAYS = 92


class PeriodForm(forms.Form):
    """Two periods: the incidents chart and the attrition comparison."""

    date_from = forms.DateField(label=gettext_lazy("Incidents from"), required=False)
    date_to = forms.DateField(label=gettext_lazy("to"), required=False)
    staff_from = forms.DateField(label=gettext_lazy("Staffing compared from"), required=False)
    staff_to = forms.DateField(label=gettext_lazy("to"), required=False)

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


@register_view
def home(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    overview = overview_for(user)
    form, start, end, staff_start, staff_end = periods(request, overview.first_day())
    end = min(end, start + timedelta(days=st.MAX_DAYS))
    days = [
        (start + timedelta(days=i), overview.days.get(start + timedelta(days=i), 0))
        for i in range((end - start).days + 1)
    ]
    type_labels = {t.code: t.label for t in selectors.terms_of("violation_type")}
    place_labels = {t.code: t.label for t in selectors.terms_of("detention_place")}
    charts = {
        "by_day": column_chart(
            [Bar(d.strftime("%d.%m"), n, f"{d.isoformat()}: {n}") for d, n in days],
            _("Incidents per day"),
        ),
        "by_type": hbar_chart(
            [Bar(type_labels.get(code, code), n) for code, n in overview.types],
            _("Incidents by violation type"),
        ),
        "by_place": hbar_chart(
            [Bar(label, n) for label, n in overview.places[:12]], _("Incidents by place")
        ),
        "by_detention": hbar_chart(
            [Bar(place_labels.get(code, code), n) for code, n in overview.detention],
            _("Acts by place of detention"),
        ),
    }
    context = {
        "stats": overview.figures,
        "as_of": overview.as_of,
        "form": form,
        "charts": charts,
        "period": (start, end),
        "staff_period": (staff_start, staff_end),
        "attrition": st.attrition_overview(user, staff_start, staff_end),
    }
    return render(request, "web/home.html", context)


@register_view
def unit_attrition(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    unit = selectors.unit_get_for(user, pk)
    form, _start, _end, staff_start, staff_end = periods(request, st.first_incident_day(user))
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
