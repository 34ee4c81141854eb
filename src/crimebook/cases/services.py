"""Writes of case files (CONVENTIONS 1–2): validate, write and audit in one transaction.

Permissions: opening a case needs a legal reviewer with write access to the compartment; the
case's *lead* edits it and manages its members; leads and reviewers add material, classify and
link support. A case the actor cannot see is reported as not found. Actor ``None`` is the
system (CLI operator, migrations): it may do everything and is audited as "system".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext, ngettext

from crimebook.accounts.access import readable_compartment_ids, writable_compartment_ids
from crimebook.accounts.models import Membership, User
from crimebook.audit.services import Actor, audit_record, snapshot
from crimebook.cases.models import (
    Case,
    CaseMember,
    CaseRole,
    Classification,
    ElementSupport,
    LegalDefinition,
    Mechanism,
)
from crimebook.cases.selectors import (
    CREATOR_ROLES,
    can_contribute,
    can_manage,
    case_get_for,
)
from crimebook.core.errors import NotFound, PermissionDenied, ValidationFailed
from crimebook.evidence.models import EvidenceItem
from crimebook.register.models import Act, Incident, Person, Source
from crimebook.register.services._common import audited_save, clean

__all__ = [
    "MATERIAL_KINDS",
    "CaseData",
    "case_classify",
    "case_create",
    "case_material_add",
    "case_material_remove",
    "case_member_remove",
    "case_member_set",
    "case_update",
    "classification_remove",
    "problems_text",
    "support_add",
    "support_remove",
]

OBJECT_TYPE = "cases.case"
CASE_FIELDS = (
    "compartment", "title", "purpose", "mechanism", "mechanism_detail", "summary", "status",
)  # fmt: skip
MATERIAL_KINDS = ("incident", "suspect", "exhibit", "testimony")
_MATERIAL: dict[str, tuple[str, Any]] = {
    "incident": ("incidents", Incident),
    "suspect": ("suspects", Person),
    "exhibit": ("exhibits", EvidenceItem),
    "testimony": ("testimonies", Source),
}
MAX_BATCH = 1000


@dataclass(frozen=True)
class CaseData:
    compartment_id: int
    title: str
    purpose: str
    mechanism: str
    mechanism_detail: str = ""
    summary: str = ""
    status: str = Case.Status.OPEN


def problems_text(exc: ValidationFailed) -> str:
    """All messages of a ValidationFailed in one line (for flash messages and the CLI)."""
    return " ".join(m for messages in exc.errors.values() for m in messages)


def _audit(actor: Actor | None, action: str, case: Case, changes: dict[str, Any]) -> None:
    audit_record(
        actor=actor, action=action, object_type=OBJECT_TYPE, object_id=case.pk, changes=changes
    )


def _require_contribute(actor: Actor | None, case: Case) -> None:
    if actor is None:
        return
    case_get_for(actor, case.pk)  # not a member: not found
    if not can_contribute(actor, case):
        raise PermissionDenied(gettext("Your role in this case does not allow changes."))


def _require_manage(actor: Actor | None, case: Case) -> None:
    if actor is None:
        return
    case_get_for(actor, case.pk)
    if not can_manage(actor, case):
        raise PermissionDenied(gettext("Only the case's lead may change the case and its members."))


def _apply(actor: Actor | None, case: Case, data: CaseData, creating: bool) -> Case:
    errors: dict[str, list[str]] = {}
    if data.mechanism not in Mechanism.values:
        errors["mechanism"] = [gettext("Choose the mechanism the case is for.")]
    if not data.title.strip():
        errors["title"] = [gettext("A case needs a title.")]
    if not data.purpose.strip():
        errors["purpose"] = [gettext("Say what the case is for.")]
    if errors:
        raise ValidationFailed(errors)
    if not creating and data.compartment_id != case.compartment_id:
        raise ValidationFailed.single(
            "compartment", gettext("A case cannot move to another compartment: its material stays.")
        )
    before = None if creating else snapshot(case, CASE_FIELDS)
    case.compartment_id = data.compartment_id
    for name in CASE_FIELDS[1:]:
        setattr(case, name, getattr(data, name).strip())
    if creating and actor is not None:
        case.created_by_id = actor.pk
    clean(case, exclude=["created_by"])
    with transaction.atomic():
        audited_save(actor=actor, instance=case, before=before, fields=CASE_FIELDS)
        if creating and actor is not None:
            CaseMember.objects.create(case=case, user_id=actor.pk, role=CaseRole.LEAD)
            _audit(actor, "member_add", case, {"user": actor.get_username(), "role": "lead"})
    return case


def case_create(*, actor: Actor | None, data: CaseData) -> Case:
    """Open a case; its creator becomes its lead."""
    if actor is not None:
        if data.compartment_id not in readable_compartment_ids(actor):
            raise ValidationFailed.single(
                "compartment", gettext("Choose a compartment you belong to.")
            )
        if getattr(actor, "role", None) not in CREATOR_ROLES:
            raise PermissionDenied(gettext("Only legal reviewers open case files."))
        if data.compartment_id not in writable_compartment_ids(actor):
            raise PermissionDenied(gettext("Your role in this compartment does not allow changes."))
    return _apply(actor, Case(), data, creating=True)


def case_update(*, actor: Actor | None, case: Case, data: CaseData) -> Case:
    _require_manage(actor, case)
    return _apply(actor, case, data, creating=False)


def case_member_set(*, actor: Actor | None, case: Case, username: str, role: str) -> CaseMember:
    """Add a member or change a member's role. Members must belong to the case's compartment
    (a case never shows anyone records they could not read anyway)."""
    _require_manage(actor, case)
    if role not in CaseRole.values:
        raise ValidationFailed.single("role", gettext("Choose a case role."))
    user = User.objects.filter(username=username.strip(), is_active=True).first()
    if (
        user is None
        or not Membership.objects.filter(user=user, compartment_id=case.compartment_id).exists()
    ):
        raise ValidationFailed.single(
            "username", gettext("No active account of that name belongs to the case's compartment.")
        )
    with transaction.atomic():
        member = CaseMember.objects.select_for_update().filter(case=case, user=user).first()
        old = member.role if member else None
        if member is not None and old == CaseRole.LEAD and role != CaseRole.LEAD:
            _keep_a_lead(case, excluding=user.pk)
        if member is None:
            member = CaseMember.objects.create(case=case, user=user, role=role)
        else:
            member.role = role
            member.save(update_fields=["role"])
        if old != role:
            _audit(actor, "member_set", case, {"user": user.username, "role": [old, role]})
    return member


def _keep_a_lead(case: Case, *, excluding: int) -> None:
    if (
        not CaseMember.objects.filter(case=case, role=CaseRole.LEAD)
        .exclude(user_id=excluding)
        .exists()
    ):
        raise ValidationFailed.single("role", gettext("A case needs at least one lead."))


def case_member_remove(*, actor: Actor | None, case: Case, username: str) -> None:
    _require_manage(actor, case)
    member = CaseMember.objects.filter(case=case, user__username=username).first()
    if member is None:
        raise ValidationFailed.single(
            "username", gettext("That account is not a member of the case.")
        )
    with transaction.atomic():
        if member.role == CaseRole.LEAD:
            _keep_a_lead(case, excluding=member.user_id)
        member.delete()
        _audit(actor, "member_remove", case, {"user": username})


def _ids(values: Iterable[object], field: str) -> list[int]:
    out: list[int] = []
    for value in values:
        try:
            out.append(int(str(value)))
        except ValueError:
            raise ValidationFailed.single(
                field, gettext("Not a record number: %(value)s.") % {"value": repr(value)}
            ) from None
    if not out:
        raise ValidationFailed.single(field, gettext("Choose at least one record."))
    if len(out) > MAX_BATCH:
        raise ValidationFailed.single(field, ngettext(
            "At most %(n)d record at a time.", "At most %(n)d records at a time.", MAX_BATCH
        ) % {"n": MAX_BATCH})  # fmt: skip
    return list(dict.fromkeys(out))


def case_material_add(*, actor: Actor | None, case: Case, kind: str, ids: Iterable[object]) -> int:
    """Add incidents, suspects (persons), exhibits (original evidence items in the vault) or
    testimonies (sources) of the case's compartment; all or nothing. Returns how many were new."""
    _require_contribute(actor, case)
    if kind not in _MATERIAL:
        raise ValidationFailed.single(
            "kind", gettext("Kind must be one of %(kinds)s.") % {"kinds": ", ".join(MATERIAL_KINDS)}
        )
    wanted = _ids(ids, "ids")
    relation, model = _MATERIAL[kind]
    qs = model.objects.filter(pk__in=wanted, compartment_id=case.compartment_id)
    if actor is not None:
        qs = qs.visible_to(actor)
    if kind == "exhibit":
        qs = qs.filter(derived_from__isnull=True, status=EvidenceItem.Status.INGESTED)
    found = set(qs.values_list("pk", flat=True))
    missing = [i for i in wanted if i not in found]
    if missing:
        listed = ", ".join(map(str, missing[:20]))
        raise ValidationFailed.single("ids", (
            gettext("Not found in the case's compartment (or not an ingested original): %(ids)s")
            if kind == "exhibit"
            else gettext("Not found in the case's compartment: %(ids)s")
        ) % {"ids": listed})  # fmt: skip
    manager = getattr(case, relation)
    present = set(manager.filter(pk__in=wanted).values_list("pk", flat=True))
    new = [i for i in wanted if i not in present]
    if new:
        with transaction.atomic():
            manager.add(*new)
            _audit(actor, "material_add", case, {"kind": kind, "ids": new})
    return len(new)


