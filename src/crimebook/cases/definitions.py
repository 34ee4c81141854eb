"""Legal definitions shipped as data (PURE: no Django).

``fixtures/legal_definitions.json`` holds the definitions (CAT art. 1, Rome Statute art. 7
underlying acts, the Belarus Criminal Code art. 128 note) with their elements in en/ru/be.
Shared element groups (the art. 7 chapeau) are written once and included by each definition
that needs them; :func:`expand` turns the document into flat, validated records, so the
database loader and the tests see the same thing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "ELEMENT_KINDS",
    "FIXTURE",
    "LANGS",
    "DefinitionError",
    "DefinitionRecord",
    "ElementRecord",
    "definitions_document",
    "expand",
]

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "legal_definitions.json"
LANGS = ("en", "ru", "be")
ELEMENT_KINDS = ("contextual", "material", "circumstance", "mental")
_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")


class DefinitionError(ValueError):
    """The definitions document is malformed; the message names the place."""


@dataclass(frozen=True)
class ElementRecord:
    code: str
    kind: str
    order: int
    text: dict[str, str]
    group: str = ""  # the shared group it came from ("" for the definition's own)


@dataclass(frozen=True)
class DefinitionRecord:
    code: str
    instrument: dict[str, str]
    article: str
    title: dict[str, str]
    summary: dict[str, str]
    order: int
    elements: tuple[ElementRecord, ...]


def definitions_document() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return data


def _texts(value: Any, where: str) -> dict[str, str]:
    if not isinstance(value, dict) or any(
        not isinstance(value.get(lang), str) or not value[lang].strip() for lang in LANGS
    ):
        raise DefinitionError(f"{where}: needs non-empty en, ru and be texts")
    return {lang: value[lang].strip() for lang in LANGS}


def _code(value: Any, where: str) -> str:
    if not isinstance(value, str) or not _CODE.match(value):
        raise DefinitionError(f"{where}: code {value!r} is not lower-case letters, digits, '-'")
    return value


def _elements(items: Any, where: str, group: str, start: int) -> list[ElementRecord]:
    if not isinstance(items, list) or not items:
        raise DefinitionError(f"{where}: needs a list of elements")
    out = []
    for i, item in enumerate(items):
        here = f"{where} element {i + 1}"
        if not isinstance(item, dict):
            raise DefinitionError(f"{here}: not an object")
        kind = item.get("kind")
        if kind not in ELEMENT_KINDS:
            raise DefinitionError(f"{here}: kind must be one of {', '.join(ELEMENT_KINDS)}")
        out.append(
            ElementRecord(
                code=_code(item.get("code"), here), kind=str(kind), order=start + i,
                text=_texts(item.get("text"), here), group=group,
            )
        )  # fmt: skip
    return out


def expand(document: Any) -> tuple[str, list[DefinitionRecord]]:
    """(version, definitions with their included groups' elements appended)."""
    if not isinstance(document, dict):
        raise DefinitionError("the document is not an object")
    version = document.get("version")
    if not isinstance(version, str) or not version.strip():
        raise DefinitionError("the document has no version")
    raw_groups = document.get("groups") or {}
    if not isinstance(raw_groups, dict):
        raise DefinitionError("groups must be an object")
    groups: dict[str, list[ElementRecord]] = {}
    for name, group in raw_groups.items():
        if not isinstance(group, dict):
            raise DefinitionError(f"group {name}: not an object")
        groups[_code(name, f"group {name}")] = _elements(
            group.get("elements"), f"group {name}", name, 0
        )
    raw = document.get("definitions")
    if not isinstance(raw, list) or not raw:
        raise DefinitionError("the document has no definitions")
    seen: set[str] = set()
    out: list[DefinitionRecord] = []
    for order, item in enumerate(raw):
        where = f"definition {order + 1}"
        if not isinstance(item, dict):
            raise DefinitionError(f"{where}: not an object")
        code = _code(item.get("code"), where)
        where = f"definition {code}"
        if code in seen:
            raise DefinitionError(f"{where}: appears twice")
        seen.add(code)
        elements = _elements(item.get("elements"), where, "", 0)
        for name in item.get("include") or []:
            if name not in groups:
                raise DefinitionError(f"{where}: includes unknown group {name!r}")
            base = len(elements)
            elements += [
                ElementRecord(e.code, e.kind, base + e.order, e.text, e.group) for e in groups[name]
            ]
        codes = [e.code for e in elements]
        if len(set(codes)) != len(codes):
            raise DefinitionError(f"{where}: element codes repeat")
        article = item.get("article")
        if not isinstance(article, str) or not article.strip():
            raise DefinitionError(f"{where}: needs an article")
        out.append(
            DefinitionRecord(
                code=code, instrument=_texts(item.get("instrument"), where),
                article=article.strip(), title=_texts(item.get("title"), where),
                summary=_texts(item.get("summary"), where), order=order,
                elements=tuple(elements),
            )
        )  # fmt: skip
    return version.strip(), out
