"""Legal definitions shipped as data: the fixture is complete and valid, the loader is
versioned (retires, never deletes), malformed documents are refused with the place named."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from crimebook.cases.definitions import DefinitionError, definitions_document, expand
from crimebook.cases.loading import load_into
from crimebook.cases.models import LegalDefinition, LegalElement

REQUIRED = {
    "cat-1", "rome-7-1-e", "rome-7-1-f", "rome-7-1-g-1", "rome-7-1-g-6", "rome-7-1-h",
    "rome-7-1-i", "rome-7-1-k", "by-cc-128-note",
}  # fmt: skip


def test_fixture_has_every_definition_with_three_languages() -> None:
    version, records = expand(definitions_document())
    assert version
    assert {r.code for r in records} == REQUIRED
    cat = next(r for r in records if r.code == "cat-1")
    assert [e.code for e in cat.elements] == ["severe-pain", "intent", "purpose", "official"]
    for record in records:
        for element in record.elements:
            assert set(element.text) == {"en", "ru", "be"}
        if record.code.startswith("rome-7"):
            # every crime against humanity carries the chapeau, after its own elements
            assert [e.code for e in record.elements[-3:]] == [
                "ctx-attack", "ctx-policy", "ctx-knowledge",
            ]  # fmt: skip
            assert record.elements[-1].group == "rome-7-context"


@pytest.mark.django_db
def test_migration_loaded_the_definitions() -> None:
    assert set(LegalDefinition.objects.values_list("code", flat=True)) == REQUIRED
    torture = LegalDefinition.objects.get(code="rome-7-1-f")
    assert torture.elements.count() == 6
    assert "Пытк" in torture.title_ru or "пытк" in torture.title_ru


@pytest.mark.django_db
def test_new_version_retires_what_disappeared_and_keeps_rows() -> None:
    doc = copy.deepcopy(definitions_document())
    doc["version"] = "9999.1"
    doc["definitions"] = [d for d in doc["definitions"] if d["code"] != "rome-7-1-k"]
    cat = next(d for d in doc["definitions"] if d["code"] == "cat-1")
    cat["elements"] = [e for e in cat["elements"] if e["code"] != "official"]
    written = load_into(doc, LegalDefinition, LegalElement)
    assert "cat-1" in written
    assert LegalDefinition.objects.get(code="rome-7-1-k").retired_in == "9999.1"
    assert (
        LegalElement.objects.get(definition__code="cat-1", code="official").retired_in == "9999.1"
    )
    # loading the same version again changes nothing
    assert load_into(doc, LegalDefinition, LegalElement) == []


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.pop("version"), "no version"),
        (lambda d: d["definitions"][0]["title"].pop("be"), "en, ru and be"),
        (lambda d: d["definitions"][0]["elements"][0].update(kind="vibe"), "kind must be"),
        (lambda d: d["definitions"][1].update(include=["nope"]), "unknown group"),
        (lambda d: d["definitions"].append(copy.deepcopy(d["definitions"][0])), "appears twice"),
        (lambda d: d["definitions"][0].update(code="Bad Code"), "code"),
        (
            lambda d: d["definitions"][0]["elements"].append(
                copy.deepcopy(d["definitions"][0]["elements"][0])
            ),
            "repeat",
        ),
    ],
)
def test_malformed_documents_are_refused(mutate: Any, message: str) -> None:
    doc = copy.deepcopy(definitions_document())
    mutate(doc)
    with pytest.raises(DefinitionError, match=message):
        expand(doc)
