"""Explanations in the reader's language: the structured form stored with every lead, said in
English exactly as the engine says it, in Russian and Belarusian with the right plural
forms, on the pages and in the API; older leads without it keep their English sentence."""

from __future__ import annotations

import ast
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone, translation
from django.utils.html import escape
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from crimebook.accounts.services import api_token_create
from crimebook.correlation import (
    Camera,
    CameraTable,
    Communication,
    Deployment,
    Incident,
    IncidentTable,
    MatchConfig,
    MediaItem,
    RecordingSegment,
    SegmentTable,
    correlate,
)
from crimebook.correlation.facts import evidence_facts, reasons_en, render_en
from crimebook.evidence.models import Camera as CameraRow
from crimebook.leads import wording
from crimebook.leads.build import correlation_run
from crimebook.leads.models import Lead
from crimebook.register import services as register_services
from tests import factories
from tests.leads.helpers import Scene, lead_of
from tests.test_translations import load_po


@pytest.fixture
def leads(scene: Scene, compartment: Any) -> Scene:
    correlation_run(actor=None, compartment_id=compartment.pk)
    return scene


def _client(user: Any, lang: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    client.force_login(user)
    return client


# --- the structured form of stored leads ----------------------------------------------------


@pytest.mark.django_db
def test_every_stored_lead_carries_a_structured_form_that_says_the_same(leads: Scene) -> None:
    stored = list(Lead.objects.filter(incident__in=(leads.incident, leads.twin)))
    assert {lead.kind for lead in stored} >= {"recording", "merge", "unit", "person"}
    with translation.override("en"):
        for lead in stored:
            facts = lead.details["explain"]
            assert facts["v"] == 1
            assert render_en(facts) == lead.explanation, lead.kind
            assert reasons_en(facts) == lead.reasons, lead.kind
            assert wording.lead_sentence(lead) == lead.explanation, lead.kind
            assert wording.lead_reasons(lead) == lead.reasons, lead.kind


cases = st.fixed_dictionaries(
    {
        "offset": st.integers(-2 * 86400, 2 * 86400),
        "length": st.sampled_from([0, 45, 600, 5400, 3 * 86400 + 3600]),
        "inc_length": st.sampled_from([0, 3600, 2 * 86400]),
        "dlat": st.floats(-0.02, 0.02, allow_nan=False),
        "radius": st.sampled_from([0.0, 20.0, 999.7, 1500.0, 25_000.0]),
        "tz": st.sampled_from(["known", "inferred", "unknown"]),
        "video": st.booleans(),
    }
)


@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases)
def test_the_english_rendering_equals_the_engine_sentence(c: dict[str, Any]) -> None:
    t0 = 1_597_086_000
    cfg = MatchConfig(display_tz=str(settings.TIME_ZONE))
    start, length, lat = t0 + c["offset"], c["length"], 53.9 + c["dlat"]
    inc = Incident(1, t0, t0 + c["inc_length"], 53.9, 27.55, 300.0, 1800)
    result = correlate(
        IncidentTable.from_records([inc]),
        cameras=CameraTable.from_records([Camera(5, lat, 27.55, c["radius"])]),
        segments=SegmentTable.from_records([RecordingSegment(1, 5, start, start + length)]),
        media=[
            MediaItem(
                2,
                start,
                lat,
                27.55,
                c["radius"] or None,
                duration_s=length if c["video"] else 0,
                tz=c["tz"],
                is_video=c["video"],
            )
        ],
        communications=[Communication(3, start, start + length, lat, 27.55, c["radius"])],
        deployments=[Deployment(4, 77, start, start + length, lat, 27.55, c["radius"])],
        config=cfg,
    )
    pairs = result.pairs
    with translation.override("en"), timezone.override(str(settings.TIME_ZONE)):
        for k in range(len(pairs)):
            i, s, d = int(pairs.incident[k]), int(pairs.span[k]), float(pairs.distance_m[k])
            facts = evidence_facts(pairs.prepared, i, s, d, cfg, penalty=0.25)
            assert wording.sentence(facts) == pairs[k].explanation
            assert wording.reasons(facts) == reasons_en(facts)


