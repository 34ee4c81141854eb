"""Triage forms: reply, mark, and the conversion into register records."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from crimebook.accounts.access import writable_compartment_ids
from crimebook.accounts.models import Compartment
from crimebook.register.models import Term
from crimebook.register.models.common import Precision


def _terms(vocabulary: str) -> list[tuple[str, str]]:
    return [
        (t.code, t.label)
        for t in Term.objects.filter(vocabulary__code=vocabulary, retired_in="").order_by("code")
    ]


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Reply to the source"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 4})
    )


class MarkForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Mark as"),
        choices=[("spam", _("spam or fake")), ("duplicate", _("duplicate")), ("opened", _("open"))],
    )
    duplicate_of = forms.UUIDField(label=_("Duplicate of (submission id)"), required=False)


class ConvertForm(forms.Form):
    compartment = forms.TypedChoiceField(label=_("Compartment"), coerce=int)
    title = forms.CharField(label=_("Incident title"), max_length=300)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    start = forms.DateTimeField(label=_("Start (UTC)"), required=False)
    end = forms.DateTimeField(label=_("End (UTC)"), required=False)
    precision = forms.ChoiceField(label=_("Precision"), choices=Precision.choices)
    place_name = forms.CharField(label=_("Place"), max_length=300, required=False)
    latitude = forms.FloatField(label=_("Latitude"), required=False)
    longitude = forms.FloatField(label=_("Longitude"), required=False)
    radius_m = forms.FloatField(label=_("Uncertainty radius (m)"), required=False)
    violation_types = forms.MultipleChoiceField(
        label=_("Violation types"), required=False, widget=forms.CheckboxSelectMultiple
    )
    create_victim = forms.BooleanField(label=_("Create a victim record"), required=False)
    victim_name = forms.CharField(
        label=_("Victim's name (encrypted; only if the source gave it)"),
        required=False,
        max_length=300,
    )
    act_types = forms.MultipleChoiceField(
        label=_("Acts against the victim"), required=False, widget=forms.CheckboxSelectMultiple
    )
    injuries = forms.MultipleChoiceField(
        label=_("Injuries"), required=False, widget=forms.CheckboxSelectMultiple
    )
    detention_place = forms.ChoiceField(label=_("Place of detention"), required=False)
    consent_investigation = forms.BooleanField(label=_("consent: investigation"), required=False)
    consent_prosecution = forms.BooleanField(
        label=_("consent: sharing with prosecutors"), required=False
    )
    consent_publication = forms.BooleanField(
        label=_("consent: anonymous aggregate publication"), required=False
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = writable_compartment_ids(user)
        self.fields["compartment"].choices = [  # type: ignore[attr-defined]
            (c.pk, c.name) for c in Compartment.objects.filter(pk__in=ids)
        ]
        self.fields["violation_types"].choices = _terms("violation_type")  # type: ignore[attr-defined]
        self.fields["act_types"].choices = _terms("act_type")  # type: ignore[attr-defined]
        self.fields["injuries"].choices = _terms("injury_type")  # type: ignore[attr-defined]
        self.fields["detention_place"].choices = [("", "—"), *_terms("detention_place")]  # type: ignore[attr-defined]


class VaultForm(forms.Form):
    """Move a submission's attachments into the evidence vault, in a compartment the
    reviewer may write to."""

    compartment = forms.TypedChoiceField(label=_("Evidence compartment"), coerce=int)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = writable_compartment_ids(user)
        self.fields["compartment"].choices = [  # type: ignore[attr-defined]
            (c.pk, c.name) for c in Compartment.objects.filter(pk__in=ids).order_by("name")
        ]
