"""Forms for incidents, acts and involvements."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from crimebook.accounts.access import writable_compartment_ids
from crimebook.register.models import (
    Confidentiality,
    Incident,
    Involvement,
    MedicalGrade,
    Precision,
)
from crimebook.web.forms import UserForm
from crimebook.web.forms._fields import (
    LocalDateTimeField,
    PseudonymsField,
    compartment_choices,
    compartment_field,
    float_field,
    model_choices,
    resolve_pseudonym,
    resolve_pseudonyms,
    set_choices,
    source_choices,
    term_choices,
    textarea,
)

NONE_CHOSEN = _("— none —")


class IncidentForm(UserForm):
    compartment = compartment_field()
    title = forms.CharField(label=_("Title"), max_length=300)
    description = textarea(_("Description"))
    start = LocalDateTimeField(label=_("Start"), help_text=_("Local time in Minsk (Europe/Minsk)."))
    end = LocalDateTimeField(label=_("End"), help_text=_("Local time in Minsk (Europe/Minsk)."))
    precision = forms.ChoiceField(
        label=_("Precision of the time"), choices=Precision.choices, initial=Precision.HOUR
    )
    place_name = forms.CharField(label=_("Place"), max_length=300, required=False)
    latitude = float_field(_("Latitude"), help_text=_("Decimal degrees, WGS84."))
    longitude = float_field(_("Longitude"), help_text=_("Decimal degrees, WGS84."))
    radius_m = float_field(
        _("Uncertainty radius (m)"),
        help_text=_("How far the true place may be from the point, in metres."),
    )
    violation_types = forms.MultipleChoiceField(
        label=_("Violation types"), required=False, widget=forms.CheckboxSelectMultiple
    )
    status = forms.ChoiceField(label=_("Status"), choices=Incident.Status.choices)
    verification = forms.ChoiceField(
        label=_("Verification level"), choices=Incident.Verification.choices
    )
    confidentiality = forms.ChoiceField(
        label=_("Confidentiality"), choices=Confidentiality.choices,
        initial=Confidentiality.CONFIDENTIAL,
    )  # fmt: skip
    sources = forms.TypedMultipleChoiceField(
        label=_("Sources"), coerce=int, required=False,
        help_text=_("Sources in the incident's compartment. Hold Ctrl to choose several."),
    )  # fmt: skip
    witnesses = PseudonymsField(
        label=_("Witnesses"), required=False, max_length=2000,
        help_text=_("Pseudonyms of persons in the same compartment, separated by commas."),
    )  # fmt: skip

    fieldsets = (
        (_("Record"), ("compartment", "title", "description", "status", "verification",
                       "confidentiality")),
        (_("When"), ("start", "end", "precision")),
        (_("Where"), ("place_name", "latitude", "longitude", "radius_m")),
        (_("What and who"), ("violation_types", "sources", "witnesses")),
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "compartment", compartment_choices(self.user))
        set_choices(self, "violation_types", term_choices("violation_type"))
        set_choices(
            self, "sources",
            source_choices(self.user, compartment_ids=writable_compartment_ids(self.user)),
        )  # fmt: skip

    def clean_witnesses(self) -> tuple[int, ...]:
        return resolve_pseudonyms(self.user, self.cleaned_data["witnesses"])


class ActForm(UserForm):
    victim = forms.CharField(
        label=_("Victim"), max_length=20,
        help_text=_("Pseudonym of a person in the incident's compartment."),
    )  # fmt: skip
    act_type = forms.ChoiceField(label=_("Act type"))
    injuries = forms.MultipleChoiceField(
        label=_("Injuries"), required=False, widget=forms.CheckboxSelectMultiple
    )
    methods = forms.MultipleChoiceField(
        label=_("Methods and weapons"), required=False, widget=forms.CheckboxSelectMultiple
    )
    detention_place = forms.ChoiceField(label=_("Place of detention"), required=False)
    medical_grade = forms.ChoiceField(
        label=_("Medical findings (Istanbul Protocol grade)"), required=False
    )
    medical_findings = textarea(_("Medical findings"))
    description = textarea(_("Description"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "act_type", term_choices("act_type", blank=NONE_CHOSEN))
        set_choices(self, "injuries", term_choices("injury_type"))
        set_choices(self, "methods", term_choices("method"))
        set_choices(self, "detention_place", term_choices("detention_place", blank=NONE_CHOSEN))
        set_choices(
            self, "medical_grade", model_choices(MedicalGrade.choices, blank=_("not assessed"))
        )

    def clean_victim(self) -> int | None:
        return resolve_pseudonym(self.user, self.cleaned_data["victim"])


class InvolvementForm(UserForm):
    """Adds a graded hypothesis to an act; sources come from the act's compartment."""

    person = forms.CharField(
        label=_("Person"), max_length=20,
        help_text=_("Pseudonym of the alleged perpetrator (same compartment)."),
    )  # fmt: skip
    degree = forms.ChoiceField(label=_("Degree of involvement"), choices=Involvement.Degree.choices)
    confidence = forms.ChoiceField(
        label=_("Confidence"), choices=Involvement.Confidence.choices,
        initial=Involvement.Confidence.POSSIBLE,
    )  # fmt: skip
    basis = forms.TypedMultipleChoiceField(
        label=_("Basis (sources)"), coerce=int, required=False,
        help_text=_("The sources this hypothesis rests on. Hold Ctrl to choose several."),
    )  # fmt: skip
    basis_note = textarea(_("Basis note"))

    def __init__(self, *args: Any, compartment_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "basis", source_choices(self.user, compartment_ids=[compartment_id]))

    def clean_person(self) -> int | None:
        return resolve_pseudonym(self.user, self.cleaned_data["person"])
