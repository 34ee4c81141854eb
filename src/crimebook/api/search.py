"""/search: the search box over HTTP — words, misspellings and facets, only what the caller
may see, bounded (at most 1,000 hits) and paginated. The exact identity lookup is not here:
a name must not travel in a URL (use the workspace page, which posts it)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from crimebook.api._common import caller, check_filters, responses
from crimebook.register.models import Incident
from crimebook.search.selectors import MAX_PER_PAGE, Hit, SearchParams, search_for

router = Router(tags=["search"])


class SearchQuery(Schema):
    q: str = Field(
        "",
        max_length=200,
        description='Words (all required), "a phrase", a or b, -excluded. Operators of the '
        "database's own query languages are plain text here.",
    )
    kinds: list[str] = Field(
        [],
        description="incident, act, person, unit, source, evidence, submission, "
        "comm (a call, message or intercept).",
    )
    violation_type: str = Field("", description="A code of the violation_type vocabulary.")
    date_from: date | None = None
    date_to: date | None = Field(None, description="Not before date_from.")
    place: str = Field("", description="A place name exactly as the facet lists it.")
    unit_id: int | None = None
    status: str = Field("", description="reported, under_review, verified or closed.")
    verification: str = Field(
        "", description="unverified, partially_verified, verified or disputed."
    )
    has_evidence: bool | None = None
    has_suspect: bool | None = None
    page: int = Field(1, ge=1)
    per_page: int = Field(20, ge=1, le=MAX_PER_PAGE)


class HitOut(Schema):
    kind: str
    id: int
    ref: str = Field(..., description="What the record's own route takes (a submission: uuid).")
    title: str
    snippet: str
    start: datetime | None
    place: str
    similar_name: bool = Field(..., description="Found by name similarity, not by the words.")


class FacetValueOut(Schema):
    value: str
    count: int


class SearchOut(Schema):
    count: int = Field(..., description="Hits, at most 1,000.")
    more: bool = Field(..., description="More records matched than were counted.")
    page: int
    pages: int
    items: list[HitOut]
    facets: dict[str, list[FacetValueOut]]
    notes: list[str]


def _hit(h: Hit) -> dict[str, Any]:
    return {
        "kind": h.kind, "id": h.object_id, "ref": h.ref, "title": h.title,
        "snippet": "".join(text for text, _ in h.snippet), "start": h.start,
        "place": h.place, "similar_name": h.fuzzy,
    }  # fmt: skip


@router.get("", response=responses(SearchOut), summary="Search with facets")
def search(request: HttpRequest, query: Query[SearchQuery]) -> dict[str, Any]:
    check_filters(
        query,
        choices={"status": Incident.Status.values, "verification": Incident.Verification.values},
        terms={"violation_type": "violation_type"},
    )
    values = query.model_dump()
    values["kinds"] = tuple(values["kinds"])
    result = search_for(caller(request), SearchParams(**values))
    return {
        "count": result.total,
        "more": result.more,
        "page": result.page,
        "pages": result.pages,
        "items": [_hit(h) for h in result.hits],
        "facets": {
            name: [{"value": v.value, "count": v.count} for v in counted]
            for name, counted in result.facets.items()
        },
        "notes": list(result.notes),
    }
