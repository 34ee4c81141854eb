"""Helpers shared by register services: permission checks, validation, audited saves."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext, gettext_noop

from crimebook.accounts.access import (
    can_edit_reference_data,
    readable_compartment_ids,
    writable_compartment_ids,
)
from crimebook.accounts.models import Compartment
from crimebook.audit.services import Actor, audit_record, field_changes, snapshot
from crimebook.core.errors import NotFound, PermissionDenied, ValidationFailed
from crimebook.register.domain import Message, Problem
from crimebook.register.models import Term, Vocabulary


def require_compartment_write(actor: Actor | None, compartment: Compartment | int) -> None:
    """The system (actor None: CLI, demo, migrations) may write anywhere; a user needs a
    writer membership. A compartment the user cannot read is reported as not found."""
    if actor is None:
        return
    cid = compartment if isinstance(compartment, int) else compartment.pk
    if cid not in readable_compartment_ids(actor):
        raise NotFound("compartment")
    if cid not in writable_compartment_ids(actor):
        raise PermissionDenied(gettext("Your role in this compartment does not allow changes."))


def require_reference_write(actor: Actor | None) -> None:
    if actor is not None and not can_edit_reference_data(actor):
        raise PermissionDenied(
            gettext("Your role does not allow changing units and their hierarchy.")
        )


def raise_problems(problems: Sequence[Problem]) -> None:
    if not problems:
        return
    errors: dict[str, list[str]] = {}
    for field, message in problems:
        errors.setdefault(field, []).append(_said(message))
    raise ValidationFailed(errors)


def _said(message: str) -> str:
    """A domain problem in the active language (its English text when not translated)."""
    if isinstance(message, Message):
        return (
            gettext(message.template) % message.params
            if message.params
            else gettext(message.template)
        )
    return message


# The domain's (pure, Django-free) problem templates, marked here for the catalogs.
DOMAIN_MESSAGES = (
    gettext_noop("The incident ends (%(end)s) before it starts (%(start)s)."),
    gettext_noop("The deployment ends (%(end)s) before it starts (%(start)s)."),
    gettext_noop("The post ends (%(end)s) before it starts (%(start)s)."),
    gettext_noop("The subordination ends (%(end)s) before it starts (%(start)s)."),
    gettext_noop("The unit's lifetime ends (%(end)s) before it starts (%(start)s)."),
    gettext_noop("Give both latitude and longitude, or neither."),
    gettext_noop("Latitude %(value)s is outside -90 … 90."),
    gettext_noop("Longitude %(value)s is outside -180 … 180."),
    gettext_noop("Not a number."),
    gettext_noop("The uncertainty radius cannot be negative (%(value)s)."),
    gettext_noop("The uncertainty radius cannot exceed 1,000 km."),
)


def clean(instance: models.Model, exclude: Iterable[str] = ()) -> None:
    try:
        instance.full_clean(exclude=list(exclude), validate_unique=True)
    except ValidationError as exc:
        raise ValidationFailed(exc.message_dict) from None


# Unknown codes, named by their vocabulary (a vocabulary not listed is named by its code).
_UNKNOWN_TERMS = {
    "act_type": gettext_noop("Unknown act type: %(codes)s."),
    "detention_place": gettext_noop("Unknown detention place: %(codes)s."),
    "injury_type": gettext_noop("Unknown injury type: %(codes)s."),
    "method": gettext_noop("Unknown method: %(codes)s."),
    "unit_type": gettext_noop("Unknown unit type: %(codes)s."),
    "violation_type": gettext_noop("Unknown violation type: %(codes)s."),
}


def terms(vocabulary: str, codes: Iterable[str], *, field: str) -> list[Term]:
    """Resolve vocabulary codes, rejecting unknown or retired ones by name."""
    wanted = list(dict.fromkeys(c.strip() for c in codes if c and c.strip()))
    if not wanted:
        return []
    found = {
        t.code: t
        for t in Term.objects.filter(vocabulary__code=vocabulary, code__in=wanted, retired_in="")
    }
    unknown = [c for c in wanted if c not in found]
    if unknown:
        if not Vocabulary.objects.filter(code=vocabulary).exists():
            raise ValidationFailed.single(
                field, gettext("Vocabulary %(name)s is not loaded.") % {"name": repr(vocabulary)}
            )
        template = _UNKNOWN_TERMS.get(vocabulary)
        listed = ", ".join(map(repr, unknown))
        raise ValidationFailed.single(
            field,
            gettext(template) % {"codes": listed}
            if template
            else f"Unknown {vocabulary.replace('_', ' ')}: {listed}.",
        )
    return [found[c] for c in wanted]


def term(vocabulary: str, code: str | None, *, field: str) -> Term | None:
    if not code:
        return None
    return terms(vocabulary, [code], field=field)[0]


def label(model: type[models.Model]) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def audited_save(
    *,
    actor: Actor | None,
    instance: models.Model,
    before: dict[str, Any] | None,
    fields: Iterable[str],
    extra_changes: dict[str, Any] | None = None,
    sensitive: Iterable[str] = (),
) -> None:
    """Save and append the audit entry (call inside ``transaction.atomic``)."""
    names = list(fields)
    instance.save()
    after = snapshot(instance, names)
    changes = field_changes(before or {}, after, sensitive=sensitive)
    changes.update(extra_changes or {})
    audit_record(
        actor=actor,
        action="create" if before is None else "update",
        object_type=label(type(instance)),
        object_id=instance.pk,
        changes=changes,
    )


def m2m_change(old: Iterable[Any], new: Iterable[Any]) -> list[list[str]] | None:
    o = sorted(str(x) for x in old)
    n = sorted(str(x) for x in new)
    return None if o == n else [o, n]
