"""Permission matrix, generated from the URLconf and the OpenAPI document (CONVENTIONS 12).

Every workspace page and API route is exercised as: anonymous, an account with no membership,
a member of compartment A with each role, an administrator (no membership), and "mallory", a
legitimate investigator of compartment B. A new route is covered automatically; a new route
whose record type the matrix does not know fails here until it is added to ``KINDS``.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from crimebook.accounts.models import Role
from crimebook.accounts.services import api_token_create
from crimebook.api.main import api
from crimebook.evidence.communications import CommunicationData, communication_create
from crimebook.evidence.models import Camera, EvidenceItem, Recording
from crimebook.evidence.selectors import communications_for, evidence_for
from crimebook.evidence.services import evidence_ingest_stream
from crimebook.jobs.models import Job
from crimebook.jobs.selectors import jobs_for
from crimebook.leads.build import correlation_run
from crimebook.leads.models import Lead
from crimebook.leads.selectors import leads_for
from crimebook.register import selectors
from crimebook.register import services as s
from crimebook.register.stats import register_stats
from crimebook.web.middleware import PUBLIC_PREFIXES
from tests import factories as f
from tests.evidence.helpers import jpeg_bytes, use_vault

pytestmark = pytest.mark.django_db

UNIT_EDITORS = {Role.ADMINISTRATOR, Role.INVESTIGATOR, Role.ANALYST}
# URL-name prefix → the record in compartment A its <pk> names ("unit" is shared reference data)
KINDS = {
    "incident": "incident",
    "act": "act",
    "involvement": "act",
    "person": "person",
    "unit": "unit",
    "deployment": "deployment",
    "source": "source",
    "evidence": "evidence",
    "communication": "communication",
    "map": None,  # /map/ and /map/data/: no record in the URL; non-members must see no MARK
    "search": None,  # /search/: no record in the URL; non-members must see no MARK
    "job": "job",
    "import": "incident",
    "case": "case",
    "lead": "lead",
    "token": None,  # /account/tokens/: the user's own API tokens, no record in the URL
}
MARK = "ALPHA-7731"  # appears in compartment A's records only


@dataclass
class World:
    a: dict[str, Any]
    b: dict[str, Any]
    users: dict[str, Any]


def _records(compartment: Any, label: str) -> dict[str, Any]:
    src = f.source(compartment, title=f"{label} source")
    victim = f.person(compartment, f"{label} Victim Name")
    incident = f.incident(compartment, title=f"{label} incident", source_ids=(src.pk,))
    act = f.act(incident, victim)
    suspect = f.person(compartment, f"{label} Suspect Name", is_perpetrator=True)
    unit = f.unit(f"unit-{label.lower()}")
    deployment = s.deployment_create(
        actor=None,
        data=s.DeploymentData(
            compartment_id=compartment.pk, unit_id=unit.pk, source_id=src.pk,
            start=datetime(2020, 8, 9, 18, tzinfo=UTC), end=datetime(2020, 8, 10, 2, tzinfo=UTC),
            place_name=f"{label} place", latitude=53.9, longitude=27.56, radius_m=500.0,
        ),
    )  # fmt: skip
    post = s.post_create(
        actor=None,
        data=s.PostData(
            person_id=suspect.pk, unit_id=unit.pk, rank="Major", start=date(2019, 1, 1)
        ),
    )
    s.involvement_create(
        actor=None,
        data=s.InvolvementData(
            act_id=act.pk, person_id=suspect.pk, degree="perpetrated", basis_source_ids=(src.pk,)
        ),
    )
    evidence = evidence_ingest_stream(
        actor=None, compartment_id=compartment.pk, name=f"{label}.jpg",
        stream=io.BytesIO(jpeg_bytes()),
    )  # fmt: skip
    camera = Camera.objects.create(
        compartment=compartment, external_id=f"{label}-cam", latitude=incident.latitude,
        longitude=incident.longitude,
    )  # fmt: skip
    Recording.objects.create(compartment=compartment, camera=camera, start=incident.start,
                             end=incident.end)  # fmt: skip
    communication = communication_create(actor=None, data=CommunicationData(
        compartment_id=compartment.pk, kind="call", start=incident.start, end=incident.end,
        latitude=incident.latitude, longitude=incident.longitude, radius_m=800.0,
        party_a=f"{label} subscriber A", party_b="subscriber B", party_a_phone="+375 00 555-00-01",
        summary=f"{label} call", external_id=f"{label}-cdr-1",
    ))  # fmt: skip
    correlation_run(actor=None, compartment_id=compartment.pk)
    return {"incident": incident, "act": act, "person": victim, "source": src, "unit": unit,
            "deployment": deployment, "post": post,
            "evidence": EvidenceItem.objects.get(pk=evidence.item_id),
            "communication": communication,
            "job": Job.objects.get(kind="evidence.process", subject_id=str(evidence.item_id)),
            "lead": Lead.objects.filter(incident=incident).first()}  # fmt: skip


@pytest.fixture
def world(
    compartment: Any, other_compartment: Any, make_user: Any, tmp_path: Any, settings: Any
) -> World:
    use_vault(tmp_path, settings)
    users: dict[str, Any] = {
        role.value: make_user(role.value, (compartment,))
        for role in Role
        if role != Role.ADMINISTRATOR
    }
    users["administrator"] = make_user("administrator", ())
    users["nomember"] = make_user("investigator", ())
    users["mallory"] = make_user("investigator", (other_compartment,))
    a = _records(compartment, MARK)
    a["case"] = _case(compartment, a, users)
    return World(a, _records(other_compartment, "BRAVO"), users)


# A's case: the legal reviewer opened it (lead), the investigator reviews, the reader views;
# every other account (analyst, intake reviewer, outsiders) is not a member of it.
CASE_ROLE = {"legal_reviewer": "lead", "investigator": "reviewer", "read_only": "viewer"}


def _case(compartment: Any, a: dict[str, Any], users: dict[str, Any]) -> Any:
    from crimebook.cases import services as cs

    lead = users["legal_reviewer"]
    case = cs.case_create(actor=lead, data=cs.CaseData(
        compartment_id=compartment.pk, title=f"{MARK} case", purpose="matrix", mechanism="icc"))  # fmt: skip
    for who, role in CASE_ROLE.items():
        if role != "lead":
            cs.case_member_set(actor=lead, case=case, username=users[who].username, role=role)
    cs.case_material_add(actor=lead, case=case, kind="incident", ids=[a["incident"].pk])
    cs.case_classify(actor=lead, case=case, act_id=a["act"].pk, definition="cat-1")
    return case


def _expected_case_get(short: str, role: str, member: bool) -> int:
    """Case pages: visible to the case's members only; edit and members for its lead;
    the dossier page for its lead and reviewers; opening a case for legal reviewers."""
    if short == "case_list":
        return 200
    if short == "case_create":
        return 200 if member and role == "legal_reviewer" else 403
    case_role = CASE_ROLE.get(role) if member else None
    if case_role is None:
        return 404
    if short in ("case_edit", "case_members"):
        return 200 if case_role == "lead" else 403
    if short == "case_dossier":
        return 200 if case_role in ("lead", "reviewer") else 403
    return 200


def _patterns(
    resolvers: list[Any], prefix: str = "", namespace: str = ""
) -> list[tuple[str, str, list[str]]]:
    """(route regex, namespaced name, argument names) for every URL in the site."""
    found: list[tuple[str, str, list[str]]] = []
    for entry in resolvers:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            found += _patterns(entry.url_patterns, route, ns)
        elif isinstance(entry, URLPattern):
            name = (
                f"{namespace}:{entry.name}" if namespace and entry.name else (entry.name or route)
            )
            found.append((route, name, re.findall(r"<(?:\w+:)?(\w+)>", route)))
    return found


def _web_pages() -> list[tuple[str, str, list[str]]]:
    return [p for p in _patterns(get_resolver().url_patterns) if p[1].startswith("web:")]


def _path(route: str, pk: int | None) -> str:
    return "/" + re.sub(r"<(?:\w+:)?\w+>", str(pk), route).replace("^", "").replace("$", "")


def _kind(name: str) -> str | None:
    short = name.split(":", 1)[1]
    if short == "act_create":  # takes the incident (acts/<pk>/ pages take the act)
        return "incident"
    if short == "home" or (short.endswith(("_list", "_create")) and "<" not in short):
        pass
    for prefix, kind in KINDS.items():
        if short.startswith(prefix + "_"):
            return kind
    if short in {"home", "post_create"}:
        return None
    raise AssertionError(f"permission matrix does not know the record type of {name}")


def _client(user: Any | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_anonymous_is_sent_to_login_everywhere(world: World) -> None:
    for route, name, args in _patterns(get_resolver().url_patterns):
        path = _path(route, world.a["incident"].pk if args else None)
        if (
            path.startswith(("/static/", "/i18n/", "/api/", "/accounts/", "/intake/"))
            or "(?P" in path
        ):
            continue
        response = Client().get(path)
        if path == "/favicon.ico":  # the one public page route: a redirect to the static icon
            assert (response.status_code, response["Location"]) == (
                301,
                "/static/crimebook/favicon.svg",
            )
            continue
        assert response.status_code == 302, (name, path, response.status_code)
        assert response["Location"].startswith("/accounts/login/"), name
    # AND nothing else is reachable without a session: widening this list is a decision
    assert PUBLIC_PREFIXES == (
        "/accounts/login/",
        "/accounts/2fa/authenticate/",
        "/static/",
        "/i18n/",
        "/api/",
        "/favicon.ico",
    )


POST_ONLY = {
    "person_reveal",
    "involvement_create",
    "unit_parent_add",
    "evidence_download",
    "evidence_link",
    "evidence_unlink",
    "job_retry",
    "case_member_remove",
    "case_material_add",
    "case_material_remove",
    "case_classify",
    "case_unclassify",
    "case_support_add",
    "case_support_remove",
    "lead_accept",
    "lead_reject",
}
# who: (member of A, may write somewhere)
WHO = {
    "investigator": (True, True),
    "analyst": (True, True),
    "intake_reviewer": (True, True),
    "legal_reviewer": (True, True),
    "read_only": (True, False),
    "administrator": (False, False),
    "nomember": (False, False),
    "mallory": (False, True),
}


def _expected_get(name: str, args: list[str], role: str, member: bool, writes: bool) -> int:
    """The one status a GET of this page must answer (deny by default; 404 hides existence)."""
    short = name.split(":", 1)[1]
    kind = _kind(name)
    if short in POST_ONLY:
        return 405
    if kind == "case":
        return _expected_case_get(short, role, member)
    if (kind is None and not short.endswith("_create")) or short.endswith("_list"):
        return 200
    if kind == "unit":
        editing = short.endswith(("_create", "_edit"))
        return 403 if editing and role not in UNIT_EDITORS else 200
    if not args:  # a blank create form: only for someone who may write somewhere
        return 200 if writes else 403
    if not member:
        return 404
    if short.endswith(("_edit", "_create")):
        return 200 if writes else 403
    return 200


@pytest.mark.parametrize("who", list(WHO))
def test_every_page_answers_each_role_as_expected(world: World, who: str) -> None:
    user = world.users[who]
    member, writes = WHO[who]
    client = _client(user)
    for route, name, args in _web_pages():
        kind = _kind(name)
        pk = world.a[kind].pk if args and kind else None
        response = client.get(_path(route, pk))
        expected = _expected_get(name, args, user.role, member, writes)
        assert response.status_code == expected, (who, name, response.status_code, expected)
        if response.status_code == 200 and not member:
            assert MARK.encode() not in response.content, (who, name)


def test_post_only_actions_refuse_outsiders(world: World) -> None:
    mallory = _client(world.users["mallory"])
    reader = _client(world.users["read_only"])
    person, act = world.a["person"].pk, world.a["act"].pk
    assert (
        mallory.post(f"/persons/{person}/reveal/", {"reason": "curious, honestly"}).status_code
        == 404
    )
    assert (
        reader.post(f"/persons/{person}/reveal/", {"reason": "curious, honestly"}).status_code
        == 403
    )
    assert mallory.post(f"/acts/{act}/involvements/new/", {}).status_code == 404


def _unmasked(content: bytes) -> bytes:
    """Page bytes without the per-response CSRF mask."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content)


