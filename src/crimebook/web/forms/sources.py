"""Form for sources: kind, grading and consent per use."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from crimebook.register.models import Source
from crimebook.web.forms import UserForm
from crimebook.web.forms._fields import (
    compartment_choices,
    compartment_field,
    date_field,
    set_choices,
    textarea,
)


class SourceForm(UserForm):
    compartment = compartment_field()
    kind = forms.ChoiceField(label=_("Kind"), choices=Source.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=300)
    description = textarea(_("Description"))
    url = forms.CharField(label=_("URL"), max_length=1000, required=False, widget=forms.URLInput)
    received_on = date_field(_("Received on"))
    reliability = forms.ChoiceField(
        label=_("Reliability of the source"), choices=Source.Reliability.choices,
        initial=Source.Reliability.F,
    )  # fmt: skip
    credibility = forms.TypedChoiceField(
        label=_("Credibility of the information"), choices=Source.Credibility.choices,
        coerce=int, initial=Source.Credibility.UNKNOWN,
    )  # fmt: skip
    consent_investigation = forms.BooleanField(
        label=_("Consents to use in investigation"), required=False
    )
    consent_prosecution = forms.BooleanField(
        label=_("Consents to sharing with prosecutors"), required=False
    )
    consent_prosecution_with = forms.CharField(
        label=_("Prosecutors or mechanisms named"), max_length=300, required=False
    )
    consent_publication = forms.BooleanField(
        label=_("Consents to anonymous aggregate publication"), required=False
    )

    fieldsets = (
        (_("Record"), ("compartment", "kind", "title", "description", "url", "received_on")),
        (_("Grading"), ("reliability", "credibility")),
        (_("Consent"), ("consent_investigation", "consent_prosecution",
                        "consent_prosecution_with", "consent_publication")),
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "compartment", compartment_choices(self.user))
