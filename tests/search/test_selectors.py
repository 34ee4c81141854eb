"""search_for: words, stems, misspellings, facets, bounds and compartments — on SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection

from crimebook.core.errors import ValidationFailed
from crimebook.search import selectors as sel
from crimebook.search.models import SearchDoc
from crimebook.search.selectors import SearchParams, search_for
from tests import factories as f

pytestmark = pytest.mark.django_db


def _found(user: Any, q: str = "", **kw: Any) -> set[tuple[str, int]]:
    result = search_for(user, SearchParams(q=q, per_page=100, **kw))
    return {(h.kind, h.object_id) for h in result.hits}


def test_incident_found_by_words_phrase_and_exclusion(investigator: Any, world: Any) -> None:
    torture = ("incident", world["torture"].pk)
    assert torture in _found(investigator, "дубинками")
    assert torture in _found(investigator, "окрестина пытки")
    assert torture in _found(investigator, '"во дворе изолятора"')
    assert torture not in _found(investigator, '"изолятора во дворе"')
    assert torture not in _found(investigator, "дубинками -изолятора")
    assert torture in _found(investigator, "omon or изолятора")


def test_russian_inflected_form_finds_the_record(investigator: Any, world: Any) -> None:
    # "пытками" (instrumental) and "задержание" are not in the text; "пытки", "задержанных" are
    torture = ("incident", world["torture"].pk)
    assert torture in _found(investigator, "пытками")
    assert torture in _found(investigator, "изолятор")
    assert ("incident", world["detention"].pk) in _found(investigator, "detaining protester")


def test_postgres_stems_with_the_russian_configuration(investigator: Any, world: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("Snowball stemming is PostgreSQL's; SQLite uses prefix queries instead")
    with connection.cursor() as cur:
        cur.execute(
            "SELECT tsv::text FROM search_searchdoc WHERE kind = 'incident' AND object_id = %s",
            [world["torture"].pk],
        )
        lexemes = cur.fetchone()[0]
    assert "'пытк'" in lexemes and "'избива'" in lexemes  # russian stems
    assert "'пытки'" in lexemes  # simple: the word as written (Belarusian has no stemmer)
    # a form whose prefix differs from the text's word: only a stemmer can match it
    assert ("incident", world["torture"].pk) in _found(investigator, "избивали избивать")


def test_misspelt_pseudonym_unit_and_place_are_found(investigator: Any, world: Any) -> None:
    pseudonym = world["victim"].pseudonym  # e.g. P-7KQ4M2X
    code = pseudonym.split("-", 1)[1]
    typo = code[:3] + ("Z" if code[3] != "Z" else "Y") + code[4:]
    result = search_for(investigator, SearchParams(q=f"P-{typo}"))
    assert ("person", world["victim"].pk) in {(h.kind, h.object_id) for h in result.hits}
    assert any(h.fuzzy for h in result.hits if h.kind == "person")
    assert ("unit", world["unit"].pk) in _found(investigator, "Мингорисполкама")  # sic
    assert ("incident", world["torture"].pk) in _found(investigator, "Okrestyna")


def test_identity_text_is_never_indexed(investigator: Any, world: Any) -> None:
    assert not SearchDoc.objects.filter(body__icontains="Соколов").exists()
    assert not SearchDoc.objects.filter(names__icontains="Тэставы").exists()
    assert ("person", world["suspect"].pk) not in _found(investigator, "Соколов")
    assert ("person", world["suspect"].pk) in _found(investigator, world["suspect"].pseudonym)


def test_facets_filter_and_count(investigator: Any, world: Any) -> None:
    everything = search_for(investigator, SearchParams(q="", per_page=100))
    kinds = {v.value: v.count for v in everything.facets["kind"]}
    assert kinds["incident"] == 2 and kinds["act"] == 1 and kinds["unit"] == 1
    assert {v.value: v.count for v in everything.facets["violation_type"]} == {
        "torture": 2,  # the incident and its act
        "arbitrary_detention": 1,
    }
    torture, act = ("incident", world["torture"].pk), ("act", world["act"].pk)
    assert _found(investigator, violation_type="torture") == {torture, act}
    assert _found(investigator, has_suspect=True) == {torture, act}
    assert ("incident", world["detention"].pk) in _found(investigator, has_suspect=False)
    assert _found(investigator, unit_id=world["unit"].pk) == {
        torture,
        act,
        ("person", world["suspect"].pk),
        ("unit", world["unit"].pk),
    }
    assert _found(investigator, status="verified", kinds=("incident",)) == {torture}
    assert _found(investigator, verification="verified", kinds=("act",)) == {act}
    assert _found(investigator, place="Pushkinskaya metro") == {("incident", world["detention"].pk)}
    in_range = _found(investigator, date_from=date(2020, 8, 10), date_to=date(2020, 8, 12))
    assert torture in in_range and ("incident", world["detention"].pk) not in in_range
    assert ("source", world["source"].pk) in _found(investigator, date_from=date(2020, 8, 20))
    assert _found(investigator, has_evidence=True) == set()


def test_reversed_date_range_is_refused_with_a_clear_message(investigator: Any) -> None:
    with pytest.raises(ValidationFailed) as caught:
        search_for(
            investigator, SearchParams(date_from=date(2020, 8, 21), date_to=date(2020, 8, 9))
        )
    assert "before the start date" in caught.value.errors["date_to"][0]


@pytest.mark.parametrize(
    ("field", "value"),
    [("status", "nonsense"), ("verification", "x"), ("kinds", ("incident", "spy")),
     ("page", 0), ("per_page", 1000), ("q", "x" * 201)],
)  # fmt: skip
def test_bad_parameters_are_refused(investigator: Any, field: str, value: Any) -> None:
    with pytest.raises(ValidationFailed) as caught:
        search_for(investigator, SearchParams(**{field: value}))
    assert field in caught.value.errors


@pytest.mark.parametrize("text", ['"unbalanced', "NEAR(a b", "*", "a AND OR", "body:x", "'--"])
def test_syntax_errors_are_searched_as_text(investigator: Any, world: Any, text: str) -> None:
    search_for(investigator, SearchParams(q=text))  # no database error


def test_results_are_bounded_and_paginated(
    investigator: Any, compartment: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(7):
        f.incident(compartment, title=f"Beating number {i}", violation_types=())
    monkeypatch.setattr(sel, "MAX_HITS", 5)
    first = search_for(investigator, SearchParams(q="beating", per_page=2))
    assert first.total == 5 and first.more and first.pages == 3 and len(first.hits) == 2
    assert any("More than 5 records" in n for n in first.notes)
    last = search_for(investigator, SearchParams(q="beating", per_page=2, page=3))
    assert len(last.hits) == 1
    assert not {h.object_id for h in first.hits} & {h.object_id for h in last.hits}
    beyond = search_for(investigator, SearchParams(q="beating", per_page=2, page=9))
    assert beyond.hits == []


def test_mallory_never_sees_compartment_a(mallory: Any, investigator: Any, world: Any) -> None:
    seen = _found(mallory, "окрестина")
    assert seen == {("incident", world["other"].pk)}
    assert _found(mallory, world["victim"].pseudonym) == set()
    everything = search_for(mallory, SearchParams(per_page=100))
    assert {v.value: v.count for v in everything.facets["kind"]} == {"incident": 1, "unit": 1}
    assert ("incident", world["other"].pk) not in _found(investigator, "окрестина")


def test_outsiders_get_nothing(make_user: Any, world: Any) -> None:
    admin = make_user("administrator", ())
    assert _found(admin, "окрестина") == set()
    assert _found(admin, "omon") == {("unit", world["unit"].pk)}  # public reference data


def test_a_stale_document_is_never_shown(
    investigator: Any, world: Any, other_compartment: Any
) -> None:
    # an index row claiming compartment A for B's incident (tampered or stale)
    SearchDoc.objects.filter(kind="incident", object_id=world["other"].pk).update(
        compartment_id=world["torture"].compartment_id
    )
    assert ("incident", world["other"].pk) not in _found(investigator, "окрестина")


def test_more_than_the_bound_keeps_the_newest_matches_ranked_best_first(
    investigator: Any, compartment: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Beyond MAX_HITS the text index is read newest document first and stops: the hits are
    the newest MAX_HITS matches (never the whole list of a common word), ranked."""
    made = [
        f.incident(compartment, title=f"Report {i}", description="beating", violation_types=())
        for i in range(6)
    ]
    best = f.incident(compartment, title="Beating in the yard", violation_types=())
    monkeypatch.setattr(sel, "MAX_HITS", 4)
    result = search_for(investigator, SearchParams(q="beating", per_page=10))
    ids = [h.object_id for h in result.hits]
    assert result.more and len(ids) == 4
    assert ids[0] == best.pk  # the title match ranks first
    assert set(ids[1:]) == {i.pk for i in made[-3:]}  # then the newest of the rest
    assert made[0].pk not in ids


