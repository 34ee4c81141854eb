"""Producing a dossier (CONVENTIONS 1–2): plan → PDF → sealed exhibit ZIP, every step audited.

The PDF is rendered first (it is also sealed into the ZIP as ``dossier.pdf.age``); then each
included exhibit's read is audited (``export`` on the evidence item: its custody shows the
hand-over) and the exhibits are re-sealed into the ZIP; last, one ``dossier_export`` entry on
the case records the recipient's fingerprint, the counts included and left out, and the
SHA-256 of the PDF and of the ZIP.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import BinaryIO

import pyrage
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext

from crimebook.audit.services import Actor, audit_record
from crimebook.cases.dossier.bundle import (
    BundleError,
    ExhibitFile,
    parse_recipient,
    recipient_fingerprint,
    write_bundle,
)
from crimebook.cases.dossier.plan import DossierPlan, DossierRefused, dossier_plan
from crimebook.cases.dossier.render import DossierRenderError, render_html, render_pdf
from crimebook.cases.models import Case
from crimebook.cases.selectors import can_export, case_get_for
from crimebook.core.errors import PermissionDenied, ValidationFailed
from crimebook.evidence import keys
from crimebook.evidence.pipeline import OBJECT_TYPE as EVIDENCE_OBJECT

__all__ = [
    "BundleError",
    "DossierOutcome",
    "DossierRefused",
    "DossierRenderError",
    "dossier_export",
    "dossier_pdf",
]

CASE_OBJECT = "cases.case"


@dataclass(frozen=True)
class DossierOutcome:
    pdf_sha256: str
    pdf_size: int
    zip_sha256: str = ""
    zip_size: int = 0
    exhibits: int = 0
    omitted: int = 0


def _allowed(actor: Actor | None, case: Case) -> None:
    if actor is None:
        return
    case_get_for(actor, case.pk)
    if not can_export(actor, case):
        raise PermissionDenied(gettext("Only the case's lead and reviewers may export a dossier."))


def _pdf(plan: DossierPlan, actor: Actor | None, language: str) -> bytes:
    who = actor.get_username() if actor is not None else "system"
    return render_pdf(render_html(plan, language=language, extra={"exported_by": who}))


def dossier_pdf(*, actor: Actor | None, case: Case, language: str = "en") -> bytes:
    """The PDF alone (to read on screen); audited as an export of the case."""
    _allowed(actor, case)
    with translation.override(language):  # element texts in the dossier's language
        plan = dossier_plan(case)
    data = _pdf(plan, actor, language)
    with transaction.atomic():
        audit_record(
            actor=actor, action="dossier_pdf", object_type=CASE_OBJECT, object_id=case.pk,
            changes={"pdf_sha256": hashlib.sha256(data).hexdigest(),
                     "exhibits": len(plan.exhibits), "omitted": plan.omitted_counts},
        )  # fmt: skip
    return data


def _open_sealed(exhibit: ExhibitFile) -> AbstractContextManager[BinaryIO]:
    """The sealed copy from the store the item was written to, not the configured one: a vault
    that moved to S3 still holds its earlier items on disk."""
    return keys.store_for(exhibit.storage_backend).open(exhibit.storage_key)


def dossier_export(
    *,
    actor: Actor | None,
    case: Case,
    recipient: str,
    zip_sink: BinaryIO,
    language: str = "en",
    progress: Callable[[int], None] | None = None,
) -> tuple[bytes, DossierOutcome]:
    """Render the PDF and write the exhibit ZIP (sealed to ``recipient``) to ``zip_sink``.
    Returns the PDF bytes and what was written. Raises DossierRefused (nothing consented),
    ValidationFailed (bad recipient), DossierRenderError, BundleError."""
    _allowed(actor, case)
    try:
        key = parse_recipient(recipient)
    except BundleError:  # said in the reader's language (the bundle's text is English)
        raise ValidationFailed.single("recipient", gettext(
            "The recipient is not an age X25519 public key (age1…): ask the prosecutor for "
            "theirs."
        )) from None  # fmt: skip
    with translation.override(language):  # element texts in the dossier's language
        plan = dossier_plan(case)
    pdf = _pdf(plan, actor, language)
    extra = [("dossier.pdf.age", pyrage.encrypt(pdf, [key]))]
    for t in plan.timestamps:
        extra.append((f"timestamps/{t.head_seq}-{t.pk}.tst", bytes(t.token)))
        extra.append((f"timestamps/{t.head_seq}-{t.pk}.head.txt", str(t.head_hash).encode()))
    exhibits = [
        ExhibitFile(
            number=e.number, uuid=str(e.item.uuid), original_name=e.item.original_name,
            size=e.item.size, sha256=e.item.sha256, storage_key=e.item.storage_key,
            storage_backend=e.item.storage_backend,
            kind=e.item.kind, media_type=e.item.media_type,
            captured_at=e.item.captured_at.isoformat() if e.item.captured_at else "",
            source=f"S{e.item.source_id}", consent_limited_to=e.consent_limited_to,
        )
        for e in plan.exhibits
    ]  # fmt: skip
    fingerprint = recipient_fingerprint(recipient)
    with transaction.atomic():  # custody: every exhibit handed over is an entry of its own
        for e in plan.exhibits:
            audit_record(
                actor=actor, action="export", object_type=EVIDENCE_OBJECT, object_id=e.item.pk,
                changes={"case": str(case.uuid), "number": e.number, "recipient": fingerprint},
            )  # fmt: skip
    pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    header: dict[str, object] = {
        "format": "crimebook-dossier/1", "case": str(case.uuid), "title": case.title,
        "generated_at": plan.generated_at.isoformat(),
        "audit_head": {"seq": plan.audit_head[0], "entry_hash": plan.audit_head[1]}
        if plan.audit_head else None,
        "pdf_sha256": pdf_sha256,
        "omitted": [{"kind": o.kind, "record": o.label, "reason": o.reason}
                    for o in plan.omissions],
    }  # fmt: skip
    try:
        result = write_bundle(
            zip_sink, exhibits=exhibits, open_sealed=_open_sealed,
            identities=keys.vault_identities(), recipient=recipient, header=header,
            extra_files=extra, progress=progress,
        )  # fmt: skip
    except BundleError as exc:
        with transaction.atomic():
            audit_record(
                actor=actor, action="dossier_export_failed", object_type=CASE_OBJECT,
                object_id=case.pk, changes={"recipient": fingerprint, "reason": str(exc)[:300]},
            )  # fmt: skip
        raise
    outcome = DossierOutcome(
        pdf_sha256=pdf_sha256, pdf_size=len(pdf), zip_sha256=result.sha256,
        zip_size=result.size, exhibits=len(exhibits), omitted=len(plan.omissions),
    )  # fmt: skip
    with transaction.atomic():
        audit_record(
            actor=actor, action="dossier_export", object_type=CASE_OBJECT, object_id=case.pk,
            changes={
                "recipient": fingerprint, "pdf_sha256": outcome.pdf_sha256,
                "zip_sha256": outcome.zip_sha256, "exhibits": outcome.exhibits,
                "testimonies": len(plan.testimonies), "incidents": len(plan.incidents),
                "omitted": plan.omitted_counts,
            },
        )  # fmt: skip
    return pdf, outcome