def test_missing_and_forbidden_records_look_the_same(world: World) -> None:
    mallory = _client(world.users["mallory"])
    for route, name, args in _web_pages():
        kind = _kind(name)
        if not args or kind in (None, "unit"):
            continue
        there, nowhere = _path(route, world.a[kind].pk), _path(route, 987654321)
        forbidden, missing = mallory.get(there), mallory.get(nowhere)
        assert forbidden.status_code == missing.status_code, name
        if forbidden.status_code == 404:
            # identical but for the requested path itself (echoed in the language form)
            same = _unmasked(forbidden.content).replace(there.encode(), b"PATH")
            assert same == _unmasked(missing.content).replace(nowhere.encode(), b"PATH"), name


def test_mallory_sees_nothing_of_compartment_a(world: World) -> None:
    mallory = world.users["mallory"]
    client = _client(mallory)
    # lists and the overview
    for _route, name, _args in _web_pages():
        if name.endswith("_list") or name == "web:home":
            page = client.get(_path(_route, None))
            assert page.status_code == 200
            assert MARK.encode() not in page.content, name
            assert world.a["person"].pseudonym.encode() not in page.content, name
    # list filters and search terms cannot fish for A's records
    hits = client.get("/incidents/", {"q": MARK})
    assert f"{MARK} incident".encode() not in hits.content  # (the query itself is echoed)
    assert f'/incidents/{world.a["incident"].pk}/"'.encode() not in hits.content
    for q in (f"{MARK} incident", world.a["person"].pseudonym):  # the search box (issue 7)
        found = client.get("/search/", {"q": q})
        assert found.status_code == 200
        assert f'/incidents/{world.a["incident"].pk}/"'.encode() not in found.content
        assert f'/persons/{world.a["person"].pk}/"'.encode() not in found.content
    # statistics count B only
    stats = register_stats(mallory)
    assert stats.incidents == 1
    assert stats.persons == 2
    assert stats.sources == 1
    # selectors behind every page, export and the API
    assert not selectors.incidents_for(mallory).filter(pk=world.a["incident"].pk).exists()
    assert not selectors.persons_for(mallory).filter(pk=world.a["person"].pk).exists()
    assert not selectors.posts_for(mallory).filter(pk=world.a["post"].pk).exists()
    assert (
        not selectors.involvements_for(mallory).filter(act__incident=world.a["incident"]).exists()
    )
    assert not selectors.persons_find_by_identity(mallory, name=f"{MARK} Victim Name").exists()
    assert not evidence_for(mallory).filter(pk=world.a["evidence"].pk).exists()
    assert not jobs_for(mallory).filter(pk=world.a["job"].pk).exists()
    assert not leads_for(mallory).filter(incident=world.a["incident"]).exists()
    assert not communications_for(mallory).filter(pk=world.a["communication"].pk).exists()


