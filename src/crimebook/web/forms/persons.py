"""Forms for persons: roles, optional identity, and the reason for revealing it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from crimebook.web.forms import UserForm
from crimebook.web.forms._fields import (
    compartment_choices,
    compartment_field,
    date_field,
    set_choices,
    textarea,
)

IDENTITY_FIELDS = ("full_name", "birth_date", "contacts", "identifiers")
_NO_AUTOFILL = {"autocomplete": "off"}


class PersonForm(UserForm):
    compartment = compartment_field()
    is_victim = forms.BooleanField(label=_("Victim"), required=False)
    is_witness = forms.BooleanField(label=_("Witness"), required=False)
    is_insider = forms.BooleanField(label=_("Insider"), required=False)
    is_perpetrator = forms.BooleanField(label=_("Alleged perpetrator"), required=False)
    full_name = forms.CharField(
        label=_("Full name"), required=False, max_length=500,
        widget=forms.TextInput(attrs=_NO_AUTOFILL),
    )  # fmt: skip
    birth_date = date_field(_("Birth date"))
    contacts = textarea(
        _("Contacts"), help_text=_("One per line: phone, e-mail, messenger handle.")
    )
    identifiers = textarea(
        _("Identifiers"), help_text=_("One per line: passport number, personal number, badge.")
    )

    fieldsets = (
        (_("Record"), ("compartment",)),
        (_("Roles"), ("is_victim", "is_witness", "is_insider", "is_perpetrator")),
        (_("Identity (encrypted)"), IDENTITY_FIELDS),
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.editing = editing
        set_choices(self, "compartment", compartment_choices(self.user))
        for name in ("contacts", "identifiers"):
            self.fields[name].widget.attrs.update(_NO_AUTOFILL)

    def identity_given(self) -> bool:
        """Whether any identity field was filled (on edit, blank means keep as stored)."""
        return any(self.cleaned_data.get(name) for name in IDENTITY_FIELDS)


class RevealForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for revealing this identity"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "off"}),
        help_text=_("Recorded in the audit log with your name."),
    )
