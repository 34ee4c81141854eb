"""Review of leads: accept (the real link, with its basis and the analyst's name) or reject
(remembered: the pair is never proposed again). Both are one transaction with an audit entry.

Who may review: investigators and analysts who are members of the lead's compartment in one
of those roles; everyone who can read both sides may view. Grades stay "possible": accepting
a unit or person lead records a *possible* involvement, never more.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crimebook.accounts.models import Membership, Role
from crimebook.audit.services import audit_record
from crimebook.core.errors import NotFound, PermissionDenied, ValidationFailed
from crimebook.evidence.models import EvidenceItem
from crimebook.evidence.services import evidence_link
from crimebook.leads.models import Lead
from crimebook.register.models import Act, Deployment, Involvement, Post, Source
from crimebook.register.services import InvolvementData, involvement_create

REVIEWER_ROLES = frozenset({Role.INVESTIGATOR, Role.ANALYST})
OBJECT_TYPE = "leads.lead"
MAX_NOTE = 2000


def can_review(user: Any, compartment_id: int) -> bool:
    if not (getattr(user, "is_authenticated", False) and getattr(user, "is_active", False)):
        return False
    if user.role not in REVIEWER_ROLES:
        return False
    return Membership.objects.filter(
        user=user, compartment_id=compartment_id, role__in=list(REVIEWER_ROLES)
    ).exists()


def _locked(actor: Any, lead: Lead) -> Lead:
    """The lead re-read under a row lock, visible to the actor, still undecided."""
    found = (
        Lead.objects.visible_to(actor).select_for_update(of=("self",)).filter(pk=lead.pk).first()
    )
    if found is None:
        raise NotFound("lead")
    if not can_review(actor, found.compartment_id):
        raise PermissionDenied(_("Your role does not allow reviewing leads."))
    if found.status != Lead.Status.PROPOSED:
        raise ValidationFailed.single(
            "status",
            _("This lead was already decided (%(status)s).")
            % {"status": found.get_status_display()},
        )
    return found


def _note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ValidationFailed.single(
            "note", _("A note may have at most %(n)d characters.") % {"n": MAX_NOTE}
        )
    return note


def _involvement(actor: Any, lead: Lead, act_id: int | None, note: str) -> dict[str, Any]:
    """A possible involvement of the lead's person in one act of the incident, resting on the
    deployment's source (and the post's, when it has one in this compartment)."""
    acts = list(Act.objects.filter(incident_id=lead.incident_id).values_list("pk", flat=True))
    if act_id is None:
        if not acts:
            return {"involvement": None, "why": "the incident has no act to attach it to"}
        if len(acts) > 1:
            raise ValidationFailed.single(
                "act_id",
                _("This incident has several acts: choose the act the person is linked to."),
            )
        act_id = acts[0]
    elif act_id not in acts:
        raise ValidationFailed.single("act_id", _("No such act in this incident."))
    sources: list[int] = []
    if lead.deployment_id:
        sources += Deployment.objects.filter(pk=lead.deployment_id).values_list(
            "source_id", flat=True
        )
    if lead.post_id:
        sources += Post.objects.filter(pk=lead.post_id, source__isnull=False).values_list(
            "source_id", flat=True
        )
    sources = list(
        Source.objects.filter(pk__in=sources, compartment_id=lead.compartment_id).values_list(
            "pk", flat=True
        )
    )
    if not sources:
        raise ValidationFailed.single(
            "__all__", _("The lead has no source in this compartment to rest an involvement on.")
        )
    commander = (lead.details or {}).get("role") == "commander"
    involvement = involvement_create(
        actor=actor,
        data=InvolvementData(
            act_id=act_id,
            person_id=int(lead.person_id or 0),
            degree=Involvement.Degree.COMMANDED if commander else Involvement.Degree.PRESENT,
            confidence=Involvement.Confidence.POSSIBLE,
            basis_source_ids=tuple(sorted(set(sources))),
            basis_note=f"Correlation lead {lead.pk}: {lead.explanation}"
            + (f"\n{note}" if note else ""),
        ),
    )
    return {"involvement": involvement.pk, "act": act_id}


def lead_accept(*, actor: Any, lead: Lead, note: str = "", act_id: int | None = None) -> Lead:
    """Accept: create the link the lead proposes, then record the decision (audited).

    - photo/video: the item is linked to the incident (evidence service, audited there);
    - recording: its footage item, when held in the vault, is linked the same way; footage
      held elsewhere has no item, and the accepted lead is the link;
    - communication: the accepted lead is the link; the item holding the record (CDR
      export, intercept audio), when there is one, is linked to the incident as well;
    - person: a *possible* involvement in the chosen act (or the only one), with the
      deployment's source as its basis and the analyst's name;
    - unit, merge candidate: the accepted lead itself is the record (no automatic merge).
    """
    note = _note(note)
    with transaction.atomic():
        found = _locked(actor, lead)
        link: dict[str, Any] = {}
        if found.kind == Lead.Kind.MEDIA and found.item_id:
            item = EvidenceItem.objects.get(pk=found.item_id)
            evidence_link(actor=actor, item=item, kind="incident", target_id=found.incident_id)
            link = {"evidence_item": item.pk}
        elif found.kind == Lead.Kind.RECORDING and found.recording_id:
            item_id = found.recording.item_id if found.recording else None
            if item_id:
                item = EvidenceItem.objects.get(pk=item_id)
                evidence_link(actor=actor, item=item, kind="incident", target_id=found.incident_id)
                link = {"evidence_item": item.pk, "recording": found.recording_id}
            else:
                link = {"recording": found.recording_id, "held_by": "elsewhere"}
        elif found.kind == Lead.Kind.COMMUNICATION and found.communication_id:
            held = found.communication.item_id if found.communication else None
            link = {"communication": found.communication_id}
            if held:  # the record itself (CDR export, intercept audio) is in the vault
                item = EvidenceItem.objects.get(pk=held)
                evidence_link(actor=actor, item=item, kind="incident", target_id=found.incident_id)
                link["evidence_item"] = item.pk
        elif found.kind == Lead.Kind.PERSON:
            link = _involvement(actor, found, act_id, note)
        elif found.kind == Lead.Kind.UNIT:
            link = {"unit": found.unit_id, "grade": "possible"}
        elif found.kind == Lead.Kind.MERGE:
            link = {"same_event_as": found.other_incident_id}
        _decide(actor, found, Lead.Status.ACCEPTED, note, link)
    return found


def lead_reject(*, actor: Any, lead: Lead, note: str = "") -> Lead:
    """Reject: remembered for good — later runs leave the pair alone (audited)."""
    note = _note(note)
    with transaction.atomic():
        found = _locked(actor, lead)
        _decide(actor, found, Lead.Status.REJECTED, note, {})
    return found


def _decide(actor: Any, lead: Lead, status: str, note: str, link: dict[str, Any]) -> None:
    lead.status = status
    lead.reviewer = actor
    lead.decided_at = timezone.now()
    lead.decision_note = note
    lead.link = link
    lead.save(update_fields=["status", "reviewer", "decided_at", "decision_note", "link",
                             "updated_at"])  # fmt: skip
    audit_record(
        actor=actor,
        action="accept" if status == Lead.Status.ACCEPTED else "reject",
        object_type=OBJECT_TYPE,
        object_id=lead.pk,
        changes={
            "kind": lead.kind, "incident": lead.incident_id, "target": lead.target_key,
            "score": round(lead.score, 4), "status": ["proposed", status], "note": bool(note),
            "link": link,
        },
    )  # fmt: skip
