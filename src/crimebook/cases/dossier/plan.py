"""What a dossier contains: consent decides, and what is left out is stated with its reason.

Rules (DESIGN §8, ``register/consent.py``), for the use "sharing with prosecutors":

- an **exhibit** goes in when its source consented to prosecution use; an exhibit without a
  recorded source has no recorded consent and stays out;
- a **testimony** (source) goes in when it consented to prosecution use;
- an **incident** (and its acts) goes in when one of its sources consented, or when an
  included exhibit is linked to it; otherwise it is counted as left out;
- **suspects** appear by pseudonym only, with their graded involvement in included acts;
  identities are never printed in a dossier;
- a **classification** goes in with its act; in its matrix, support from left-out material is
  counted as withheld and an element left without support is a gap.

A case with nothing included is refused (``DossierRefused``): no empty PDF is produced.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.apps import apps
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, pgettext

from crimebook.audit.models import AuditEntry
from crimebook.cases.matrix import ElementIn, MatrixRow, SupportIn, build_matrix, gap_count
from crimebook.cases.models import Case, CaseMember, Classification
from crimebook.core.errors import ValidationFailed
from crimebook.evidence.models import EvidenceItem
from crimebook.evidence.pipeline import OBJECT_TYPE as EVIDENCE_OBJECT
from crimebook.register.consent import Use, permits
from crimebook.register.models import Act, Incident, Involvement, Person, Source

__all__ = ["DossierPlan", "DossierRefused", "Omission", "dossier_plan"]

_CHUNK = 500
BLOCK_ROWS = 50


class DossierRefused(ValidationFailed):
    """Nothing in the case may be handed to a prosecutor; no dossier is produced."""


@dataclass(frozen=True)
class Omission:
    """``kind`` and ``reason`` are stable English (the manifest carries them as such);
    ``kind_shown`` and ``reason_shown`` are in the active language, read when the page or
    the PDF is rendered (under the dossier's language, not the reader's)."""

    kind: str  # exhibit, testimony, incident
    label: str
    reason: str  # an English message id (gettext_noop)

    @property
    def kind_shown(self) -> str:
        return {
            "exhibit": pgettext("dossier omission", "exhibit"),
            "testimony": pgettext("dossier omission", "testimony"),
            "incident": pgettext("dossier omission", "incident"),
        }.get(self.kind, self.kind)

    @property
    def reason_shown(self) -> str:
        return gettext(self.reason)


@dataclass(frozen=True)
class Custody:
    entries: int
    first: str
    last: str
    actions: str  # "ingest 1, download 2"


@dataclass
class ExhibitRow:
    number: str
    item: EvidenceItem
    custody: Custody
    consent_limited_to: str


@dataclass
class ClassificationRow:
    classification: Classification
    rows: list[MatrixRow]
    gaps: int
    withheld: int


@dataclass
class DossierPlan:
    case: Case
    generated_at: datetime
    members: list[CaseMember]
    incidents: list[Incident]
    acts: list[Act]
    involvements: dict[int, list[Involvement]]
    suspects: list[Person]
    exhibits: list[ExhibitRow]
    testimonies: list[Source]
    classifications: list[ClassificationRow]
    omissions: list[Omission]
    audit_head: tuple[int, str] | None
    timestamps: list[Any] = field(default_factory=list)

    @property
    def exhibit_chunks(self) -> list[list[ExhibitRow]]:
        """The exhibit list in blocks of ``BLOCK_ROWS``: WeasyPrint walks the children of a
        block again for every page it spans, so one block of 5,000 rows makes the layout
        quadratic; blocks of 50 keep it linear."""
        rows = self.exhibits
        return [rows[i : i + BLOCK_ROWS] for i in range(0, len(rows), BLOCK_ROWS)]

    @property
    def omitted_counts(self) -> dict[str, int]:
        return dict(Counter(o.kind for o in self.omissions))


def _consent_reason(source: Source | None) -> str:
    if source is None:
        return gettext_noop(
            "no source recorded, so no consent to sharing with prosecutors is on record"
        )
    if not source.consent_investigation:
        return gettext_noop("the source did not consent to use in investigation")
    return gettext_noop("the source's consent does not cover sharing with prosecutors")


def _entry_text(entry: AuditEntry) -> str:
    return f"#{entry.seq} {entry.action} {entry.at:%Y-%m-%d} {entry.actor_name}"


def _custody(ids: list[int]) -> dict[int, Custody]:
    """One summary per exhibit from the audit log (bounded: a page of ids per query)."""
    entries: dict[int, list[AuditEntry]] = defaultdict(list)
    for start in range(0, len(ids), _CHUNK):
        chunk = [str(i) for i in ids[start : start + _CHUNK]]
        for entry in (
            AuditEntry.objects.filter(object_type=EVIDENCE_OBJECT, object_id__in=chunk)
            .only("seq", "at", "actor_name", "action", "object_id")
            .order_by("seq")
        ):
            entries[int(entry.object_id)].append(entry)
    out = {}
    for pk in ids:
        found = entries.get(pk, [])
        counts = Counter(e.action for e in found)
        out[pk] = Custody(
            entries=len(found),
            first=_entry_text(found[0]) if found else "",
            last=_entry_text(found[-1]) if found else "",
            actions=", ".join(f"{a} {n}" for a, n in sorted(counts.items())),
        )
    return out


def _timestamps(head_seq: int) -> list[Any]:
    """RFC 3161 tokens over the chain (the audit app's AuditTimestamp, when installed)."""
    try:
        model = apps.get_model("audit", "AuditTimestamp")
    except LookupError:
        return []
    return list(model.objects.filter(head_seq__lte=head_seq).order_by("-head_seq")[:5])


def dossier_plan(case: Case) -> DossierPlan:
    """Everything the dossier will show, consent applied. Raises DossierRefused.

    Texts that come from translated data (the legal elements) are read in the active
    language: build the plan under the dossier's language (``translation.override``)."""
    omissions: list[Omission] = []
    testimonies = []
    for source in case.testimonies.order_by("received_on", "pk"):
        if permits(source, Use.PROSECUTION):
            testimonies.append(source)
        else:
            omissions.append(Omission("testimony", f"S{source.pk}", _consent_reason(source)))
    exhibit_items = []
    for item in case.exhibits.select_related("source").order_by("captured_at", "pk"):
        if item.source is not None and permits(item.source, Use.PROSECUTION):
            exhibit_items.append(item)
        else:
            omissions.append(Omission("exhibit", f"{item.kind} #{item.pk}",
                                      _consent_reason(item.source)))  # fmt: skip
    exhibit_ids = [i.pk for i in exhibit_items]
    linked_incidents: set[int] = set()
    for start in range(0, len(exhibit_ids), _CHUNK):
        linked_incidents.update(
            EvidenceItem.incidents.through.objects.filter(
                evidenceitem_id__in=exhibit_ids[start : start + _CHUNK]
            ).values_list("incident_id", flat=True)
        )
    incidents = []
    for incident in case.incidents.prefetch_related("sources").order_by("start", "pk"):
        if incident.pk in linked_incidents or any(
            permits(s, Use.PROSECUTION) for s in incident.sources.all()
        ):
            incidents.append(incident)
        else:
            omissions.append(Omission(
                "incident", f"#{incident.pk}",
                gettext_noop(
                    "none of its sources consented to sharing with prosecutors and no "
                    "included exhibit shows it"
                ),
            ))  # fmt: skip
    if not (incidents or exhibit_items or testimonies):
        raise DossierRefused.single(
            "__all__",
            gettext(
                "Nothing in this case may be shared with a prosecutor: no exhibit, testimony "
                "or incident rests on a source that consented to it. No dossier was produced."
            ),
        )
    incident_ids = {i.pk for i in incidents}
    acts = list(
        Act.objects.filter(incident_id__in=incident_ids)
        .select_related("incident", "victim", "act_type", "detention_place")
        .order_by("incident__start", "pk")
    )
    involvements: dict[int, list[Involvement]] = defaultdict(list)
    for inv in Involvement.objects.filter(
        act__in=acts, person__suspect_in_cases=case
    ).select_related("person"):
        involvements[inv.act_id].append(inv)
    custody = _custody(exhibit_ids)
    exhibits = [
        ExhibitRow(
            number=f"E{n:04d}", item=item, custody=custody[item.pk],
            consent_limited_to=item.source.consent_prosecution_with if item.source else "",
        )
        for n, item in enumerate(exhibit_items, start=1)
    ]  # fmt: skip
    usable_exhibits = set(exhibit_ids)
    usable_testimonies = {s.pk for s in testimonies}
    classifications = []
    for c in (
        Classification.objects.filter(case=case, act__incident_id__in=incident_ids)
        .select_related("definition", "act__act_type", "act__victim")
        .prefetch_related("supports__exhibit", "supports__testimony", "definition__elements")
        .order_by("act__incident__start", "act_id", "definition__order")
    ):
        rows = classification_matrix(c, usable_exhibits, usable_testimonies)
        classifications.append(ClassificationRow(
            c, rows, gap_count(rows), sum(r.withheld for r in rows)
        ))  # fmt: skip
    head = AuditEntry.objects.order_by("-seq").values_list("seq", "entry_hash").first()
    return DossierPlan(
        case=case, generated_at=timezone.now(),
        members=list(case.members.select_related("user").order_by("role", "user__username")),
        incidents=incidents, acts=acts, involvements=dict(involvements),
        suspects=list(case.suspects.order_by("pseudonym")), exhibits=exhibits,
        testimonies=testimonies, classifications=classifications, omissions=omissions,
        audit_head=(int(head[0]), str(head[1])) if head else None,
        timestamps=_timestamps(int(head[0])) if head else [],
    )  # fmt: skip


def classification_matrix(
    c: Classification,
    usable_exhibits: set[int] | None = None,
    usable_testimonies: set[int] | None = None,
) -> list[MatrixRow]:
    """The matrix of one classification; with ``usable_*`` sets, other support is withheld."""
    elements = [
        ElementIn(e.pk, e.code, e.kind, e.text("text"), e.order)
        for e in c.definition.elements.all()
        if not e.retired_in
    ]
    supports = []
    for s in c.supports.all():
        if s.exhibit is not None:
            usable = usable_exhibits is None or s.exhibit_id in usable_exhibits
            label = f"{s.exhibit.original_name} ({s.exhibit.sha256[:12]}…)"
            supports.append(SupportIn(s.pk, s.element_id, "exhibit", s.exhibit.pk, label,
                                      s.note, usable))  # fmt: skip
        elif s.testimony is not None:
            usable = usable_testimonies is None or s.testimony_id in usable_testimonies
            supports.append(SupportIn(s.pk, s.element_id, "testimony", s.testimony.pk,
                                      s.testimony.title, s.note, usable))  # fmt: skip
    return build_matrix(elements, supports)
