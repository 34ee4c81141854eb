"""The workspace forms' fast renderer (``web/forms/rendering.py``) writes exactly the HTML of
Django's own templates: labels tied to their fields, ids, ``aria-describedby`` and
``aria-invalid`` on a field with an error or help text, error lists, help texts, and every
value escaped. Each form is rendered twice, through the fast renderer and through Django's
template renderer, and the two must be equal character for character."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.test import Client
from django.urls import reverse
from django.utils.safestring import mark_safe

from crimebook.accounts.models import User
from crimebook.web.forms import UserForm
from crimebook.web.forms._fields import LocalDateTimeField, date_field
from crimebook.web.forms.rendering import FastRenderer

pytestmark = pytest.mark.django_db

HOSTILE = "\"'><script>alert(1)</script>&amp; 1"

# every module that defines workspace forms (UserForm subclasses are found in them)
FORM_MODULES = (
    "crimebook.web.forms.filters", "crimebook.web.forms.incidents", "crimebook.web.forms.maps",
    "crimebook.web.forms.persons", "crimebook.web.forms.sources", "crimebook.web.forms.units",
    "crimebook.search.forms", "crimebook.leads.forms", "crimebook.evidence.forms",
    "crimebook.cases.forms", "crimebook.jobs.imports", "crimebook.web.views.tokens",
)  # fmt: skip


class Everything(UserForm):
    """One field of each kind the fast renderer writes, and some it leaves to templates."""

    name = forms.CharField(label="Name <b>&", help_text="Help with <em>markup</em>")
    search = forms.CharField(
        label="Search", required=False,
        widget=forms.TextInput(attrs={"type": "search", "autofocus": True, "disabled": False}),
    )  # fmt: skip
    count = forms.IntegerField(label="How many?", required=False, min_value=1)
    day = date_field("Day")
    moment = LocalDateTimeField(label="Moment")
    email = forms.EmailField(label="E-mail", required=False)
    url = forms.URLField(label="Link", required=False, assume_scheme="https")
    secret = forms.CharField(label="Secret", required=False, widget=forms.PasswordInput)
    token = forms.CharField(required=False, widget=forms.HiddenInput)
    agree = forms.BooleanField(label="Agree", required=False)
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    kind = forms.ChoiceField(
        label="Kind", required=False,
        choices=[("", "any"), ("a\"b", "A & B <x>"), ("Group <1>", [("g1", "G1"), ("g2", "G2")])],
    )  # fmt: skip
    kinds = forms.MultipleChoiceField(
        label="Kinds", required=False, choices=[("x", "X"), ("y", "Y <y>")]
    )
    pick = forms.ChoiceField(
        label="Pick one", required=False, widget=forms.RadioSelect, choices=[("1", "One")]
    )
    marks = forms.MultipleChoiceField(
        label="Marks", required=False, widget=forms.CheckboxSelectMultiple,
        choices=[("m", "M"), ("n", "N")],
    )  # fmt: skip
    safe_label = forms.CharField(label=mark_safe("<i>Safe</i> label"), required=False)
    no_label = forms.CharField(label="", required=False)
    suffixed = forms.CharField(label="Suffixed", required=False, label_suffix=" →")
    remembered = forms.CharField(label="Remembered", required=False, show_hidden_initial=True)

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        if data.get("name") == "both":
            raise forms.ValidationError("A form-wide <problem> & more.")
        return data


def _workspace_forms() -> list[type[UserForm]]:
    for module in FORM_MODULES:
        importlib.import_module(module)
    found: list[type[UserForm]] = []
    todo = list(UserForm.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("crimebook.") and cls not in found:
            found.append(cls)
    return found


def _html(form: forms.BaseForm) -> list[str]:
    """Everything a template can ask a form for, field by field."""
    out = [str(form), str(form.non_field_errors())]
    for field in form:
        out += [field.as_field_group(), str(field), field.label_tag(), field.legend_tag()]
        out += [str(field.errors), field.as_hidden(), field.as_text(), field.as_textarea()]
    return out


def _assert_same(make: Any, data: Any) -> None:
    fast, stock = make(data, None), make(data, DjangoTemplates())
    assert isinstance(fast.renderer, FastRenderer)
    assert not isinstance(stock.renderer, FastRenderer)
    if data is not None:
        fast.is_valid()
        stock.is_valid()
    for mine, django in zip(_html(fast), _html(stock), strict=True):
        assert mine == django


def _hostile_data(form_class: type[forms.BaseForm]) -> dict[str, Any]:
    return {name: HOSTILE for name in form_class.base_fields}


@pytest.mark.parametrize(
    "data",
    [
        None,
        {},
        {"name": "both", "day": "2020-08-10", "moment": "2020-08-10T22:30", "kind": "g2"},
        {"name": "x", "kinds": ["y", "z"], "marks": ["m"], "agree": "on", "count": "0"},
    ],
)
def test_the_fast_renderer_writes_what_the_templates_write(investigator: User, data: Any) -> None:
    def make(data: Any, renderer: Any) -> Everything:
        return Everything(data, user=investigator, renderer=renderer)

    _assert_same(make, data)
    _assert_same(make, _hostile_data(Everything) | {"notes": "</textarea><b>x</b>"})
    _assert_same(
        lambda d, r: Everything(d, user=investigator, renderer=r, auto_id=False), {"name": ""}
    )


def test_every_workspace_form_renders_as_the_templates_do(investigator: User) -> None:
    classes = _workspace_forms()
    names = {cls.__name__ for cls in classes}
    assert {"IncidentFilterForm", "SearchForm", "MapFilterForm", "IncidentForm"} <= names
    checked = 0
    for cls in classes:
        for data in (None, {}, _hostile_data(cls)):
            try:
                cls(data, user=investigator)
            except TypeError:  # a form that needs more than the user (checked elsewhere)
                break
            _assert_same(lambda d, r, cls=cls: cls(d, user=investigator, renderer=r), data)
            checked += 1
    assert checked >= 3 * 12


def test_the_filter_marks_an_invalid_field_for_assistive_technology(inv_client: Client) -> None:
    # GIVEN an end date before the start date
    url = reverse("web:incident_list") + "?date_from=2020-08-10&date_to=2020-08-01&q=%3Cb%3E"
    # WHEN the incident list is shown
    html = inv_client.get(url).content.decode()
    # THEN the error is tied to the field, the label to the input, and the input is escaped
    assert '<label for="id_date_to">To date:</label>' in html
    assert '<ul class="errorlist" id="id_date_to_error"><li>' in html
    assert 'aria-invalid="true" aria-describedby="id_date_to_error" id="id_date_to">' in html
    assert 'name="q" value="&lt;b&gt;"' in html
    assert "<b>" not in html.split('class="filters"', 1)[1].split("</form>", 1)[0]
