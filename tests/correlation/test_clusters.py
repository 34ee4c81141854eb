"""Report ↔ report merge candidates: time/place proximity, text similarity, shared victims."""

from __future__ import annotations

from crimebook.correlation.clusters import ClusterConfig, Report, UnionFind, propose_merges
from crimebook.correlation.text import TfIdf, normalise

T = 1_597_000_000
LAT, LON = 53.9023, 27.5619


def report(
    id: int,
    text: str,
    *,
    dt: int = 0,
    dlat: float = 0.0,
    victims: frozenset[str] = frozenset(),
    **kw: object,
) -> Report:
    fields: dict[str, object] = {
        "id": id, "start": T + dt, "end": T + dt, "lat": LAT + dlat, "lon": LON,
        "radius_m": 200.0, "tolerance_s": 1800, "text": text, "victim_digests": victims,
    }  # fmt: skip
    fields.update(kw)
    return Report(**fields)  # type: ignore[arg-type]


RU = "Возле метро Пушкинская омоновцы избили парня дубинками и затащили в автозак"
BE = "Каля метро Пушкінская амапаўцы збілі хлопца дубінкамі і зацягнулі ў аўтазак"
RU2 = "У метро Пушкинская ОМОН избил молодого парня дубинками, потом автозак"
EN = "Riot police beat a young man with batons near Pushkinskaya metro and dragged him into a van"
OTHER = "Женщину задержали у магазина и увезли в РУВД, телефон отобрали"


def test_normalise_folds_belarusian_and_russian_spellings() -> None:
    assert normalise("Пушкінская, ЗАЦЯГНУЛІ ў аўтазак!") == "пушкинская зацягнули у аутазак"


def test_similar_descriptions_in_russian_and_belarusian_score_higher_than_unrelated() -> None:
    tfidf = TfIdf([RU, BE, RU2, OTHER, EN])
    assert tfidf.similarity(0, 2) > tfidf.similarity(0, 3)
    assert tfidf.similarity(0, 1) > tfidf.similarity(0, 3)
    assert tfidf.similarity(0, 0) > 0.999


def test_close_and_similar_reports_are_proposed_and_clustered_with_reasons() -> None:
    reports = [
        report(1, RU),
        report(2, RU2, dt=600, dlat=0.001),
        report(3, OTHER, dt=900),  # close but unrelated words: not proposed
        report(4, RU, dt=5 * 86400),  # same words, another week: not close
    ]
    result = propose_merges(reports)
    assert [(m.a, m.b) for m in result.candidates] == [(1, 2)]
    m = result.candidates[0]
    assert m.close and m.shared_victims == 0 and 0 < m.score <= 1
    assert m.reasons[0].startswith("close in time and place (")
    assert "similar wording" in m.reasons[1]
    assert result.clusters == ((1, 2),)


def test_shared_victim_links_reports_at_different_places_within_two_days() -> None:
    v = frozenset({"digest-a"})
    reports = [
        report(1, RU, victims=v),
        report(2, "Привезли на Окрестина, били в коридоре", dt=20 * 3600, dlat=0.05, victims=v),
        report(3, "", dt=9 * 86400, victims=v),  # same victim, much later: another event
    ]
    result = propose_merges(reports)
    assert [(m.a, m.b) for m in result.candidates] == [(1, 2)]
    assert "1 shared victim" in result.candidates[0].reasons[-1]
    assert not result.candidates[0].close


def test_union_find_builds_transitive_clusters() -> None:
    reports = [
        report(1, RU),
        report(2, RU2, dt=600),
        report(3, RU2, dt=1200),
        report(9, RU, dlat=1.0),
    ]
    result = propose_merges(reports, ClusterConfig(text_min=0.2))
    assert result.clusters == ((1, 2, 3),)
    uf = UnionFind()
    uf.union(5, 6)
    uf.union(7, 6)
    uf.union(8, 8)
    assert uf.groups() == [(5, 6, 7)]


def test_reports_without_time_or_place_are_reported_not_dropped() -> None:
    result = propose_merges([report(1, RU, start=None), report(2, RU, lat=None), report(3, RU)])
    assert {r.id for r in result.skipped} == {1, 2}
    assert result.candidates == ()
