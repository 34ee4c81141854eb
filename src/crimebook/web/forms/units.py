"""Forms for units and their hierarchy, posts and deployments."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from crimebook.accounts.access import writable_compartment_ids
from crimebook.register.models import Precision
from crimebook.web.forms import UserForm
from crimebook.web.forms._fields import (
    LocalDateTimeField,
    compartment_choices,
    compartment_field,
    date_field,
    float_field,
    resolve_pseudonym,
    set_choices,
    source_choices,
    term_choices,
    textarea,
    unit_choices,
)

NONE_CHOSEN = _("— none —")


def _unit_field(label: Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=label, coerce=int)


class UnitForm(UserForm):
    code = forms.CharField(
        label=_("Code"), max_length=60,
        help_text=_("Short unique identifier: letters, digits, hyphens, underscores."),
    )  # fmt: skip
    name = forms.CharField(label=_("Name"), max_length=300)
    name_ru = forms.CharField(label=_("Name (Russian)"), max_length=300, required=False)
    name_be = forms.CharField(label=_("Name (Belarusian)"), max_length=300, required=False)
    unit_type = forms.ChoiceField(label=_("Unit type"))
    valid_from = date_field(_("Existed from"))
    valid_to = date_field(_("Existed until"))
    latitude = float_field(_("Latitude"))
    longitude = float_field(_("Longitude"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "unit_type", term_choices("unit_type", blank=NONE_CHOSEN))


class UnitParentForm(UserForm):
    """Makes the unit subordinate to a parent unit for a period."""

    parent = _unit_field(_("Parent unit"))
    valid_from = date_field(_("Subordinate from"))
    valid_to = date_field(_("Subordinate until"))

    def __init__(self, *args: Any, unit_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [c for c in unit_choices(self.user, blank=NONE_CHOSEN) if c[0] != unit_id]
        set_choices(self, "parent", choices)


class PostForm(UserForm):
    person = forms.CharField(
        label=_("Person"), max_length=20, help_text=_("Pseudonym of the person holding the post.")
    )
    unit = _unit_field(_("Unit"))
    rank = forms.CharField(label=_("Rank"), max_length=120, required=False)
    position = forms.CharField(label=_("Position"), max_length=200, required=False)
    start = date_field(_("From"))
    end = date_field(_("Until"))
    is_commander = forms.BooleanField(label=_("Commands the unit"), required=False)
    source = forms.TypedChoiceField(label=_("Source"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "unit", unit_choices(self.user, blank=NONE_CHOSEN))
        writable = writable_compartment_ids(self.user)
        set_choices(
            self, "source", source_choices(self.user, compartment_ids=writable, blank=NONE_CHOSEN)
        )

    def clean_person(self) -> int | None:
        return resolve_pseudonym(self.user, self.cleaned_data["person"])


class DeploymentForm(UserForm):
    compartment = compartment_field()
    unit = _unit_field(_("Unit"))
    source = forms.TypedChoiceField(label=_("Source"), coerce=int)
    start = LocalDateTimeField(label=_("Start"), help_text=_("Local time in Minsk (Europe/Minsk)."))
    end = LocalDateTimeField(label=_("End"), help_text=_("Local time in Minsk (Europe/Minsk)."))
    precision = forms.ChoiceField(
        label=_("Precision of the time"), choices=Precision.choices, initial=Precision.RANGE
    )
    place_name = forms.CharField(label=_("Place"), max_length=300, required=False)
    latitude = float_field(_("Latitude"))
    longitude = float_field(_("Longitude"))
    radius_m = float_field(_("Uncertainty radius (m)"))
    note = textarea(_("Note"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "compartment", compartment_choices(self.user))
        set_choices(self, "unit", unit_choices(self.user, blank=NONE_CHOSEN))
        writable = writable_compartment_ids(self.user)
        set_choices(
            self, "source", source_choices(self.user, compartment_ids=writable, blank=NONE_CHOSEN)
        )
