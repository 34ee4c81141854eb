"""Case services: who may do what, classification, support links, bad input changes nothing,
every write audited."""

from __future__ import annotations

from typing import Any

import pytest

from crimebook.audit.models import AuditEntry
from crimebook.cases import selectors
from crimebook.cases import services as cs
from crimebook.cases.dossier.plan import classification_matrix
from crimebook.cases.models import Case, CaseMember, Classification, ElementSupport
from crimebook.core.errors import NotFound, PermissionDenied, ValidationFailed
from tests import factories as f
from tests.cases.helpers import CaseWorld, exhibit

pytestmark = pytest.mark.django_db


def _data(compartment: Any, **kw: Any) -> cs.CaseData:
    base: dict[str, Any] = {"compartment_id": compartment.pk, "title": "T", "purpose": "P",
                            "mechanism": "universal"}  # fmt: skip
    base.update(kw)
    return cs.CaseData(**base)


def test_only_legal_reviewers_open_cases(
    compartment: Any, investigator: Any, lead: Any, mallory: Any, make_user: Any
) -> None:
    with pytest.raises(PermissionDenied):
        cs.case_create(actor=investigator, data=_data(compartment))
    reader = make_user("legal_reviewer", (compartment,), member_role="read_only")
    with pytest.raises(PermissionDenied):
        cs.case_create(actor=reader, data=_data(compartment))
    outsider = make_user("legal_reviewer", ())
    with pytest.raises(ValidationFailed) as exc:
        cs.case_create(actor=outsider, data=_data(compartment))
    assert "compartment" in exc.value.errors
    case = cs.case_create(actor=lead, data=_data(compartment))
    assert CaseMember.objects.get(case=case).role == "lead"
    assert AuditEntry.objects.filter(object_type="cases.case", object_id=str(case.pk),
                                     action="create").exists()  # fmt: skip


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": "  "}, "title"),
        ({"purpose": ""}, "purpose"),
        ({"mechanism": "court"}, "mechanism"),
    ],
)
def test_bad_case_input_is_a_field_error_and_writes_nothing(
    compartment: Any, lead: Any, change: dict[str, Any], field: str
) -> None:
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        cs.case_create(actor=lead, data=_data(compartment, **change))
    assert field in exc.value.errors
    assert Case.objects.count() == 0 and AuditEntry.objects.count() == before


def test_a_case_is_visible_to_its_members_only(
    world: CaseWorld, investigator: Any, mallory: Any, lead: Any
) -> None:
    # an investigator of the same compartment who is not a member does not see it
    assert not selectors.cases_for(investigator).exists()
    with pytest.raises(NotFound):
        selectors.case_get_for(investigator, world.case.pk)
    with pytest.raises(NotFound):
        selectors.case_get_for(mallory, world.case.pk)
    with pytest.raises(NotFound):
        cs.case_material_add(actor=mallory, case=world.case, kind="incident", ids=[1])
    cs.case_member_set(actor=lead, case=world.case, username="ivy", role="viewer")
    assert selectors.case_get_for(investigator, world.case.pk) == world.case
    with pytest.raises(PermissionDenied):
        cs.case_classify(actor=investigator, case=world.case, act_id=world.act.pk,
                         definition="rome-7-1-f")  # fmt: skip
    with pytest.raises(PermissionDenied):
        cs.case_member_set(actor=investigator, case=world.case, username="ivy", role="lead")


def test_membership_rules(world: CaseWorld, lead: Any, mallory: Any) -> None:
    # someone outside the compartment cannot be added
    with pytest.raises(ValidationFailed) as exc:
        cs.case_member_set(actor=lead, case=world.case, username=mallory.username, role="viewer")
    assert "username" in exc.value.errors
    with pytest.raises(ValidationFailed):
        cs.case_member_set(actor=lead, case=world.case, username="lena", role="boss")
    # the last lead can be neither demoted nor removed
    with pytest.raises(ValidationFailed, match="at least one lead"):
        cs.case_member_set(actor=lead, case=world.case, username="lena", role="viewer")
    with pytest.raises(ValidationFailed, match="at least one lead"):
        cs.case_member_remove(actor=lead, case=world.case, username="lena")


def test_material_from_another_compartment_is_refused_all_or_nothing(
    world: CaseWorld, lead: Any, other_compartment: Any
) -> None:
    foreign = f.incident(other_compartment, title="Elsewhere")
    mine = f.incident(world.case.compartment, title="Second yard")
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        cs.case_material_add(
            actor=lead, case=world.case, kind="incident", ids=[mine.pk, foreign.pk]
        )
    assert str(foreign.pk) in exc.value.errors["ids"][0]
    assert not world.case.incidents.filter(pk=mine.pk).exists()
    assert AuditEntry.objects.count() == before
    for kind, ids in (("planet", [1]), ("incident", []), ("incident", ["x"])):
        with pytest.raises(ValidationFailed):
            cs.case_material_add(actor=lead, case=world.case, kind=kind, ids=ids)


