"""Forms of the leads pages: the queue's GET filters and the review POST."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from crimebook.leads.models import Lead
from crimebook.web.forms import UserForm
from crimebook.web.forms._fields import model_choices, set_choices, unit_choices

ANY = _("any")


class LeadFilterForm(UserForm):
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    min_score = forms.FloatField(
        label=_("Minimum score"), required=False, min_value=0.0, max_value=1.0,
        widget=forms.NumberInput(attrs={"step": "0.05"}),
    )  # fmt: skip
    incident = forms.IntegerField(label=_("Incident number"), required=False, min_value=1)
    unit = forms.TypedChoiceField(label=_("Unit"), required=False, coerce=int, empty_value=None)
    item = forms.IntegerField(label=_("Evidence item number"), required=False, min_value=1)
    communication = forms.IntegerField(label=_("Communication number"), required=False, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "kind", model_choices(Lead.Kind.choices, blank=ANY))
        set_choices(self, "status", model_choices(Lead.Status.choices, blank=ANY))
        set_choices(self, "unit", unit_choices(self.user, blank=ANY))


class ReviewForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)
    act = forms.IntegerField(label=_("Act"), required=False, min_value=1)
    next = forms.CharField(required=False, max_length=500)
