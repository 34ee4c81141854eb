"""GET filter forms of the list pages. Every field is optional; an invalid value makes
the form invalid and the list page shows the error and no results."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from crimebook.register.models import Incident, MedicalGrade, Source
from crimebook.web.forms import UserForm
from crimebook.web.forms._fields import (
    date_field,
    date_range_problem,
    model_choices,
    set_choices,
    term_choices,
    unit_choices,
)

ANY = _("any")
PERSON_ROLES = [
    ("victim", _("victim")),
    ("witness", _("witness")),
    ("insider", _("insider")),
    ("perpetrator", _("alleged perpetrator")),
]


def _search(label: Any = None) -> forms.CharField:
    return forms.CharField(
        label=label or _("Search"), required=False, max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )  # fmt: skip


class _DateRangeMixin(forms.Form):
    date_from = date_field(_("From date"))
    date_to = date_field(_("To date"))

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        if date_range_problem(data.get("date_from"), data.get("date_to")):
            self.add_error("date_to", _("The end date is before the start date."))
        return data


class IncidentFilterForm(_DateRangeMixin, UserForm):
    q = _search()
    status = forms.ChoiceField(label=_("Status"), required=False)
    verification = forms.ChoiceField(label=_("Verification"), required=False)
    violation_type = forms.ChoiceField(label=_("Violation type"), required=False)
    field_order = ["q", "status", "verification", "violation_type", "date_from", "date_to"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "status", model_choices(Incident.Status.choices, blank=ANY))
        set_choices(self, "verification", model_choices(Incident.Verification.choices, blank=ANY))
        set_choices(self, "violation_type", term_choices("violation_type", blank=ANY))


class ActFilterForm(UserForm):
    act_type = forms.ChoiceField(label=_("Act type"), required=False)
    medical_grade = forms.ChoiceField(label=_("Istanbul Protocol grade"), required=False)
    incident = forms.IntegerField(label=_("Incident number"), required=False, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "act_type", term_choices("act_type", blank=ANY))
        set_choices(self, "medical_grade", model_choices(MedicalGrade.choices, blank=ANY))


class PersonFilterForm(UserForm):
    role = forms.ChoiceField(label=_("Role"), required=False, choices=[("", ANY), *PERSON_ROLES])
    q = _search(_("Pseudonym"))


class UnitFilterForm(UserForm):
    q = _search()
    unit_type = forms.ChoiceField(label=_("Unit type"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "unit_type", term_choices("unit_type", blank=ANY))


class DeploymentFilterForm(_DateRangeMixin, UserForm):
    unit = forms.TypedChoiceField(label=_("Unit"), required=False, coerce=int, empty_value=None)
    field_order = ["unit", "date_from", "date_to"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "unit", unit_choices(self.user, blank=ANY))


class SourceFilterForm(UserForm):
    q = _search()
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    reliability = forms.ChoiceField(label=_("Reliability"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "kind", model_choices(Source.Kind.choices, blank=ANY))
        set_choices(self, "reliability", model_choices(Source.Reliability.choices, blank=ANY))