def test_derivatives_are_not_exhibits(world: CaseWorld, lead: Any) -> None:
    from crimebook.evidence.models import EvidenceItem

    thumb = EvidenceItem.objects.create(
        compartment=world.case.compartment, kind="photo", original_name="t.jpg",
        sha256="0" * 64, derived_from=world.exhibit_ok, derivation="thumbnail",
    )  # fmt: skip
    with pytest.raises(ValidationFailed, match="ingested original"):
        cs.case_material_add(actor=lead, case=world.case, kind="exhibit", ids=[thumb.pk])


def test_classification_rules(world: CaseWorld, lead: Any, compartment: Any) -> None:
    other_victim = f.person(compartment, "Another Victim")
    stray = f.act(f.incident(compartment, title="Not in the case"), other_victim)
    with pytest.raises(ValidationFailed) as exc:
        cs.case_classify(actor=lead, case=world.case, act_id=stray.pk, definition="cat-1")
    assert "act" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        cs.case_classify(actor=lead, case=world.case, act_id=world.act.pk, definition="nope")
    assert "definition" in exc.value.errors
    with pytest.raises(ValidationFailed, match="already classified"):
        cs.case_classify(actor=lead, case=world.case, act_id=world.act.pk, definition="cat-1")
    made = cs.case_classify(actor=lead, case=world.case, act_id=world.act.pk,
                            definition="rome-7-1-f", note="custody at Okrestina")  # fmt: skip
    rows = classification_matrix(made)
    assert len(rows) == 6 and all(r.gap for r in rows)
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry is not None and entry.action == "classify"
    assert entry.changes["definition"] == "rome-7-1-f"
    # an incident with classified acts cannot leave the case
    with pytest.raises(ValidationFailed, match="classified"):
        cs.case_material_remove(actor=lead, case=world.case, kind="incident",
                                record_id=world.incident.pk)  # fmt: skip


def test_support_links_close_gaps_and_are_checked(world: CaseWorld, lead: Any) -> None:
    c = world.classification
    severe = c.definition.elements.get(code="severe-pain")
    rome = cs.case_classify(actor=lead, case=world.case, act_id=world.act.pk,
                            definition="rome-7-1-e")  # fmt: skip
    foreign_element = rome.definition.elements.first()
    assert foreign_element is not None
    stray = exhibit(world.case.compartment, name="stray.jpg", seed=9, source=world.consenting)
    bad_inputs = [
        ({"element_id": foreign_element.pk, "material": f"exhibit:{world.exhibit_ok.pk}",
          "note": "x"}, "element"),
        ({"element_id": severe.pk, "material": f"exhibit:{stray.pk}", "note": "x"}, "material"),
        ({"element_id": severe.pk, "material": "exhibit:abc", "note": "x"}, "material"),
        ({"element_id": severe.pk, "material": f"exhibit:{world.exhibit_ok.pk}", "note": " "},
         "note"),
        ({"element_id": severe.pk, "material": f"exhibit:{world.exhibit_ok.pk}",
          "note": "x" * 501}, "note"),
    ]  # fmt: skip
    for kwargs, field in bad_inputs:
        with pytest.raises(ValidationFailed) as exc:
            cs.support_add(actor=lead, case=world.case, classification_id=c.pk, **kwargs)
        assert field in exc.value.errors, kwargs
    assert not ElementSupport.objects.exists()
    with pytest.raises(NotFound):
        cs.support_add(actor=lead, case=world.case, classification_id=987654, element_id=severe.pk,
                       material=f"exhibit:{world.exhibit_ok.pk}", note="x")  # fmt: skip
    cs.support_add(actor=lead, case=world.case, classification_id=c.pk, element_id=severe.pk,
                   material=f"testimony:{world.consenting.pk}", note="describes the beating")  # fmt: skip
    rows = classification_matrix(c)
    assert [r.gap for r in rows] == [False, True, True, True]
    with pytest.raises(ValidationFailed, match="Already linked"):
        cs.support_add(actor=lead, case=world.case, classification_id=c.pk, element_id=severe.pk,
                       material=f"testimony:{world.consenting.pk}", note="again")  # fmt: skip
    # a testimony that supports an element cannot leave the case
    with pytest.raises(ValidationFailed, match="supports elements"):
        cs.case_material_remove(actor=lead, case=world.case, kind="testimony",
                                record_id=world.consenting.pk)  # fmt: skip
    support = ElementSupport.objects.get()
    cs.support_remove(actor=lead, case=world.case, support_id=support.pk)
    assert gap_total(c) == 4
    actions = list(
        AuditEntry.objects.filter(object_type="cases.case").values_list("action", flat=True)
    )
    assert "support_add" in actions and "support_remove" in actions


def gap_total(c: Classification) -> int:
    return sum(1 for r in classification_matrix(c) if r.gap)