def _api_paths() -> list[tuple[str, str]]:
    schema = api.get_openapi_schema()
    return [(path, method) for path, methods in schema["paths"].items() for method in methods]


def _api_only_records(a: dict[str, Any]) -> dict[str, int]:
    """Records in A that only the API lists on their own (ids by path parameter)."""
    from crimebook.evidence.models import Camera, Recording
    from crimebook.register.services import dismissal_create, staffing_record_create

    comp, unit, src = a["incident"].compartment_id, a["unit"].pk, a["source"].pk
    camera = Camera.objects.create(
        compartment_id=comp, external_id=f"{MARK}-api-cam", latitude=53.9, longitude=27.5
    )
    start = datetime(2020, 8, 9, 18, tzinfo=UTC)
    recording = Recording.objects.create(compartment_id=comp, camera=camera, start=start, end=start)
    on = date(2020, 8, 9)
    staffing = staffing_record_create(
        actor=None, compartment_id=comp, unit_id=unit, on=on, headcount=1, source_id=src
    )
    dismissal = dismissal_create(
        actor=None, compartment_id=comp, unit_id=unit, on=on, source_id=src
    )
    return {"camera_id": camera.pk, "recording_id": recording.pk, "staffing_id": staffing.pk,
            "dismissal_id": dismissal.pk}  # fmt: skip


