"""Forms of the evidence pages (they only parse input; services validate)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from crimebook.evidence.models import Communication, EvidenceItem
from crimebook.web.forms import UserForm
from crimebook.web.forms._fields import (
    compartment_choices,
    compartment_field,
    date_field,
    date_range_problem,
    float_field,
    model_choices,
    set_choices,
    source_choices,
)

ANY = _("any")


class NearPlaceFilter(forms.Form):
    """The "near a place" filter of a list (latitude, longitude, distance in km; all three or
    none). Its fields are declared here but shown last, after the form's own fields (Django
    puts a base class's fields first), so each form keeps the order it had."""

    PLACE_FIELDS = ("near_lat", "near_lon", "within_km")

    near_lat = float_field(_("Near latitude"), min_value=-90, max_value=90)
    near_lon = float_field(_("Near longitude"), min_value=-180, max_value=180)
    within_km = float_field(_("Within (km)"), min_value=0.001, max_value=20000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.PLACE_FIELDS:
            self.fields[name] = self.fields.pop(name)

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        place = [data.get(n) for n in self.PLACE_FIELDS]
        if any(v is not None for v in place) and any(v is None for v in place):
            self.add_error("within_km", _("Give latitude, longitude and distance together."))
        return data


class EvidenceFilterForm(NearPlaceFilter, UserForm):
    q = forms.CharField(
        label=_("File name"), required=False, max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )  # fmt: skip
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    date_from = date_field(_("Captured from"))
    date_to = date_field(_("Captured until"))
    near = forms.IntegerField(label=_("Near-duplicates of item #"), required=False, min_value=1)
    source = forms.TypedChoiceField(label=_("Source"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "kind", model_choices(EvidenceItem.Kind.choices, blank=ANY))
        set_choices(self, "status", model_choices(EvidenceItem.Status.choices, blank=ANY))
        set_choices(self, "source", source_choices(self.user, blank=ANY))

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        if date_range_problem(data.get("date_from"), data.get("date_to")):
            self.add_error("date_to", _("The end date is before the start date."))
        return data


class EvidenceUploadForm(UserForm):
    compartment = compartment_field()
    source = forms.TypedChoiceField(label=_("Source"), required=False, coerce=int, empty_value=None)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "compartment", compartment_choices(self.user))
        set_choices(self, "source", source_choices(self.user, blank=_("none")))


class EvidenceLinkForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("incident", _("incident")), ("act", _("act"))]
    )
    target = forms.IntegerField(label=_("Record number"), min_value=1)


class CommunicationFilterForm(NearPlaceFilter, UserForm):
    q = forms.CharField(
        label=_("Party, place or record id"), required=False, max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )  # fmt: skip
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    date_from = date_field(_("From"))
    date_to = date_field(_("Until"))
    source = forms.TypedChoiceField(label=_("Source"), required=False, coerce=int, empty_value=None)
    item = forms.IntegerField(label=_("Held in evidence item #"), required=False, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "kind", model_choices(Communication.Kind.choices, blank=ANY))
        set_choices(self, "source", source_choices(self.user, blank=ANY))

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        if date_range_problem(data.get("date_from"), data.get("date_to")):
            self.add_error("date_to", _("The end date is before the start date."))
        return data
