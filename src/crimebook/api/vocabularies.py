"""/vocabularies: the controlled vocabularies (shared reference data, read-only) and their
terms, labelled in en/ru/be. Codes are what the other resources accept."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from crimebook.api._common import Page, PageParams, caller, paginate, responses
from crimebook.core.errors import NotFound
from crimebook.register.models import Term, Vocabulary

router = Router(tags=["vocabularies"])


class VocabularyOut(Schema):
    id: int
    code: str
    version: str
    name_en: str
    name_ru: str
    name_be: str


class TermOut(Schema):
    id: int
    code: str
    label_en: str
    label_ru: str
    label_be: str
    introduced_in: str
    retired_in: str = Field(..., description="Empty while the term is in use.")


class TermQuery(Schema):
    retired: bool = Field(False, description="Include retired terms.")
    q: str = Field("", max_length=200, description="Part of a code or a label.")


def _vocabulary(code: str) -> Vocabulary:
    found = Vocabulary.objects.filter(code=code).first()
    if found is None:
        raise NotFound("vocabulary")
    return found


@router.get("", response=responses(Page[VocabularyOut]), summary="List vocabularies")
def list_vocabularies(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    caller(request)
    return paginate(Vocabulary.objects.all(), page)


@router.get("/{code}", response=responses(VocabularyOut), summary="Read a vocabulary")
def get_vocabulary(request: HttpRequest, code: str) -> Vocabulary:
    caller(request)
    return _vocabulary(code)


@router.get("/{code}/terms", response=responses(Page[TermOut]), summary="List a vocabulary's terms")
def list_terms(
    request: HttpRequest, code: str, filters: Query[TermQuery], page: Query[PageParams]
) -> dict[str, Any]:
    caller(request)
    terms = Term.objects.filter(vocabulary=_vocabulary(code))
    if not filters.retired:
        terms = terms.filter(retired_in="")
    if filters.q:
        from django.db.models import Q

        q = filters.q
        terms = terms.filter(
            Q(code__icontains=q)
            | Q(label_en__icontains=q)
            | Q(label_ru__icontains=q)
            | Q(label_be__icontains=q)
        )
    return paginate(terms, page)