def case_material_remove(*, actor: Actor | None, case: Case, kind: str, record_id: int) -> None:
    _require_contribute(actor, case)
    if kind not in _MATERIAL:
        raise ValidationFailed.single(
            "kind", gettext("Kind must be one of %(kinds)s.") % {"kinds": ", ".join(MATERIAL_KINDS)}
        )
    relation, _model = _MATERIAL[kind]
    manager = getattr(case, relation)
    if not manager.filter(pk=record_id).exists():
        raise NotFound(kind)
    if kind == "incident" and case.classifications.filter(act__incident_id=record_id).exists():
        raise ValidationFailed.single(
            "kind", gettext("Acts of this incident are classified in the case: remove those first.")
        )
    if (
        kind in ("exhibit", "testimony")
        and ElementSupport.objects.filter(classification__case=case, **{kind: record_id}).exists()
    ):
        raise ValidationFailed.single(
            "kind", gettext("It supports elements in the matrix: remove those links first.")
        )
    with transaction.atomic():
        manager.remove(record_id)
        _audit(actor, "material_remove", case, {"kind": kind, "ids": [record_id]})


def case_classify(
    *, actor: Actor | None, case: Case, act_id: object, definition: str, note: str = ""
) -> Classification:
    """Classify an act of one of the case's incidents under a (current) legal definition."""
    _require_contribute(actor, case)
    errors: dict[str, list[str]] = {}
    try:
        act = Act.objects.filter(pk=int(str(act_id)), incident__cases=case).first()
    except ValueError:
        act = None
    if act is None:
        errors["act"] = [gettext("Choose an act of one of the case's incidents.")]
    found = LegalDefinition.objects.filter(code=definition, retired_in="").first()
    if found is None:
        errors["definition"] = [gettext("Choose a legal definition.")]
    if errors:
        raise ValidationFailed(errors)
    assert act is not None
    assert found is not None
    if Classification.objects.filter(case=case, act=act, definition=found).exists():
        raise ValidationFailed.single("definition", gettext("This act is already classified so."))
    with transaction.atomic():
        item = Classification.objects.create(
            case=case, act=act, definition=found, note=note.strip(),
            created_by_id=actor.pk if actor is not None else None,
        )  # fmt: skip
        _audit(actor, "classify", case, {"classification": item.pk, "act": act.pk,
                                          "definition": found.code, "note": item.note})  # fmt: skip
    return item


