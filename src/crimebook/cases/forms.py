"""Forms of the case pages. They only parse input; the views call the services and map
``ValidationFailed`` back onto the fields."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from crimebook.accounts.access import writable_compartment_ids
from crimebook.accounts.models import Compartment
from crimebook.cases.models import Case, CaseRole, Mechanism
from crimebook.cases.services import MATERIAL_KINDS
from crimebook.web.forms import UserForm

MAX_CHOICES = 300


class CaseForm(UserForm):
    compartment = forms.TypedChoiceField(label=_("Compartment"), coerce=int)
    title = forms.CharField(label=_("Title"), max_length=300)
    purpose = forms.CharField(
        label=_("Purpose"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the case is for: the crimes, the period, the places."),
    )  # fmt: skip
    mechanism = forms.ChoiceField(label=_("Mechanism"), choices=Mechanism.choices)
    mechanism_detail = forms.CharField(
        label=_("Mechanism named"), max_length=300, required=False,
        help_text=_("e.g. the prosecutor's office and country"),
    )  # fmt: skip
    summary = forms.CharField(
        label=_("Summary for the prosecutor"), required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )  # fmt: skip
    status = forms.ChoiceField(label=_("Status"), choices=Case.Status.choices)

    def __init__(self, *args: Any, editing: Case | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = writable_compartment_ids(self.user)
        if editing is not None:
            ids.add(editing.compartment_id)
        cast(forms.ChoiceField, self.fields["compartment"]).choices = list(
            Compartment.objects.filter(pk__in=ids).values_list("pk", "name")
        )
        if editing is not None:
            self.fields["compartment"].disabled = True
            self.fields["compartment"].help_text = _("A case stays in its compartment.")


class MemberForm(forms.Form):
    username = forms.CharField(label=_("Account name"), max_length=150)
    role = forms.ChoiceField(label=_("Case role"), choices=CaseRole.choices)


class MaterialForm(forms.Form):
    kind = forms.ChoiceField(choices=[(k, k) for k in MATERIAL_KINDS], widget=forms.HiddenInput)
    choice = forms.MultipleChoiceField(label=_("Choose"), required=False)
    numbers = forms.CharField(
        label=_("or record numbers"), required=False, max_length=5000,
        help_text=_("Comma-separated, e.g. 12, 15"),
    )  # fmt: skip

    def __init__(self, *args: Any, candidates: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["choice"]).choices = [
            (str(pk), label) for pk, label in candidates
        ]

    def ids(self) -> list[str]:
        picked = list(self.cleaned_data.get("choice") or [])
        typed = [p.strip().lstrip("#") for p in self.cleaned_data.get("numbers", "").split(",")]
        return picked + [p for p in typed if p]


class ClassifyForm(forms.Form):
    act = forms.ChoiceField(label=_("Act"))
    definition = forms.ChoiceField(label=_("Legal definition"))
    note = forms.CharField(
        label=_("Reasoning"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self, *args: Any, acts: list[tuple[int, str]], definitions: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["act"]).choices = [
            ("", "—"),
            *((str(pk), label) for pk, label in acts),
        ]
        cast(forms.ChoiceField, self.fields["definition"]).choices = [("", "—"), *definitions]


class SupportForm(forms.Form):
    classification = forms.IntegerField(widget=forms.HiddenInput)
    element = forms.IntegerField(widget=forms.HiddenInput)
    material = forms.ChoiceField(label=_("Exhibit or testimony"))
    note = forms.CharField(label=_("How it supports the element"), max_length=500)

    def __init__(self, *args: Any, materials: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["material"]).choices = [("", "—"), *materials]


class DossierForm(forms.Form):
    recipient = forms.CharField(
        label=_("Recipient's age public key"), max_length=200, required=False,
        help_text=_("age1… — the exhibits are sealed to this key; only its holder can open them."),
    )  # fmt: skip
    language = forms.ChoiceField(
        label=_("Language of the dossier"),
        choices=[("en", "English"), ("ru", "Русский"), ("be", "Беларуская")],
    )
    format = forms.ChoiceField(
        choices=[("pdf", _("PDF to read")), ("zip", _("ZIP for the prosecutor"))],
        widget=forms.HiddenInput,
    )
