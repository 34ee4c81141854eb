"""Loading the legal definitions shipped with the package into the database (idempotent,
versioned). Takes model classes so that the data migration can use it too."""

from __future__ import annotations

from typing import Any

from crimebook.cases.definitions import LANGS, DefinitionRecord, expand


def _texts(prefix: str, texts: dict[str, str]) -> dict[str, str]:
    return {f"{prefix}_{lang}": texts[lang] for lang in LANGS}


def _store(record: DefinitionRecord, version: str, definition_model: Any) -> Any:
    fields = {
        "version": version, "retired_in": "", "order": record.order, "article": record.article,
        **_texts("instrument", record.instrument), **_texts("title", record.title),
        **_texts("summary", record.summary),
    }  # fmt: skip
    obj, created = definition_model.objects.get_or_create(code=record.code, defaults=fields)
    if not created:
        for key, value in fields.items():
            setattr(obj, key, value)
        obj.save()
    return obj


def load_into(document: Any, definition_model: Any, element_model: Any) -> list[str]:
    """Create or update every definition when the document's version differs from the
    stored one; definitions and elements that disappeared are retired in the new version,
    never deleted (classifications keep pointing at them). Returns the codes written."""
    version, records = expand(document)
    stored = set(definition_model.objects.filter(retired_in="").values_list("version", flat=True))
    if stored == {version}:
        return []
    written = []
    for record in records:
        obj = _store(record, version, definition_model)
        for element in record.elements:
            values = {
                "kind": element.kind, "order": element.order, "group": element.group,
                "retired_in": "", **_texts("text", element.text),
            }  # fmt: skip
            element_model.objects.update_or_create(
                definition=obj, code=element.code, defaults=values
            )
        element_model.objects.filter(definition=obj, retired_in="").exclude(
            code__in=[e.code for e in record.elements]
        ).update(retired_in=version)
        written.append(record.code)
    definition_model.objects.filter(retired_in="").exclude(code__in=written).update(
        retired_in=version
    )
    return written