def classification_remove(*, actor: Actor | None, case: Case, classification_id: int) -> None:
    _require_contribute(actor, case)
    item = Classification.objects.filter(case=case, pk=classification_id).first()
    if item is None:
        raise NotFound("classification")
    with transaction.atomic():
        supports = item.supports.count()
        item.supports.all().delete()
        item.delete()
        _audit(actor, "unclassify", case, {"classification": classification_id,
                                            "act": item.act_id, "supports_removed": supports})  # fmt: skip


def support_add(
    *,
    actor: Actor | None,
    case: Case,
    classification_id: object,
    element_id: object,
    material: str,
    note: str,
) -> ElementSupport:
    """Link an exhibit (``exhibit:<id>``) or a testimony (``testimony:<id>``) of the case to
    one element of a classification, with a short note saying how it supports it."""
    _require_contribute(actor, case)
    errors: dict[str, list[str]] = {}
    try:
        item = Classification.objects.filter(case=case, pk=int(str(classification_id))).first()
    except ValueError:
        item = None
    if item is None:
        raise NotFound("classification")
    try:
        element = item.definition.elements.filter(pk=int(str(element_id)), retired_in="").first()
    except ValueError:
        element = None
    if element is None:
        errors["element"] = [gettext("Choose an element of this definition.")]
    kind, _sep, raw = material.partition(":")
    exhibit = testimony = None
    if kind == "exhibit" and raw.isdigit():
        exhibit = case.exhibits.filter(pk=int(raw)).first()
    elif kind == "testimony" and raw.isdigit():
        testimony = case.testimonies.filter(pk=int(raw)).first()
    if exhibit is None and testimony is None:
        errors["material"] = [gettext("Choose one of the case's exhibits or testimonies.")]
    note = note.strip()
    if not note:
        errors["note"] = [gettext("Say in a few words how it supports the element.")]
    elif len(note) > 500:
        errors["note"] = [gettext("At most 500 characters.")]
    if errors:
        raise ValidationFailed(errors)
    assert element is not None
    if ElementSupport.objects.filter(
        classification=item, element=element, exhibit=exhibit, testimony=testimony
    ).exists():
        raise ValidationFailed.single("material", gettext("Already linked to this element."))
    with transaction.atomic():
        support = ElementSupport.objects.create(
            classification=item, element=element, exhibit=exhibit, testimony=testimony,
            note=note, created_by_id=actor.pk if actor is not None else None,
        )  # fmt: skip
        assert element is not None
        _audit(actor, "support_add", case, {
            "classification": item.pk, "element": f"{item.definition.code}/{element.code}",
            "material": material, "note": note,
        })  # fmt: skip
    return support


def support_remove(*, actor: Actor | None, case: Case, support_id: int) -> None:
    _require_contribute(actor, case)
    support = ElementSupport.objects.filter(classification__case=case, pk=support_id).first()
    if support is None:
        raise NotFound("support")
    with transaction.atomic():
        support.delete()
        _audit(actor, "support_remove", case, {"support": support_id,
                                                "classification": support.classification_id})  # fmt: skip
