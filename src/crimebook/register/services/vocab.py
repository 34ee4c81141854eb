"""Loading the controlled vocabularies shipped with the package (idempotent, versioned)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.db import transaction

from crimebook.audit.services import Actor, audit_record
from crimebook.register.models import Term, Vocabulary

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "vocabularies.json"


def vocabulary_document() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return data


def load_into(document: dict[str, Any], vocabulary_model: Any, term_model: Any) -> list[str]:
    """Create or update vocabularies whose version changed; terms that disappeared from a
    vocabulary are marked retired in the new version, never deleted. Returns the codes of
    the vocabularies changed. Takes model classes so a data migration can use it too."""
    changed: list[str] = []
    for vocab in document["vocabularies"]:
        names = {f"name_{k}": vocab["name"][k] for k in ("en", "ru", "be")}
        obj, created = vocabulary_model.objects.get_or_create(
            code=vocab["code"], defaults={"version": vocab["version"], **names}
        )
        if not created and obj.version == vocab["version"]:
            continue
        obj.version = vocab["version"]
        for key, value in names.items():
            setattr(obj, key, value)
        obj.save()
        codes = set()
        for item in vocab["terms"]:
            codes.add(item["code"])
            labels = {f"label_{k}": item[k] for k in ("en", "ru", "be")}
            term, made = term_model.objects.get_or_create(
                vocabulary=obj,
                code=item["code"],
                defaults={**labels, "introduced_in": vocab["version"]},
            )
            if not made:
                for key, value in labels.items():
                    setattr(term, key, value)
                term.retired_in = ""
                term.save()
        term_model.objects.filter(vocabulary=obj, retired_in="").exclude(code__in=codes).update(
            retired_in=vocab["version"]
        )
        changed.append(obj.code)
    return changed


def vocabularies_load(*, actor: Actor | None, document: dict[str, Any] | None = None) -> int:
    doc = document or vocabulary_document()
    with transaction.atomic():
        changed = load_into(doc, Vocabulary, Term)
        versions = {v["code"]: v["version"] for v in doc["vocabularies"]}
        for code in changed:
            audit_record(
                actor=actor,
                action="load",
                object_type="register.vocabulary",
                object_id=code,
                changes={"version": versions[code]},
            )
    return len(changed)
