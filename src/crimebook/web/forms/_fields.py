"""Form fields shared by the register forms: local datetimes, dates, vocabulary choices,
compartments the user may write to, persons named by pseudonym, sources.

Forms only parse input; the services validate it. Choices that depend on the user come
from the selectors (or, for compartments, from the access module)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from crimebook.accounts.access import is_staff_user, writable_compartment_ids
from crimebook.accounts.models import Compartment
from crimebook.register import selectors
from crimebook.web import refdata

Choices = list[tuple[Any, str]]

DATETIME_INPUT = "%Y-%m-%dT%H:%M"
_PSEUDONYM_SPLIT = re.compile(r"[\s,;]+")


def local_zone() -> ZoneInfo:
    """The zone in which people type and read times (settings.TIME_ZONE, Europe/Minsk)."""
    return ZoneInfo(settings.TIME_ZONE)


class LocalDateTimeField(forms.DateTimeField):
    """A ``datetime-local`` input read as wall-clock time in :func:`local_zone`, returned
    aware; an aware initial value is shown converted to that zone."""

    input_formats = [DATETIME_INPUT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT)
        )
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, datetime) and value.tzinfo is not None:
            return value.astimezone(local_zone()).replace(tzinfo=None)
        return value

    def to_python(self, value: Any) -> datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value if value.tzinfo is not None else value.replace(tzinfo=local_zone())
        text = str(value).strip()
        for fmt in self.input_formats:
            try:
                parsed = datetime.strptime(text, fmt)  # naive: the zone is attached below
            except ValueError:
                continue
            return parsed.replace(tzinfo=local_zone())
        raise ValidationError(self.error_messages["invalid"], code="invalid")


def date_field(label: str | Any, *, required: bool = False, **kwargs: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        **kwargs,
    )


def float_field(label: str | Any, **kwargs: Any) -> forms.FloatField:
    """A number input without range checks: the services say what is out of range."""
    kwargs.setdefault("required", False)
    return forms.FloatField(label=label, widget=forms.NumberInput(attrs={"step": "any"}), **kwargs)


def term_choices(vocabulary: str, *, blank: str | Any | None = None) -> Choices:
    """Active terms of a vocabulary as (code, label in the current language), by label.
    Read from the shared reference-data cache (the same for every user)."""
    options: Choices = sorted(refdata.active_terms(vocabulary), key=lambda c: c[1].lower())
    return ([("", blank)] if blank is not None else []) + options


def model_choices(field_choices: Iterable[tuple[Any, Any]], *, blank: str | Any) -> Choices:
    """A TextChoices list with a leading empty option (for filters and optional fields)."""
    return [("", blank), *((value, str(label)) for value, label in field_choices)]


def compartment_choices(user: Any) -> Choices:
    """Compartments the user may write to, by name."""
    ids = writable_compartment_ids(user)
    return [(c.pk, c.name) for c in Compartment.objects.filter(pk__in=ids).order_by("name")]


def unit_choices(user: Any, *, blank: str | Any | None = None) -> Choices:
    """Every unit by name for an active staff account (units are public structure, the
    same list for all: cached, see ``web/refdata.py``); none for anybody else."""
    options: Choices = refdata.units() if is_staff_user(user) else []
    return ([("", blank)] if blank is not None else []) + options


def source_choices(
    user: Any, *, compartment_ids: Iterable[int] | None = None, blank: str | Any | None = None
) -> Choices:
    """Sources the user can see (optionally only in some compartments), labelled
    "#id title (grade)" so two sources with one title can be told apart."""
    qs = selectors.sources_for(user)
    if compartment_ids is not None:
        qs = qs.filter(compartment_id__in=list(compartment_ids))
    options: Choices = [(s.pk, f"#{s.pk} {s.title} ({s.grade})") for s in qs]
    return ([("", blank)] if blank is not None else []) + options


class PseudonymsField(forms.CharField):
    """Person pseudonyms separated by commas or spaces, normalised to upper case.
    The form resolves them to ids through the selectors (see :func:`resolve_pseudonyms`)."""

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value)
        parts = (p.strip().upper() for p in _PSEUDONYM_SPLIT.split(text or ""))
        return list(dict.fromkeys(p for p in parts if p))

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return ", ".join(str(v) for v in value)
        return value


def resolve_pseudonyms(user: Any, pseudonyms: list[str]) -> tuple[int, ...]:
    """Ids of the persons the user can see with these pseudonyms, in the order given.
    Unknown and invisible pseudonyms are reported alike."""
    if not pseudonyms:
        return ()
    found = dict(
        selectors.persons_for(user).filter(pseudonym__in=pseudonyms).values_list("pseudonym", "pk")
    )
    missing = [p for p in pseudonyms if p not in found]
    if missing:
        raise ValidationError(
            _("No person with pseudonym %(codes)s."),
            code="unknown_pseudonym",
            params={"codes": ", ".join(missing)},
        )
    return tuple(found[p] for p in pseudonyms)


def lines(value: str) -> tuple[str, ...]:
    """One entry per line, blank lines dropped (contacts, identifiers)."""
    return tuple(s.strip() for s in value.splitlines() if s.strip())


def date_range_problem(start: date | None, end: date | None) -> bool:
    return start is not None and end is not None and end < start


def set_choices(form: forms.BaseForm, name: str, choices: Choices) -> None:
    """Give a choice field its per-request choices (language- and user-dependent)."""
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{name} is not a choice field")
    field.choices = choices


def compartment_field() -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=_("Compartment"), coerce=int)


def resolve_pseudonym(user: Any, value: str) -> int | None:
    """The id of one person the user can see, by pseudonym; None for a blank value."""
    code = (value or "").strip().upper()
    return resolve_pseudonyms(user, [code])[0] if code else None


def textarea(label: str | Any, **kwargs: Any) -> forms.CharField:
    kwargs.setdefault("required", False)
    return forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": 4}), **kwargs)
