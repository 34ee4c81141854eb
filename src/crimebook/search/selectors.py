"""``search_for(user, params)``: the one read behind the search page, the API and the
workspace benchmark.

Order of work, so that nothing outside the user's compartments is ever counted or shown:

1. documents the user may see: compartmented kinds in ``readable_compartment_ids(user)``
   (the function behind every ``VisibleQuerySet.visible_to``), units for any staff account,
   submissions for intake reviewers only;
2. the facets chosen;
3. the words (full-text, best first) plus names resembling them (trigrams), at most
   ``MAX_HITS`` — a bounded result; the page says when there were more;
4. counts per facet over those hits;
5. the page's records re-read through each kind's own selector (``incidents_for`` …,
   ``submissions_for``, ``communications_for``): a document whose record the selector does
   not return is dropped.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from crimebook.accounts.access import is_staff_user, readable_compartment_ids
from crimebook.core.errors import ValidationFailed
from crimebook.search import query as parser
from crimebook.search._backend import FACET_COLUMNS, backend
from crimebook.search.models import Kind, SearchDoc, SearchTag
from crimebook.search.signals import flush

logger = logging.getLogger(__name__)

MAX_HITS = 1000
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20
FUZZY_PER_WORD = 50
FUZZY_WHEN_FEWER = 100
FACET_TOP = 12
COMPARTMENTED = (
    Kind.INCIDENT, Kind.ACT, Kind.PERSON, Kind.SOURCE, Kind.EVIDENCE, Kind.COMMUNICATION,
)  # fmt: skip
STATUSES = ("reported", "under_review", "verified", "closed")
VERIFICATIONS = ("unverified", "partially_verified", "verified", "disputed")


@dataclass(frozen=True)
class SearchParams:
    q: str = ""
    kinds: tuple[str, ...] = ()
    violation_type: str = ""
    date_from: date | None = None
    date_to: date | None = None
    place: str = ""
    unit_id: int | None = None
    status: str = ""
    verification: str = ""
    has_evidence: bool | None = None
    has_suspect: bool | None = None
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE


@dataclass(frozen=True)
class Hit:
    kind: str
    object_id: int
    ref: str
    title: str
    snippet: tuple[tuple[str, bool], ...]
    start: datetime | None
    place: str
    fuzzy: bool = False


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int


@dataclass(frozen=True)
class SearchResult:
    hits: list[Hit]
    total: int
    more: bool
    page: int
    per_page: int
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _day_start(d: date) -> datetime:
    return timezone.make_aware(datetime.combine(d, time.min))


def validate(params: SearchParams) -> None:
    """Refuse what cannot be searched, naming the field (``ValidationFailed``)."""
    errors: dict[str, list[str]] = {}
    if params.date_from and params.date_to and params.date_to < params.date_from:
        errors["date_to"] = [
            _("The end date (%(end)s) is before the start date (%(start)s).")
            % {"end": params.date_to.isoformat(), "start": params.date_from.isoformat()}
        ]
    unknown = [k for k in params.kinds if k not in Kind.values]
    if unknown:
        errors["kinds"] = [_("Unknown record kind: %(kind)s.") % {"kind": ", ".join(unknown)}]
    if params.status and params.status not in STATUSES:
        errors["status"] = [_("Unknown status.")]
    if params.verification and params.verification not in VERIFICATIONS:
        errors["verification"] = [_("Unknown verification level.")]
    if len(params.q) > parser.MAX_QUERY_CHARS:
        errors["q"] = [
            _("A search is at most %(n)d characters long.") % {"n": parser.MAX_QUERY_CHARS}
        ]
    if params.page < 1:
        errors["page"] = [_("Pages are numbered from 1.")]
    if not 1 <= params.per_page <= MAX_PER_PAGE:
        errors["per_page"] = [_("Between 1 and %(n)d per page.") % {"n": MAX_PER_PAGE}]
    if errors:
        raise ValidationFailed(errors)


def visible_documents(user: Any) -> QuerySet[SearchDoc]:
    """Documents of records the user may see (step 1)."""
    from crimebook.triage.selectors import can_triage

    if not is_staff_user(user):
        return SearchDoc.objects.none()
    cond = Q(kind=Kind.UNIT)
    compartments = readable_compartment_ids(user)
    if compartments:
        cond |= Q(kind__in=COMPARTMENTED, compartment_id__in=sorted(compartments))
    if can_triage(user):
        cond |= Q(kind=Kind.SUBMISSION)
    return SearchDoc.objects.filter(cond)


def _faceted(qs: QuerySet[SearchDoc], p: SearchParams) -> QuerySet[SearchDoc]:
    if p.kinds:
        qs = qs.filter(kind__in=p.kinds)
    if p.status:
        qs = qs.filter(status=p.status)
    if p.verification:
        qs = qs.filter(verification=p.verification)
    if p.place:
        qs = qs.filter(place=p.place)
    if p.has_evidence is not None:
        qs = qs.filter(has_evidence=p.has_evidence)
    if p.has_suspect is not None:
        qs = qs.filter(has_suspect=p.has_suspect)
    if p.date_from:
        qs = qs.filter(end__gte=_day_start(p.date_from))
    if p.date_to:
        qs = qs.filter(start__lt=_day_start(p.date_to) + timedelta(days=1))
    # the many-valued facets as EXISTS on the document's own tags (a lookup per row read),
    # not IN (a list of every tagged document built first: 250,000 ids at a million)
    if p.violation_type:
        qs = qs.filter(_tagged(SearchTag.Facet.VIOLATION, p.violation_type))
    if p.unit_id is not None:
        qs = qs.filter(_tagged(SearchTag.Facet.UNIT, str(p.unit_id)))
    return qs


def _tagged(facet: str, value: str) -> Exists:
    return Exists(SearchTag.objects.filter(doc_id=OuterRef("pk"), facet=facet, value=value))


def _hit_ids(
    qs: QuerySet[SearchDoc], parsed: parser.ParsedQuery
) -> tuple[list[int], set[int], bool, dict[int, tuple[Any, ...]]]:
    """(ordered ids, those found only by similarity, whether more than MAX_HITS matched, the
    facet values read with the hits)."""
    if parsed.empty:
        ordered = qs.order_by("-start", "-id").values_list("id", *FACET_COLUMNS)
        rows = list(ordered[: MAX_HITS + 1])
        known = {row[0]: tuple(row[1:]) for row in rows[:MAX_HITS]}
        return [row[0] for row in rows[:MAX_HITS]], set(), len(rows) > MAX_HITS, known
    engine = backend()
    # the newest MAX_HITS matches (one more tells there are more), then best first
    found = engine.hits(qs, parsed, MAX_HITS + 1)
    more = len(found) > MAX_HITS
    ranked = sorted(found[:MAX_HITS], key=lambda hit: (-hit[1], -hit[0]))
    ids = [pk for pk, _score, _facets in ranked]
    known = {pk: facets for pk, _score, facets in ranked}
    seen = set(ids)
    similar: list[tuple[int, float]] = []
    if len(ids) >= FUZZY_WHEN_FEWER:  # the words found plenty: no guessing at misspellings
        return ids, set(), more, known
    for word in parser.fuzzy_words(parsed):
        similar += engine.fuzzy(qs, word, FUZZY_PER_WORD)
    similar.sort(key=lambda pair: -pair[1])
    fuzzy: set[int] = set()
    for pk, _score in similar:
        if pk not in seen and len(ids) < MAX_HITS:
            ids.append(pk)
            seen.add(pk)
            fuzzy.add(pk)
    return ids, fuzzy, more, known


def _facets(ids: Sequence[int], known: dict[int, tuple[Any, ...]]) -> dict[str, list[FacetValue]]:
    """Counts per facet value over the hits, counted here (the hits are bounded): the values
    read with the hits (``known``), the rest (names found by similarity) and the tags read."""
    columns = FACET_COLUMNS
    counters: dict[str, Counter[str]] = {c: Counter() for c in columns}
    missing = [pk for pk in ids if pk not in known]
    rows = [known[pk] for pk in ids if pk in known]
    if missing:
        rows += SearchDoc.objects.filter(pk__in=missing).values_list(*columns)
    for column, values in zip(columns, zip(*rows, strict=True), strict=True) if rows else ():
        # counted per distinct value (C), then named: a flag as yes/no, no empty value
        for value, n in Counter(values).items():
            if isinstance(value, bool):
                counters[column]["yes" if value else "no"] += n
            elif value:
                counters[column][value] += n
    tags: dict[str, Counter[str]] = {
        SearchTag.Facet.VIOLATION: Counter(),
        SearchTag.Facet.UNIT: Counter(),
    }
    for facet, value, n in backend().tag_counts(ids):
        tags[facet][value] += n

    def top(counter: Counter[str], limit: int | None = None) -> list[FacetValue]:
        ranked = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
        return [FacetValue(v, n) for v, n in ranked[:limit]]

    return {
        "kind": top(counters["kind"]),
        "violation_type": top(tags[SearchTag.Facet.VIOLATION], FACET_TOP),
        "status": top(counters["status"]),
        "verification": top(counters["verification"]),
        "place": top(counters["place"], FACET_TOP),
        "unit": top(tags[SearchTag.Facet.UNIT], FACET_TOP),
        "has_evidence": top(counters["has_evidence"]),
        "has_suspect": top(counters["has_suspect"]),
    }


def _visible_refs(user: Any, kind: str, ids: list[int]) -> dict[int, str]:
    """Step 5: the kind's own selector decides. Returns id → the reference its page uses
    (the id; a submission's uuid)."""
    from crimebook.evidence.selectors import communications_for, evidence_for
    from crimebook.register import selectors as reg
    from crimebook.triage.selectors import submissions_for

    selector: dict[str, Any] = {
        Kind.INCIDENT: lambda: reg.incidents_for(user),
        Kind.ACT: lambda: reg.acts_for(user),
        Kind.PERSON: lambda: reg.persons_for(user),
        Kind.UNIT: lambda: reg.units_for(user),
        Kind.SOURCE: lambda: reg.sources_for(user),
        Kind.EVIDENCE: lambda: evidence_for(user),
        Kind.SUBMISSION: lambda: submissions_for(user),
        Kind.COMMUNICATION: lambda: communications_for(user),
    }
    rows = selector[kind]().filter(pk__in=ids).order_by()  # by key, not the list's order
    if kind == Kind.SUBMISSION:
        return {pk: str(ref) for pk, ref in rows.values_list("pk", "uuid")}
    return {pk: str(pk) for pk in rows.values_list("pk", flat=True)}


def _page(user: Any, ids: list[int], fuzzy: set[int], words: list[str]) -> list[Hit]:
    # the columns a hit shows (not ``names``: up to 10,000 characters each)
    docs = {
        d.pk: d
        for d in SearchDoc.objects.filter(pk__in=ids).only(
            "kind", "object_id", "title", "body", "start", "place"
        )
    }
    by_kind: dict[str, list[int]] = defaultdict(list)
    for doc in docs.values():
        by_kind[doc.kind].append(doc.object_id)
    allowed = {
        (k, pk): ref
        for k, pks in by_kind.items()
        for pk, ref in _visible_refs(user, k, pks).items()
    }
    hits = []
    for pk in ids:
        d = docs.get(pk)
        if d is None:
            continue
        if (d.kind, d.object_id) not in allowed:
            logger.warning("search document %s:%s is out of date; reindex", d.kind, d.object_id)
            continue
        hits.append(
            Hit(
                kind=d.kind, object_id=d.object_id, ref=allowed[(d.kind, d.object_id)],
                title=d.title,
                snippet=parser.snippet(d.body, words), start=d.start, place=d.place,
                fuzzy=pk in fuzzy,
            )
        )  # fmt: skip
    return hits


def search_for(user: Any, params: SearchParams) -> SearchResult:
    """Search what ``user`` may see. Raises ``ValidationFailed`` for unusable parameters."""
    validate(params)
    flush()  # this thread's own writes not yet applied (see signals.py)
    parsed = parser.parse(params.q)
    notes: list[str] = []
    if parsed.truncated:
        notes.append(
            _("Only the first %(n)d words of the search were used.") % {"n": parser.MAX_ITEMS}
        )
    if params.q.strip() and parsed.empty:
        notes.append(
            _("The search has no words to look for (only punctuation or excluded words), "
              "so every record matching the filters is listed.")
        )  # fmt: skip
    qs = _faceted(visible_documents(user), params)
    ids, fuzzy, more, known = _hit_ids(qs, parsed)
    if more:
        notes.append(
            _("More than %(n)d records match; only %(n)d of them (the most recent) are "
              "shown and counted. Add words or filters to narrow the search.")
            % {"n": MAX_HITS}
        )  # fmt: skip
    offset = (params.page - 1) * params.per_page
    page_ids = ids[offset : offset + params.per_page]
    return SearchResult(
        hits=_page(user, page_ids, fuzzy, parsed.words()),
        total=len(ids),
        more=more,
        page=params.page,
        per_page=params.per_page,
        facets=_facets(ids, known) if ids else {},
        notes=tuple(notes),
    )
