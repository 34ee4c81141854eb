"""The map's GET filters: the incident list's facets plus place, unit and which layers to
draw; the data endpoint adds the view box and the slider's day."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from crimebook.maps.grid import LAYERS, BadParameter, parse_bbox, parse_day
from crimebook.web.forms._fields import unit_choices
from crimebook.web.forms.filters import ANY, IncidentFilterForm

LAYER_LABELS = {
    "incidents": _("Incidents"),
    "detention": _("Places of detention"),
    "cameras": _("Cameras"),
    "evidence": _("Evidence positions"),
}


class _LayersForm(forms.Form):
    layers = forms.MultipleChoiceField(
        label=_("Layers"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(key, LAYER_LABELS[key]) for key in LAYERS],
    )  # fmt: skip

    def clean_layers(self) -> tuple[str, ...]:
        chosen = set(self.cleaned_data.get("layers") or ())
        return tuple(key for key in LAYERS if key in chosen) or LAYERS


class MapFilterForm(_LayersForm, IncidentFilterForm):
    place = forms.CharField(label=_("Place"), required=False, max_length=200)
    unit = forms.TypedChoiceField(
        label=_("Unit (alleged perpetrators' posts)"), required=False, coerce=int,
        empty_value=None,
    )  # fmt: skip
    field_order = [
        "q", "status", "verification", "violation_type", "date_from", "date_to", "place",
        "unit", "layers",
    ]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = unit_choices(self.user, blank=ANY)
        self.fields["unit"].choices = choices  # type: ignore[attr-defined]


BBOX_MESSAGES = {
    "format": _("Give the map box as four numbers: west,south,east,north (degrees)."),
    "finite": _("The map box's coordinates must be finite numbers."),
    "latitude": _("Latitudes of the map box must lie between -90 and 90."),
    "west_east": _(
        "The west edge of the map box must be less than the east edge "
        "(boxes across the 180th meridian are not supported)."
    ),
    "south_north": _("The south edge of the map box must be less than the north edge."),
}


class _ViewForm(forms.Form):
    """The view box and one day; ``layers`` may also be given comma-separated
    (``layers=incidents,cameras``)."""

    bbox = forms.CharField(required=False, max_length=200)
    day = forms.CharField(required=False, max_length=20)

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        if data is not None and hasattr(data, "getlist"):
            data = data.copy()
            data.setlist(
                "layers",
                [p.strip() for v in data.getlist("layers") for p in v.split(",") if p.strip()],
            )
        super().__init__(data, *args, **kwargs)

    def clean_bbox(self) -> Any:
        try:
            return parse_bbox(self.cleaned_data.get("bbox"))
        except BadParameter as exc:
            raise forms.ValidationError(BBOX_MESSAGES[exc.code], code=exc.code) from None

    def clean_day(self) -> Any:
        try:
            return parse_day(self.cleaned_data.get("day"))
        except BadParameter:
            raise forms.ValidationError(_("Give the day as YYYY-MM-DD."), code="day") from None


class MapDataForm(_ViewForm, MapFilterForm):
    """The JSON endpoint: the same filters, the view box and one day."""


class MapViewForm(_ViewForm, _LayersForm):
    """The JSON endpoint when no filter has a value (:func:`has_filters`): layers, box and
    day only, without the filters' choices to build. Its cleaned data is the
    :class:`MapDataForm`'s for the same request (an empty filter cleans to its empty value),
    and so are its errors."""


# the filters of the data endpoint, all but the layers (which MapViewForm has)
FILTER_FIELDS = tuple(name for name in MapFilterForm.base_fields if name != "layers")


def has_filters(data: Any) -> bool:
    """Whether any filter of the query string has a value (an empty value is no filter)."""
    return any(value for name in FILTER_FIELDS for value in data.getlist(name))