# --- Russian and Belarusian -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "seconds", "accusative", "expected"),
    [
        ("ru", 60, False, "1 минута"),
        ("ru", 60, True, "1 минуту"),
        ("ru", 21 * 60, True, "21 минуту"),
        ("ru", 3 * 60, False, "3 минуты"),
        ("ru", 11 * 60, False, "11 минут"),
        ("ru", 5400, False, "1 час 30 минут"),
        ("ru", 45, True, "45 секунд"),
        ("ru", 3 * 86400, False, "3 дня"),
        ("ru", 5 * 86400, False, "5 дней"),
        ("ru", int(2.5 * 86400), False, "2,5 дня"),
        ("be", 60, False, "1 хвіліна"),
        ("be", 60, True, "1 хвіліну"),
        ("be", 22 * 60, False, "22 хвіліны"),
        ("be", 30 * 60, False, "30 хвілін"),
        ("be", 3600, True, "1 гадзіну"),
        ("be", 2 * 3600 + 60, False, "2 гадзіны 1 хвіліна"),
        ("be", 5 * 86400, False, "5 дзён"),
    ],
)
def test_durations_take_the_plural_form_of_the_language(
    lang: str, seconds: int, accusative: bool, expected: str
) -> None:
    with translation.override(lang):
        assert wording.duration(seconds, accusative=accusative) == expected


@pytest.mark.parametrize(
    ("lang", "metres", "expected"),
    [
        ("ru", 1.0, "1 метр"),
        ("ru", 33.0, "33 метра"),
        ("ru", 40.0, "40 метров"),
        ("ru", 1234.0, "1,2 километра"),
        ("ru", 21_000.0, "21 километр"),
        ("be", 1.0, "1 метр"),
        ("be", 33.0, "33 метры"),
        ("be", 40.0, "40 метраў"),
        ("be", 1500.0, "1,5 кіламетра"),
        ("be", 35_000.0, "35 кіламетраў"),
        ("en", 1234.0, "1.2 km"),
    ],
)
def test_distances_in_words_of_the_language(lang: str, metres: float, expected: str) -> None:
    with translation.override(lang):
        assert wording.distance(metres) == expected


def _brief_facts() -> dict[str, Any]:
    t0 = 1_597_086_000  # 2020-08-10 19:00 UTC = 22:00 in Minsk
    return {
        "v": 1, "kind": "camera", "id": 7, "source": 1432, "tz": "Europe/Minsk",
        "incident": [t0, t0, 1800], "span": [t0 - 300, t0 + 2400], "span_tol_s": 60,
        "radius_m": 50.0, "distance_m": 40.0, "relation": "covers", "gap_s": 0,
        "overlap_s": 0, "penalty": 0.1234,
    }  # fmt: skip


def test_the_brief_example_in_three_languages() -> None:
    facts = _brief_facts()
    with timezone.override("Europe/Minsk"):
        with translation.override("en"):
            assert wording.sentence(facts) == render_en(facts)
        with translation.override("ru"):
            assert wording.sentence(facts) == (
                "камера 1432, расстояние 40 метров, запись 21:55–22:40 охватывает заявленное "
                "время 22:00 ± 30 минут"
            )
            assert wording.reasons(facts)[2] == "штраф за неточность 0,12"
        with translation.override("be"):
            assert wording.sentence(facts) == (
                "камера 1432, адлегласць 40 метраў, запіс 21:55–22:40 ахоплівае заяўлены час "
                "22:00 ± 30 хвілін"
            )
        before = {**facts, "span": [facts["span"][0] - 7200, facts["incident"][0] - 60]}
        before |= {"relation": "before", "gap_s": 60}
        with translation.override("ru"):
            assert "заканчивается за 1 минуту до заявленного времени 22:00" in (
                wording.sentence(before)
            )