def test_api_matrix_mallory_and_no_token(world: World) -> None:
    _, secret = api_token_create(actor=None, user=world.users["mallory"], name="m")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    ids = {
        "incident_id": world.a["incident"].pk, "act_id": world.a["act"].pk,
        "person_id": world.a["person"].pk, "source_id": world.a["source"].pk,
        "deployment_id": world.a["deployment"].pk, "post_id": world.a["post"].pk,
        "unit_id": world.a["unit"].pk, "link_id": 1, "evidence_id": world.a["evidence"].pk,
        **_api_only_records(world.a), "code": "violation_type",
        "case_id": world.a["case"].pk,
        "classification_id": world.a["case"].classifications.get().pk,
        "lead_id": world.a["lead"].pk, "job_id": world.a["job"].pk,
        "communication_id": world.a["communication"].pk,
    }  # fmt: skip
    client = Client()
    for path, method in _api_paths():
        params = re.findall(r"{(\w+)}", path)
        unknown = [p for p in params if p not in ids]
        assert not unknown, f"permission matrix does not know {unknown} in {path}"
        url = re.sub(r"{(\w+)}", lambda m: str(ids[m.group(1)]), path)
        anonymous = getattr(client, method)(url, content_type="application/json")
        assert anonymous.status_code == 401, (method, path)
        if method != "get":
            continue
        response = client.get(url, **auth)  # type: ignore[arg-type]
        compartmented = params and params[0] not in {"unit_id", "code"}
        if compartmented:
            assert response.status_code == 404, (path, response.status_code)
            assert response.json()["error"]["code"] == "not_found"
        else:
            assert response.status_code == 200, (path, response.status_code)
        assert MARK not in response.content.decode(), path
