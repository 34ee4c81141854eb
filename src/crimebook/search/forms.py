"""The search box and its facet filters (GET), and the exact identity lookup (POST: a name
must never travel in a URL)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from crimebook.register.models import Incident
from crimebook.search.models import Kind
from crimebook.search.selectors import SearchParams
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
KIND_LABELS: dict[str, Any] = {
    Kind.INCIDENT: _("Incidents"),
    Kind.ACT: _("Acts"),
    Kind.PERSON: _("Persons (pseudonyms)"),
    Kind.UNIT: _("Units"),
    Kind.SOURCE: _("Sources"),
    Kind.EVIDENCE: _("Evidence"),
    Kind.SUBMISSION: _("Intake submissions"),
    Kind.COMMUNICATION: _("Communications (calls, messages, intercepts)"),
}
YES_NO = [("", ANY), ("yes", _("yes")), ("no", _("no"))]


def _flag(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class SearchForm(UserForm):
    q = forms.CharField(
        label=_("Search"), required=False, max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "autofocus": True}),
        help_text=_('All words must appear. "A phrase" in quotes, a or b, -word to exclude. '
                    "Misspelt names are found too."),
    )  # fmt: skip
    kind = forms.ChoiceField(label=_("Record kind"), required=False)
    violation_type = forms.ChoiceField(label=_("Violation type"), required=False)
    date_from = date_field(_("From date"))
    date_to = date_field(_("To date"))
    place = forms.CharField(label=_("Place"), required=False, max_length=300)
    unit = forms.TypedChoiceField(label=_("Unit"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=_("Status"), required=False)
    verification = forms.ChoiceField(label=_("Verification"), required=False)
    has_evidence = forms.ChoiceField(label=_("Has evidence"), required=False, choices=YES_NO)
    has_suspect = forms.ChoiceField(label=_("Has a suspect"), required=False, choices=YES_NO)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kinds: list[tuple[Any, str]] = [(k, str(v)) for k, v in KIND_LABELS.items()]
        set_choices(self, "kind", [("", str(ANY)), *kinds])
        set_choices(self, "violation_type", term_choices("violation_type", blank=ANY))
        set_choices(self, "unit", unit_choices(self.user, blank=ANY))
        set_choices(self, "status", model_choices(Incident.Status.choices, blank=ANY))
        set_choices(self, "verification", model_choices(Incident.Verification.choices, blank=ANY))

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        if date_range_problem(data.get("date_from"), data.get("date_to")):
            self.add_error(
                "date_to",
                _("The end date is before the start date. Swap them to search this period."),
            )
        return data

    def params(self, page: int) -> SearchParams:
        d = self.cleaned_data
        return SearchParams(
            q=d["q"], kinds=(d["kind"],) if d["kind"] else (),
            violation_type=d["violation_type"], date_from=d["date_from"], date_to=d["date_to"],
            place=d["place"].strip(), unit_id=d["unit"], status=d["status"],
            verification=d["verification"], has_evidence=_flag(d["has_evidence"]),
            has_suspect=_flag(d["has_suspect"]), page=page,
        )  # fmt: skip


class IdentityLookupForm(forms.Form):
    identity = forms.CharField(
        label=_("Exact full name"), max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_("Compared with the encrypted identities through the blind index: only an "
                    "exact match (any order of names, Cyrillic or Latin) is found. The lookup "
                    "is recorded in the audit log."),
    )  # fmt: skip
