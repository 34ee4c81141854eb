"""Builders for case-file tests (also used by the permission matrix)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from crimebook.cases import services as cs
from crimebook.evidence.models import EvidenceItem
from crimebook.evidence.services import evidence_ingest_stream
from crimebook.register import services as s
from tests import factories as f
from tests.evidence.helpers import jpeg_bytes


def exhibit(compartment: Any, *, name: str, seed: int, source: Any = None) -> EvidenceItem:
    out = evidence_ingest_stream(
        actor=None, compartment_id=compartment.pk, name=name,
        stream=io.BytesIO(jpeg_bytes(seed=seed)), source_id=source.pk if source else None,
        process=False,
    )  # fmt: skip
    return EvidenceItem.objects.get(pk=out.item_id)


@dataclass
class CaseWorld:
    case: Any
    incident: Any
    act: Any
    suspect: Any
    consenting: Any  # source that consented to prosecution use
    refusing: Any  # source that consented to investigation only
    exhibit_ok: EvidenceItem
    exhibit_withheld: EvidenceItem
    classification: Any


def build_case(compartment: Any, lead: Any | None = None, *, mark: str = "") -> CaseWorld:
    """A case with one incident, one act, a suspect, two testimonies (one consenting to
    prosecution use, one not), an exhibit from each, and the act classified as torture."""
    consenting = f.source(compartment, title=f"{mark}Interview V-1", consent_prosecution=True,
                          consent_prosecution_with="ICC OTP")  # fmt: skip
    refusing = f.source(compartment, title=f"{mark}Interview V-2 (no prosecution)")
    victim = f.person(compartment, f"{mark} Victim Person")
    incident = f.incident(compartment, title=f"{mark}Okrestina yard beating",
                          source_ids=(consenting.pk,))  # fmt: skip
    act = f.act(incident, victim, act_type="torture")
    suspect = f.person(compartment, f"{mark} Suspect Person", is_perpetrator=True)
    s.involvement_create(
        actor=None,
        data=s.InvolvementData(act_id=act.pk, person_id=suspect.pk, degree="perpetrated",
                               basis_source_ids=(consenting.pk,)),
    )  # fmt: skip
    ok = exhibit(compartment, name="injuries.jpg", seed=3, source=consenting)
    withheld = exhibit(compartment, name="cell.jpg", seed=4, source=refusing)
    case = cs.case_create(
        actor=lead,
        data=cs.CaseData(compartment_id=compartment.pk, title=f"{mark}Okrestina August 2020",
                         purpose="Torture at the Okrestina detention centre, 9–13 August 2020",
                         mechanism="icc", mechanism_detail="Office of the Prosecutor"),
    )  # fmt: skip
    cs.case_material_add(actor=lead, case=case, kind="incident", ids=[incident.pk])
    cs.case_material_add(actor=lead, case=case, kind="suspect", ids=[suspect.pk])
    cs.case_material_add(actor=lead, case=case, kind="exhibit", ids=[ok.pk, withheld.pk])
    cs.case_material_add(actor=lead, case=case, kind="testimony", ids=[consenting.pk, refusing.pk])
    classification = cs.case_classify(actor=lead, case=case, act_id=act.pk, definition="cat-1")
    return CaseWorld(case, incident, act, suspect, consenting, refusing, ok, withheld,
                     classification)  # fmt: skip