def _counted_by_hand(result: Any) -> dict[str, dict[str, int]]:
    """The facet counts computed from the hits' documents and tags, one row at a time."""
    from collections import Counter

    from crimebook.search.models import SearchTag

    docs = [SearchDoc.objects.get(kind=h.kind, object_id=h.object_id) for h in result.hits]
    out: dict[str, Counter[str]] = {k: Counter() for k in sel.FACET_COLUMNS}
    for doc in docs:
        for column in sel.FACET_COLUMNS:
            value = getattr(doc, column)
            if isinstance(value, bool):
                out[column]["yes" if value else "no"] += 1
            elif value:
                out[column][value] += 1
    tags = {"violation_type": Counter[str](), "unit": Counter[str]()}
    for tag in SearchTag.objects.filter(doc__in=docs):
        tags["violation_type" if tag.facet == "violation" else "unit"][tag.value] += 1
    return {k: dict(v) for k, v in {**out, **tags}.items() if v}


@pytest.mark.parametrize(
    "q", ["", "окрестина", "Okrestyna", "дубинками or omon", "Мингорисполкама"]
)  # fmt: skip
def test_facet_counts_are_those_of_the_hits(investigator: Any, world: Any, q: str) -> None:
    # GIVEN hits found by words, by similar names only ("Okrestyna": the documents of
    # fuzzy hits are read apart from the words' hits) or by the filters alone
    result = search_for(investigator, SearchParams(q=q, per_page=100))
    assert result.hits and result.total == len(result.hits)
    # THEN every facet counts exactly the hits' values and tags
    shown = {k: {v.value: v.count for v in values} for k, values in result.facets.items()}
    assert {k: v for k, v in shown.items() if v} == _counted_by_hand(result)


def test_an_inactive_account_searches_nothing_without_an_error(
    investigator: Any, world: Any
) -> None:
    investigator.is_active = False
    investigator.save(update_fields=["is_active"])
    result = search_for(investigator, SearchParams(q="окрестина"))
    assert result.hits == [] and result.total == 0 and result.facets == {}
