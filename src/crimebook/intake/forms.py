"""The source-facing forms. Plain HTML fields only; every label goes through gettext.

Vocabulary choices (violation types, injuries, places of detention) are read from the
register's shipped ``vocabularies.json`` file, read-only: the intake never touches the
workspace's tables.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime, time
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

__all__ = ["CodenameForm", "FollowupForm", "ReportForm", "VerifyForm", "report_document"]

VOCABULARIES = (
    Path(__file__).resolve().parent.parent / "register" / "fixtures" / "vocabularies.json"
)
_T = TypeVar("_T")
TEXT_MAX = 20_000
SHORT_MAX = 1_000


@lru_cache(maxsize=1)
def _vocabularies() -> dict[str, list[dict[str, str]]]:
    document = json.loads(VOCABULARIES.read_text(encoding="utf-8"))
    return {v["code"]: v["terms"] for v in document["vocabularies"]}


def _form_language() -> str:
    language = (get_language() or "en")[:2]
    return language if language in ("en", "ru", "be") else "en"


def vocabulary_choices(code: str, language: str | None = None) -> list[tuple[str, str]]:
    language = language or _form_language()
    return [(t["code"], t.get(language) or t["en"]) for t in _vocabularies()[code]]


def _shallow_copy(obj: _T) -> _T:
    """``copy.copy`` for plain objects (fields and widgets), without its generic protocol."""
    clone = object.__new__(type(obj))
    clone.__dict__.update(obj.__dict__)
    return clone


def _field_copy(field: forms.Field) -> forms.Field:
    """What ``Field.__deepcopy__`` does (own widget, widget attributes, error messages and
    validators per form), except that the lists of choices are shared, not copied: they are
    built once per language by :func:`_report_fields` and nothing changes them in place.
    Deep-copying 30 fields with their choice lists was the largest cost of a form."""
    result = _shallow_copy(field)
    widget = _shallow_copy(field.widget)
    widget.attrs = field.widget.attrs.copy()
    result.widget = widget
    result.error_messages = field.error_messages.copy()
    result.validators = field.validators[:]
    return result


def _text(label: Any, *, required: bool = False, rows: int = 3, max_length: int = TEXT_MAX) -> Any:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _line(label: Any, *, max_length: int = SHORT_MAX, help_text: Any = "") -> Any:
    return forms.CharField(label=label, required=False, max_length=max_length, help_text=help_text)


class ReportForm(forms.Form):
    WHEN_KINDS = [
        ("exact", _("I know the date and time")),
        ("part_of_day", _("I know the date and part of the day")),
        ("range", _("Between two dates")),
        ("unknown", _("I am not sure")),
    ]
    PARTS_OF_DAY = [
        ("", _("— choose —")),
        ("morning", _("morning")),
        ("afternoon", _("afternoon")),
        ("evening", _("evening")),
        ("night", _("night")),
    ]
    CERTAINTY = [
        ("exact", _("exactly this spot")),
        ("street", _("this street or block (about 100 m)")),
        ("district", _("this district (about 1 km)")),
        ("city", _("only the town or city")),
        ("unsure", _("I am not sure")),
    ]
    MEDICAL = [
        ("", _("— choose —")),
        ("none", _("no medical help")),
        ("first_aid", _("first aid only")),
        ("ambulance", _("an ambulance came")),
        ("hospital", _("treated in hospital")),
        ("doctor_later", _("saw a doctor later")),
        ("forensic", _("injuries documented by a forensic doctor")),
    ]
    MASKS = [
        ("", _("— choose —")),
        ("all", _("all wore masks or balaclavas")),
        ("some", _("some did")),
        ("none", _("no masks")),
        ("unknown", _("I do not know")),
    ]

    insider = forms.BooleanField(
        label=_("I serve or served in the police, army, prison service or another state body"),
        required=False,
        help_text=_("You will get a signed receipt that proves when you came forward."),
    )
    what_happened = _text(_("What happened?"), required=True, rows=8)
    when_kind = forms.ChoiceField(
        label=_("When did it happen?"),
        choices=WHEN_KINDS,
        initial="exact",
        widget=forms.RadioSelect,
    )
    when_date = forms.DateField(label=_("Date"), required=False, help_text=_("e.g. 2020-08-10"))
    when_time = forms.TimeField(label=_("Time"), required=False, help_text=_("e.g. 22:30"))
    when_part_of_day = forms.ChoiceField(
        label=_("Part of the day"), choices=PARTS_OF_DAY, required=False
    )
    when_end_date = forms.DateField(label=_("Until (date)"), required=False)
    when_end_time = forms.TimeField(label=_("Until (time)"), required=False)
    when_note = _line(_("Anything else about the time"), max_length=500)
    where = forms.CharField(
        label=_("Where? Address, street corner or landmark"), max_length=SHORT_MAX
    )
    latitude = forms.FloatField(
        label=_("Latitude (optional)"), required=False, min_value=-90, max_value=90
    )
    longitude = forms.FloatField(
        label=_("Longitude (optional)"), required=False, min_value=-180, max_value=180
    )
    location_certainty = forms.ChoiceField(
        label=_("How sure are you of the place?"), choices=CERTAINTY, initial="street"
    )
    violation_types = forms.MultipleChoiceField(
        label=_("What was done? (tick all that apply)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    injuries = forms.MultipleChoiceField(
        label=_("Injuries"), required=False, widget=forms.CheckboxSelectMultiple
    )
    injuries_description = _text(_("Describe the injuries"))
    medical_help = forms.ChoiceField(
        label=_("Medical help received"), choices=MEDICAL, required=False
    )
    medical_note = _text(_("Where and when were you treated? Do you have medical records?"))
    detention_place = forms.ChoiceField(label=_("Place of detention, if any"), required=False)
    detention_note = _text(_("About the detention (how long, conditions, who was there)"))
    perpetrators_uniform = _line(_("Their uniform (colour, camouflage, helmets)"))
    perpetrators_insignia = _line(_("Insignia, badges, numbers, chevrons"))
    perpetrators_unit = _line(_("Unit or agency, if known (e.g. OMON, district police)"))
    perpetrators_masks = forms.ChoiceField(label=_("Masks"), choices=MASKS, required=False)
    perpetrators_vehicles = _line(_("Vehicles and number plates"))
    perpetrators_names = _line(_("Names, nicknames or call signs you heard"))
    perpetrators_description = _text(_("Anything else about them (number, height, voices)"))
    other_victims = _text(_("Other people who were hurt or detained"))
    witnesses = _text(_("People who saw it (write only what they agreed to share)"))
    consent_investigation = forms.BooleanField(
        label=_("You may use this to document and investigate the crime"), required=False
    )
    consent_prosecution = forms.BooleanField(
        label=_("You may share it with prosecutors and courts"), required=False
    )
    consent_publication = forms.BooleanField(
        label=_("You may count it in anonymous published statistics"), required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = datetime.now(UTC).date()
        start, end = data.get("when_date"), data.get("when_end_date")
        for name in ("when_date", "when_end_date"):
            value = data.get(name)
            if value is not None and not date(1990, 1, 1) <= value <= today:
                self.add_error(name, _("This date cannot be right (it is in the future)."))
        kind = data.get("when_kind")
        if kind in ("exact", "part_of_day") and start is None:
            self.add_error("when_date", _("Give the date, or choose “I am not sure”."))
        if kind == "part_of_day" and not data.get("when_part_of_day"):
            self.add_error("when_part_of_day", _("Choose the part of the day."))
        if kind == "range":
            if start is None or end is None:
                self.add_error("when_end_date", _("Give both dates of the range."))
            elif _moment(start, data.get("when_time")) > _moment(end, data.get("when_end_time")):
                self.add_error("when_end_date", _("The end is before the start."))
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            self.add_error("longitude", _("Give both latitude and longitude, or neither."))
        if data.get("consent_prosecution") and not data.get("consent_investigation"):
            self.add_error(
                "consent_investigation",
                _("Sharing with prosecutors needs permission to use it first."),
            )
        return data


class _FieldsPerLanguage(dict[str, forms.Field]):
    """``ReportForm.base_fields``: the declared fields, as usual, but what
    ``BaseForm.__init__`` makes of it with ``copy.deepcopy`` is a light copy of the fields
    prepared for the current language (:func:`_report_fields`, :func:`_field_copy`)."""

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, forms.Field]:
        return {name: _field_copy(f) for name, f in _report_fields(_form_language()).items()}


ReportForm.base_fields = _FieldsPerLanguage(ReportForm.base_fields)


@lru_cache(maxsize=4)
def _report_fields(language: str) -> dict[str, forms.Field]:
    """The report form's fields with the vocabularies' choices in ``language`` (built once;
    every form takes light copies)."""
    fields = copy.deepcopy(dict(ReportForm.base_fields))
    fields["violation_types"].choices = vocabulary_choices("violation_type", language)  # type: ignore[attr-defined]
    fields["injuries"].choices = vocabulary_choices("injury_type", language)  # type: ignore[attr-defined]
    fields["detention_place"].choices = [  # type: ignore[attr-defined]
        ("", _("— none —")),
        *vocabulary_choices("detention_place", language),
    ]
    return fields


def _moment(day: date, at: time | None) -> datetime:
    return datetime.combine(day, at or time(0, 0))


def report_document(data: dict[str, Any]) -> dict[str, Any]:
    """Cleaned form data as JSON-ready values (dates and times as ISO strings)."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key == "insider":
            continue
        if isinstance(value, date | time):
            out[key] = value.isoformat()
        elif isinstance(value, list | tuple):
            out[key] = list(value)
        else:
            out[key] = value
    return out


class FollowupForm(forms.Form):
    text = _text(_("What would you like to add?"), rows=6)


class CodenameForm(forms.Form):
    codename = forms.CharField(
        label=_("Your codename"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )


class VerifyForm(forms.Form):
    receipt = forms.CharField(
        label=_("Paste the receipt (the whole file)"),
        max_length=4096,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
