"""``/search/``: one search box, facets with counts (links: no JavaScript needed), a bounded
paginated result, and a separate POST form for the exact identity lookup."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import quote_plus

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from crimebook.core.errors import ValidationFailed
from crimebook.register.models import Incident
from crimebook.register.selectors import persons_find_by_identity
from crimebook.search._html import facets_html, hits_html
from crimebook.search.forms import KIND_LABELS, IdentityLookupForm, SearchForm
from crimebook.search.models import Kind
from crimebook.search.selectors import FacetValue, Hit, SearchResult, search_for
from crimebook.web import refdata
from crimebook.web.views._common import register_view, user_of

DETAIL_URL: dict[str, str] = {
    Kind.INCIDENT: "web:incident_detail",
    Kind.ACT: "web:act_detail",
    Kind.PERSON: "web:person_detail",
    Kind.UNIT: "web:unit_detail",
    Kind.SOURCE: "web:source_detail",
    Kind.EVIDENCE: "web:evidence_detail",
    Kind.SUBMISSION: "triage:detail",
    Kind.COMMUNICATION: "web:communication_detail",
}
# facet in the result → (form field, heading)
FACETS = (
    ("kind", "kind", gettext_lazy("Record kind")),
    ("violation_type", "violation_type", gettext_lazy("Violation type")),
    ("status", "status", gettext_lazy("Status")),
    ("verification", "verification", gettext_lazy("Verification")),
    ("has_evidence", "has_evidence", gettext_lazy("Has evidence")),
    ("has_suspect", "has_suspect", gettext_lazy("Has a suspect")),
    ("unit", "unit", gettext_lazy("Unit")),
    ("place", "place", gettext_lazy("Place")),
)


def hit_url(hit: Hit) -> str:
    return reverse(DETAIL_URL[hit.kind], args=[hit.ref])


_PLACEHOLDER = "9" * 19  # a key no record has; only digits, like every numeric reference


def hit_urls(hits: list[Hit]) -> list[str]:
    """``hit_url`` of each hit, reversing each kind's URL once per page (not once per hit):
    a numeric reference takes the placeholder's place in its kind's URL; anything else (a
    submission's uuid) is reversed as such."""
    shapes: dict[str, list[str]] = {}
    urls = []
    for hit in hits:
        if not (hit.ref.isascii() and hit.ref.isdigit()):
            urls.append(hit_url(hit))
            continue
        if hit.kind not in shapes:
            url = reverse(DETAIL_URL[hit.kind], args=[_PLACEHOLDER])
            shapes[hit.kind] = url.split(_PLACEHOLDER)
        parts = shapes[hit.kind]
        urls.append(hit.ref.join(parts) if len(parts) == 2 else hit_url(hit))
    return urls


def facet_labels(result: SearchResult) -> dict[str, dict[str, str]]:
    """Labels in the current language for the values the facets show."""
    codes = {v.value for v in result.facets.get("violation_type", [])}
    unit_ids = {int(v.value) for v in result.facets.get("unit", []) if v.value.isdigit()}
    return {
        "kind": {str(k): str(label) for k, label in KIND_LABELS.items()},
        "violation_type": {
            code: label
            for code, label in refdata.term_labels("violation_type", retired=True).items()
            if code in codes
        },
        "status": {str(v): str(label) for v, label in Incident.Status.choices},
        "verification": {str(v): str(label) for v, label in Incident.Verification.choices},
        "has_evidence": {"yes": _("yes"), "no": _("no")},
        "has_suspect": {"yes": _("yes"), "no": _("no")},
        "unit": {str(pk): name for pk, name in refdata.units() if pk in unit_ids},
    }


def _named_units(hits: list[Hit]) -> list[Hit]:
    """Unit hits titled in the reader's language (the index keeps the stored default name;
    the names come from the shared reference cache, no query)."""
    if not any(h.kind == "unit" for h in hits):
        return hits
    names = refdata.unit_names()
    return [
        replace(h, title=names.get(h.object_id, h.title)) if h.kind == "unit" else h for h in hits
    ]


def _pair(key: str, value: str, encoding: str) -> str:
    """``key=value`` as ``QueryDict.urlencode`` writes it (``urllib.parse.urlencode`` of the
    encoded bytes: ``quote_plus``, nothing kept safe)."""
    k, v = key.encode(encoding), value.encode(encoding)
    return f"{quote_plus(k, safe='')}={quote_plus(v, safe='')}"


def facet_rows(request: HttpRequest, result: SearchResult) -> list[dict[str, Any]]:
    labels = facet_labels(result)
    encoding = request.GET.encoding
    # the query without the page, encoded once: (key, its pairs) in the query's order
    rest = [
        (key, [_pair(key, str(v), encoding) for v in values])
        for key, values in request.GET.lists()
        if key != "page"
    ]
    rows = []
    for key, param, heading in FACETS:
        values: list[FacetValue] = result.facets.get(key, [])
        if not values:
            continue
        chosen = request.GET.get(param, "")
        names = labels.get(key, {})
        # a value's link sets the parameter where it stood (else last), one value only, as
        # ``query[param] = value`` on a copy of the query; "remove" drops it
        at = next((i for i, (k, _pairs) in enumerate(rest) if k == param), len(rest))
        before = [pair for _k, pairs in rest[:at] for pair in pairs]
        after = [pair for _k, pairs in rest[at + 1 :] for pair in pairs]
        clear_url = "?" + "&".join(before + after)
        items = []
        for v in values:
            url = "?" + "&".join([*before, _pair(param, v.value, encoding), *after])
            items.append({
                "label": names.get(v.value, v.value), "count": v.count,
                "url": url, "chosen": chosen == v.value, "clear_url": clear_url,
            })  # fmt: skip
        rows.append({"heading": heading, "items": items})
    return rows


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def _page_url(request: HttpRequest, number: int) -> str:
    query = request.GET.copy()
    query["page"] = str(number)
    return "?" + query.urlencode()


@register_view
@never_cache
def search_page(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    form = SearchForm(request.GET or None, user=user)
    identity_form = IdentityLookupForm(request.POST if request.method == "POST" else None)
    identity_hits = None
    if request.method == "POST" and identity_form.is_valid():
        identity_hits = list(
            persons_find_by_identity(user, name=identity_form.cleaned_data["identity"])
        )
    result = None
    if form.is_bound and form.is_valid():
        params = form.params(_page_number(request))
        try:
            result = search_for(user, params)
            if result.page > result.pages:  # past the end: show the last page
                result = search_for(user, form.params(result.pages))
        except ValidationFailed as exc:
            for name, messages in exc.errors.items():
                field = {"kinds": "kind"}.get(name, name)
                for message in messages:
                    form.add_error(field if field in form.fields else None, message)
            result = None
    context: dict[str, Any] = {
        "form": form, "identity_form": identity_form, "identity_hits": identity_hits,
        "result": result,
    }  # fmt: skip
    if result is not None:
        urls = hit_urls(result.hits)
        hits = _named_units(result.hits)
        context["hits"] = [{"hit": h, "url": url, "kind": KIND_LABELS[h.kind]}
                           for h, url in zip(hits, urls, strict=True)]  # fmt: skip
        context["facets"] = facet_rows(request, result)
        # the two loops in Python (_html.py): most of the template's time otherwise
        context["hits_html"] = hits_html(context["hits"])
        context["facets_html"] = facets_html(context["facets"])
        first = (result.page - 1) * result.per_page + 1
        context["shown"] = (first, first + len(result.hits) - 1)
        context["prev_url"] = _page_url(request, result.page - 1) if result.page > 1 else ""
        context["next_url"] = (
            _page_url(request, result.page + 1) if result.page < result.pages else ""
        )
    return render(request, "search/page.html", context)
