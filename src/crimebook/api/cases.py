"""/cases: case files (list, read, open), their material, classification of acts against
legal definitions and the elements matrix. Visible to the case's members only; everything
goes through ``crimebook.cases`` selectors and services, as the pages do."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status

from crimebook.api._common import (
    Input,
    Page,
    PageParams,
    UtcDatetime,
    caller,
    check_filters,
    paginate,
    responses,
)
from crimebook.cases import selectors, services
from crimebook.cases.dossier.plan import classification_matrix
from crimebook.cases.models import Case, Classification, LegalDefinition

router = Router(tags=["cases"])


class ElementOut(Schema):
    id: int
    code: str
    kind: str
    text: str = Field(..., description="In the request's language (en, ru or be).")

    @staticmethod
    def resolve_text(obj: Any) -> str:
        return str(obj.text_local)


class DefinitionOut(Schema):
    code: str
    version: str
    instrument: str
    article: str
    title: str
    summary: str
    elements: list[ElementOut]

    @staticmethod
    def resolve_instrument(obj: LegalDefinition) -> str:
        return obj.instrument_local

    @staticmethod
    def resolve_title(obj: LegalDefinition) -> str:
        return obj.title_local

    @staticmethod
    def resolve_summary(obj: LegalDefinition) -> str:
        return obj.summary_local

    @staticmethod
    def resolve_elements(obj: LegalDefinition) -> list[Any]:
        return list(obj.elements.all())


class CaseIn(Input):
    compartment_id: int
    title: str = Field(..., min_length=1, max_length=300)
    purpose: str = Field(..., min_length=1)
    mechanism: str = Field(
        ..., description="icc, un, universal (universal jurisdiction), national, sanctions, other."
    )
    mechanism_detail: str = Field("", max_length=300)
    summary: str = ""


class CaseOut(Schema):
    id: int
    uuid: UUID
    compartment_id: int
    title: str
    purpose: str
    mechanism: str
    mechanism_detail: str
    summary: str
    status: str
    created_at: UtcDatetime
    updated_at: UtcDatetime


class MemberOut(Schema):
    username: str
    role: str


class CaseDetailOut(CaseOut):
    members: list[MemberOut]
    incident_ids: list[int]
    suspect_ids: list[int]
    exhibit_ids: list[int]
    testimony_ids: list[int]
    classification_ids: list[int]


class MaterialIn(Input):
    ids: list[int] = Field(..., min_length=1, max_length=services.MAX_BATCH)


class ClassifyIn(Input):
    act_id: int
    definition: str = Field(..., description="A definition code, e.g. cat-1 or rome-7-1-f.")
    note: str = ""


class SupportIn(Input):
    element_id: int
    exhibit_id: int | None = None
    testimony_id: int | None = None
    note: str = Field(..., min_length=1, max_length=500)


class SupportOut(Schema):
    support_id: int
    kind: str
    ref_id: int
    note: str


class MatrixRowOut(Schema):
    element: ElementOut
    gap: bool
    supports: list[SupportOut]


class ClassificationOut(Schema):
    id: int
    act_id: int
    definition: str
    note: str
    gaps: int
    matrix: list[MatrixRowOut]


class CaseQuery(Schema):
    q: str = Field("", max_length=200, description="Text in the title.")
    status: str = ""


def _detail(user: Any, case: Case) -> dict[str, Any]:
    base = CaseOut.from_orm(case).dict()
    return {
        **base,
        "members": [{"username": m.user.get_username(), "role": m.role}
                    for m in case.members.select_related("user")],
        "incident_ids": list(selectors.case_incidents(user, case).values_list("pk", flat=True)),
        "suspect_ids": list(selectors.case_suspects(user, case).values_list("pk", flat=True)),
        "exhibit_ids": list(selectors.case_exhibits(user, case).values_list("pk", flat=True)),
        "testimony_ids": list(
            selectors.case_testimonies(user, case).values_list("pk", flat=True)
        ),
        "classification_ids": list(case.classifications.values_list("pk", flat=True)),
    }  # fmt: skip


def _classification(c: Classification) -> dict[str, Any]:
    rows = classification_matrix(c)
    elements = {e.pk: e for e in c.definition.elements.all()}
    return {
        "id": c.pk, "act_id": c.act_id, "definition": c.definition.code, "note": c.note,
        "gaps": sum(1 for r in rows if r.gap),
        "matrix": [
            {"element": elements[r.element.element_id], "gap": r.gap,
             "supports": [{"support_id": s.support_id, "kind": s.kind, "ref_id": s.ref_id,
                           "note": s.note} for s in r.supports]}
            for r in rows
        ],
    }  # fmt: skip


@router.get("/definitions", response=responses(list[DefinitionOut]),
            summary="Legal definitions and their elements")  # fmt: skip
def list_definitions(request: HttpRequest) -> list[LegalDefinition]:
    caller(request)
    return list(selectors.definitions_active())


@router.get("", response=responses(Page[CaseOut]), summary="List cases you are a member of")
def list_cases(
    request: HttpRequest, filters: Query[CaseQuery], page: Query[PageParams]
) -> dict[str, Any]:
    check_filters(filters, choices={"status": Case.Status.values})
    return paginate(selectors.cases_for(caller(request), **filters.model_dump()), page)


@router.get("/{case_id}", response=responses(CaseDetailOut), summary="Read a case")
def get_case(request: HttpRequest, case_id: int) -> dict[str, Any]:
    user = caller(request)
    return _detail(user, selectors.case_get_for(user, case_id))


@router.post("", response=responses(CaseDetailOut, 201), summary="Open a case (legal reviewers)")
def create_case(request: HttpRequest, payload: CaseIn) -> Status[dict[str, Any]]:
    user = caller(request)
    case = services.case_create(actor=user, data=services.CaseData(**payload.model_dump()))
    return Status(201, _detail(user, case))


def _add(request: HttpRequest, case_id: int, kind: str, payload: MaterialIn) -> dict[str, Any]:
    user = caller(request)
    case = selectors.case_get_for(user, case_id)
    services.case_material_add(actor=user, case=case, kind=kind, ids=payload.ids)
    return _detail(user, case)


@router.post("/{case_id}/incidents", response=responses(CaseDetailOut),
             summary="Add incidents to a case")  # fmt: skip
def add_incidents(request: HttpRequest, case_id: int, payload: MaterialIn) -> dict[str, Any]:
    return _add(request, case_id, "incident", payload)


@router.post("/{case_id}/suspects", response=responses(CaseDetailOut),
             summary="Add suspects (persons) to a case")  # fmt: skip
def add_suspects(request: HttpRequest, case_id: int, payload: MaterialIn) -> dict[str, Any]:
    return _add(request, case_id, "suspect", payload)


@router.post("/{case_id}/exhibits", response=responses(CaseDetailOut),
             summary="Add exhibits (original evidence items) to a case")  # fmt: skip
def add_exhibits(request: HttpRequest, case_id: int, payload: MaterialIn) -> dict[str, Any]:
    return _add(request, case_id, "exhibit", payload)


@router.post("/{case_id}/testimonies", response=responses(CaseDetailOut),
             summary="Add testimonies (sources) to a case")  # fmt: skip
def add_testimonies(request: HttpRequest, case_id: int, payload: MaterialIn) -> dict[str, Any]:
    return _add(request, case_id, "testimony", payload)


@router.get("/{case_id}/classifications", response=responses(list[ClassificationOut]),
            summary="Classifications of a case with their elements matrix")  # fmt: skip
def list_classifications(request: HttpRequest, case_id: int) -> list[dict[str, Any]]:
    case = selectors.case_get_for(caller(request), case_id)
    return [_classification(c) for c in selectors.classifications_of(case)]


@router.post("/{case_id}/classifications", response=responses(ClassificationOut, 201),
             summary="Classify an act of the case under a legal definition")  # fmt: skip
def classify(request: HttpRequest, case_id: int, payload: ClassifyIn) -> Status[dict[str, Any]]:
    user = caller(request)
    case = selectors.case_get_for(user, case_id)
    made = services.case_classify(actor=user, case=case, act_id=payload.act_id,
                                  definition=payload.definition, note=payload.note)  # fmt: skip
    return Status(201, _classification(selectors.classification_get(case, made.pk)))


@router.post("/{case_id}/classifications/{classification_id}/supports",
             response=responses(ClassificationOut, 201),
             summary="Link an exhibit or testimony to one element")  # fmt: skip
def add_support(
    request: HttpRequest, case_id: int, classification_id: int, payload: SupportIn
) -> Status[dict[str, Any]]:
    user = caller(request)
    case = selectors.case_get_for(user, case_id)
    if (payload.exhibit_id is None) == (payload.testimony_id is None):
        from crimebook.core.errors import ValidationFailed

        raise ValidationFailed.single(
            "exhibit_id", gettext("Give exactly one of exhibit_id, testimony_id.")
        )
    material = (f"exhibit:{payload.exhibit_id}" if payload.exhibit_id is not None
                else f"testimony:{payload.testimony_id}")  # fmt: skip
    services.support_add(actor=user, case=case, classification_id=classification_id,
                         element_id=payload.element_id, material=material, note=payload.note)  # fmt: skip
    return Status(201, _classification(selectors.classification_get(case, classification_id)))