def test_every_message_of_the_renderer_is_translated_with_the_same_placeholders() -> None:
    marker = re.compile(r"%\(\w+\)[sd]")
    used: dict[str, tuple[str | None, str | None]] = {}  # msgid -> (context, plural)
    for node in ast.walk(ast.parse(Path(wording.__file__).read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            args = [str(a.value) for a in node.args if isinstance(a, ast.Constant)]
            if node.func.id == "_":
                used[args[0]] = (None, None)
            elif node.func.id == "pgettext":
                used[args[1]] = (args[0], None)
            elif node.func.id == "npgettext":
                used[args[1]] = (args[0], args[2])
    assert used
    for lang in ("ru", "be"):
        catalog = {(e.msgctxt, e.msgid): e for e in load_po(lang) if not e.obsolete}
        for msgid, (context, plural) in used.items():
            entry = catalog[(context, msgid)]
            assert "fuzzy" not in entry.flags and (entry.msgid_plural or None) == plural, msgid
            forms = (
                [entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural)]
                if plural
                else [entry.msgstr]
            )
            assert len(forms) == (3 if plural else 1) and all(forms), (msgid, lang)
            wanted = sorted(marker.findall(msgid))
            for form in forms:
                assert sorted(marker.findall(form)) == wanted, (msgid, lang, form)


# --- pages, fallback and API ----------------------------------------------------------------


@pytest.mark.django_db
def test_the_queue_and_incident_page_show_the_explanation_in_russian(
    leads: Scene, analyst: Any
) -> None:
    rec = lead_of(leads.incident, f"recording:{leads.recording.pk}")
    with translation.override("ru"):
        russian = wording.lead_sentence(rec)
        reasons = wording.lead_reasons(rec)
    assert russian.startswith(f"камера {leads.camera.pk}, расстояние 33 метра, запись ")
    assert "охватывает заявленное время" in russian
    with translation.override("ru"):  # the pages name the camera the reader may see
        russian = wording.lead_sentence(rec, wording.names_for(analyst, [rec]))
        reasons = wording.lead_reasons(rec, wording.names_for(analyst, [rec]))
    assert russian.startswith(f"камера {leads.camera.name}, расстояние 33 метра, запись ")
    page = _client(analyst, "ru").get("/leads/").content.decode()
    assert escape(russian) in page and rec.explanation not in page
    assert escape(reasons[1]) in page  # "место: 33 метра между центрами"
    incident_page = _client(analyst, "ru").get(f"/incidents/{leads.incident.pk}/")
    assert escape(russian) in incident_page.content.decode()
    with translation.override("be"):
        belarusian = wording.lead_sentence(rec, wording.names_for(analyst, [rec]))
    assert belarusian.startswith(f"камера {leads.camera.name}, адлегласць 33 метры, запіс ")
    assert escape(belarusian) in _client(analyst, "be").get("/leads/").content.decode()


@pytest.mark.django_db
def test_a_lead_without_a_structured_form_keeps_its_english_sentence(
    leads: Scene, analyst: Any
) -> None:
    rec = lead_of(leads.incident, f"recording:{leads.recording.pk}")
    unit = lead_of(leads.incident, f"unit:{leads.unit.pk}")
    Lead.objects.filter(pk=rec.pk).update(details={"distance_m": 33.0})  # an older row
    Lead.objects.filter(pk=unit.pk).update(details={"explain": {"v": 1, "kind": "unit"}})
    page = _client(analyst, "ru").get("/leads/").content.decode()
    assert escape(rec.explanation) in page
    assert escape(unit.explanation) in page  # unreadable structured form: the English
    rec.refresh_from_db()
    with translation.override("ru"):
        assert wording.lead_reasons(rec) == rec.reasons
    future = {"explain": {**_brief_facts(), "v": 2}}
    Lead.objects.filter(pk=rec.pk).update(details=future)
    rec.refresh_from_db()
    with translation.override("ru"):
        assert wording.lead_sentence(rec) == rec.explanation


@pytest.mark.django_db
def test_the_api_keeps_the_english_and_adds_the_requested_language(
    leads: Scene, analyst: Any
) -> None:
    rec = lead_of(leads.incident, f"recording:{leads.recording.pk}")
    _, secret = api_token_create(actor=None, user=analyst, name="t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    ru = client.get(f"/api/v1/leads/{rec.pk}", HTTP_ACCEPT_LANGUAGE="ru").json()
    assert ru["explanation"] == rec.explanation
    assert ru["explanation_localized"].startswith(f"камера {leads.camera.name}, расстояние")
    assert ru["reasons"] == rec.reasons and ru["reasons_localized"][0].startswith("время: ")
    en = client.get(f"/api/v1/leads/{rec.pk}", HTTP_ACCEPT_LANGUAGE="en").json()
    # English: the engine's sentence with the camera's name for its number
    assert en["explanation_localized"] == rec.explanation.replace(
        f"camera {leads.camera.pk},", f"camera {leads.camera.name},"
    )
    assert en["explanation"] == rec.explanation
    listed = client.get("/api/v1/leads", HTTP_ACCEPT_LANGUAGE="be").json()
    mine = next(x for x in listed["items"] if x["id"] == rec.pk)
    assert mine["explanation_localized"].startswith(f"камера {leads.camera.name}, адлегласць")


# --- records named, not numbered ------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["en", "ru"])
def test_a_lead_mentioning_two_units_names_both(
    leads: Scene, analyst: Any, compartment: Any, lang: str
) -> None:
    # GIVEN the scene's unit under a parent (names in both languages, one needing escaping)
    parent = factories.unit("gumvd", name="Main <Directorate> & Co", name_ru="ГУВД <Минск>")
    register_services.unit_parent_add(
        actor=None, child=leads.unit, parent=parent, valid_from=date(2000, 1, 1)
    )
    correlation_run(actor=None, compartment_id=compartment.pk, full=True)
    lead = lead_of(leads.incident, f"unit:{parent.pk}")
    child_name = leads.unit.name
    parent_name = "ГУВД <Минск>" if lang == "ru" else "Main <Directorate> & Co"
    # WHEN the reader sees the lead on the queue and through the API
    page = _client(analyst, lang).get("/leads/?status=").content.decode()
    _, secret = api_token_create(actor=None, user=analyst, name="t")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE=lang)
    shown = api.get(f"/api/v1/leads/{lead.pk}").json()
    # THEN both units are named (escaped on the page), the stored English is untouched
    text = shown["explanation_localized"]
    assert parent_name in text and child_name in text
    assert f"unit {parent.pk} " not in text and f"unit {leads.unit.pk} " not in text
    assert escape(text) in page and parent_name not in page
    assert shown["explanation"] == lead.explanation
    assert f"unit {parent.pk} was 1 level above unit {leads.unit.pk}" in lead.explanation


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["en", "ru"])
def test_a_camera_of_another_compartment_is_not_named(
    leads: Scene, analyst: Any, other_compartment: Any, lang: str
) -> None:
    # GIVEN the recording lead's camera moved to a compartment the analyst cannot read
    rec = lead_of(leads.incident, f"recording:{leads.recording.pk}")
    CameraRow.objects.filter(pk=leads.camera.pk).update(compartment=other_compartment)
    # WHEN the analyst reads the lead on the queue and through the API
    page = _client(analyst, lang).get("/leads/").content.decode()
    _, secret = api_token_create(actor=None, user=analyst, name="t")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE=lang)
    answer = api.get(f"/api/v1/leads/{rec.pk}")
    assert answer.status_code == 404
    shown = answer.json()
    listed = api.get("/api/v1/leads").json()
    # THEN the lead is not shown at all (a lead is visible only when every side is readable,
    # the camera included), so the camera's name cannot leak through its explanation
    assert shown.get("id") is None
    assert rec.pk not in [x["id"] for x in listed["items"]]
    assert leads.camera.name not in page
