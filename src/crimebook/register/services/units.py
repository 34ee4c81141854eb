"""Writes for units and their hierarchy, posts and deployments."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils.translation import gettext, ngettext

from crimebook.audit.services import Actor, snapshot
from crimebook.core.errors import ValidationFailed
from crimebook.register.domain import (
    check_place,
    check_window,
    check_within_lifetime,
    creates_cycle,
    periods_overlap,
)
from crimebook.register.models import Deployment, Person, Post, Source, Unit, UnitRelation
from crimebook.register.services._common import (
    audited_save,
    clean,
    raise_problems,
    require_compartment_write,
    require_reference_write,
    term,
)

UNIT_FIELDS = (
    "code",
    "name",
    "name_ru",
    "name_be",
    "unit_type",
    "valid_from",
    "valid_to",
    "latitude",
    "longitude",
)
POST_FIELDS = ("person", "unit", "rank", "position", "start", "end", "is_commander", "source")
DEPLOYMENT_FIELDS = (
    "compartment",
    "unit",
    "source",
    "start",
    "end",
    "precision",
    "place_name",
    "latitude",
    "longitude",
    "radius_m",
    "note",
)


@dataclass(frozen=True)
class UnitData:
    code: str
    name: str
    unit_type: str
    name_ru: str = ""
    name_be: str = ""
    valid_from: date | None = None
    valid_to: date | None = None
    latitude: float | None = None
    longitude: float | None = None


def _apply_unit(*, actor: Actor | None, unit: Unit, data: UnitData, creating: bool) -> Unit:
    require_reference_write(actor)
    raise_problems(check_window(data.valid_from, data.valid_to, what="unit's lifetime"))
    raise_problems(check_place(data.latitude, data.longitude, None))
    unit_type = term("unit_type", data.unit_type, field="unit_type")
    if unit_type is None:
        raise ValidationFailed.single("unit_type", gettext("A unit needs a unit type."))
    before = None if creating else snapshot(unit, UNIT_FIELDS)
    for name in (
        "code",
        "name",
        "name_ru",
        "name_be",
        "valid_from",
        "valid_to",
        "latitude",
        "longitude",
    ):
        setattr(unit, name, getattr(data, name))
    unit.unit_type = unit_type
    clean(unit)
    if not creating:
        bad = [
            p
            for p in Post.objects.filter(unit=unit)
            if check_within_lifetime(
                p.start, p.end, data.valid_from, data.valid_to, unit_name=unit.name
            )
        ]
        if bad:
            raise ValidationFailed.single(
                "valid_from",
                ngettext(
                    "%(n)d post in this unit would fall outside its lifetime.",
                    "%(n)d posts in this unit would fall outside its lifetime.",
                    len(bad),
                )
                % {"n": len(bad)},
            )
    with transaction.atomic():
        audited_save(actor=actor, instance=unit, before=before, fields=UNIT_FIELDS)
    return unit


def unit_create(*, actor: Actor | None, data: UnitData) -> Unit:
    return _apply_unit(actor=actor, unit=Unit(), data=data, creating=True)


def unit_update(*, actor: Actor | None, unit: Unit, data: UnitData) -> Unit:
    return _apply_unit(actor=actor, unit=unit, data=data, creating=False)


def unit_parent_add(
    *,
    actor: Actor | None,
    child: Unit,
    parent: Unit,
    valid_from: date | None = None,
    valid_to: date | None = None,
) -> UnitRelation:
    """Make ``child`` subordinate to ``parent`` for a period, refusing cycles and a second
    parent in an overlapping period."""
    require_reference_write(actor)
    raise_problems(check_window(valid_from, valid_to, what="subordination"))
    edges: dict[int, list[int]] = defaultdict(list)
    for c, p in UnitRelation.objects.values_list("child_id", "parent_id"):
        edges[c].append(p)
    if creates_cycle(edges, child.pk, parent.pk):
        raise ValidationFailed.single(
            "parent",
            gettext("%(parent)s is already below %(child)s: this would make a cycle.")
            % {"parent": parent.display_name, "child": child.display_name},
        )
    for link in UnitRelation.objects.filter(child=child):
        if periods_overlap(link.valid_from, link.valid_to, valid_from, valid_to):
            raise ValidationFailed.single(
                "valid_from",
                gettext("%(child)s already has a parent unit in this period; end that link first.")
                % {"child": child.display_name},
            )
    relation = UnitRelation(child=child, parent=parent, valid_from=valid_from, valid_to=valid_to)
    with transaction.atomic():
        audited_save(
            actor=actor,
            instance=relation,
            before=None,
            fields=("child", "parent", "valid_from", "valid_to"),
        )
    return relation


def unit_parent_end(*, actor: Actor | None, relation: UnitRelation, valid_to: date) -> UnitRelation:
    require_reference_write(actor)
    raise_problems(check_window(relation.valid_from, valid_to, what="subordination"))
    before = snapshot(relation, ("valid_to",))
    relation.valid_to = valid_to
    with transaction.atomic():
        audited_save(actor=actor, instance=relation, before=before, fields=("valid_to",))
    return relation


@dataclass(frozen=True)
class PostData:
    person_id: int
    unit_id: int
    rank: str = ""
    position: str = ""
    start: date | None = None
    end: date | None = None
    is_commander: bool = False
    source_id: int | None = None


def _apply_post(*, actor: Actor | None, post: Post, data: PostData, creating: bool) -> Post:
    person = Person.objects.filter(pk=data.person_id).first()
    if person is None:
        raise ValidationFailed.single(
            "person_id", gettext("No person with id %(id)s.") % {"id": data.person_id}
        )
    require_compartment_write(actor, person.compartment_id)
    unit = Unit.objects.filter(pk=data.unit_id).first()
    if unit is None:
        raise ValidationFailed.single(
            "unit_id", gettext("No unit with id %(id)s.") % {"id": data.unit_id}
        )
    raise_problems(check_window(data.start, data.end, what="post"))
    raise_problems(
        check_within_lifetime(
            data.start, data.end, unit.valid_from, unit.valid_to, unit_name=unit.name
        )
    )
    if (
        data.source_id is not None
        and not Source.objects.filter(
            pk=data.source_id, compartment_id=person.compartment_id
        ).exists()
    ):
        raise ValidationFailed.single(
            "source_id", gettext("No such source in this person's compartment.")
        )
    before = None if creating else snapshot(post, POST_FIELDS)
    post.person = person
    post.unit = unit
    for name in ("rank", "position", "start", "end", "is_commander", "source_id"):
        setattr(post, name, getattr(data, name))
    clean(post)
    with transaction.atomic():
        audited_save(actor=actor, instance=post, before=before, fields=POST_FIELDS)
    return post


def post_create(*, actor: Actor | None, data: PostData) -> Post:
    return _apply_post(actor=actor, post=Post(), data=data, creating=True)


def post_update(*, actor: Actor | None, post: Post, data: PostData) -> Post:
    return _apply_post(actor=actor, post=post, data=data, creating=False)


@dataclass(frozen=True)
class DeploymentData:
    compartment_id: int
    unit_id: int
    source_id: int
    start: datetime | None = None
    end: datetime | None = None
    precision: str = "range"
    place_name: str = ""
    latitude: float | None = None
    longitude: float | None = None
    radius_m: float | None = None
    note: str = ""


def _apply_deployment(
    *, actor: Actor | None, deployment: Deployment, data: DeploymentData, creating: bool
) -> Deployment:
    require_compartment_write(actor, data.compartment_id)
    if not creating and deployment.compartment_id != data.compartment_id:
        require_compartment_write(actor, deployment.compartment_id)
    raise_problems(  # every problem at once, not one per attempt
        check_window(data.start, data.end, what="deployment")
        + check_place(data.latitude, data.longitude, data.radius_m)
    )
    if not Unit.objects.filter(pk=data.unit_id).exists():
        raise ValidationFailed.single(
            "unit_id", gettext("No unit with id %(id)s.") % {"id": data.unit_id}
        )
    if not Source.objects.filter(pk=data.source_id, compartment_id=data.compartment_id).exists():
        raise ValidationFailed.single(
            "source_id", gettext("A deployment needs a source in the same compartment.")
        )
    before = None if creating else snapshot(deployment, DEPLOYMENT_FIELDS)
    for name in (
        "compartment_id",
        "unit_id",
        "source_id",
        "start",
        "end",
        "precision",
        "place_name",
        "latitude",
        "longitude",
        "radius_m",
        "note",
    ):
        setattr(deployment, name, getattr(data, name))
    clean(deployment)
    with transaction.atomic():
        audited_save(actor=actor, instance=deployment, before=before, fields=DEPLOYMENT_FIELDS)
    return deployment


def deployment_create(*, actor: Actor | None, data: DeploymentData) -> Deployment:
    return _apply_deployment(actor=actor, deployment=Deployment(), data=data, creating=True)


def deployment_update(
    *, actor: Actor | None, deployment: Deployment, data: DeploymentData
) -> Deployment:
    return _apply_deployment(actor=actor, deployment=deployment, data=data, creating=False)


__all__ = [
    "DeploymentData",
    "PostData",
    "UnitData",
    "deployment_create",
    "deployment_update",
    "post_create",
    "post_update",
    "unit_create",
    "unit_parent_add",
    "unit_parent_end",
    "unit_update",
]
