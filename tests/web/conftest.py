"""Fixtures of the workspace page tests: a key file, two compartments, users with
different roles, and a small register built through the services (as the app does)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import load_backend
from django.contrib.auth.backends import ModelBackend
from django.test import Client

from crimebook.accounts.models import Compartment, User
from crimebook.accounts.services import compartment_create, membership_set, user_create
from crimebook.core import keys
from crimebook.register import services as s
from crimebook.register.models import (
    Act,
    Deployment,
    Incident,
    Involvement,
    Person,
    Post,
    Source,
    Unit,
)

PASSWORD = "correct-horse-battery-42"
# django-allauth's session key listing how the session signed in (allauth.account.internal.
# flows.login.AUTHENTICATION_METHODS_SESSION_KEY); written literally so these fixtures do
# not depend on allauth's internals being importable.
AUTHENTICATION_METHODS_SESSION_KEY = "account_authentication_methods"


@pytest.fixture(autouse=True)
def web_key_file(settings: Any, tmp_path: Path) -> Iterator[None]:
    """Services encrypt identities: each test gets its own key file."""
    keys.get_keyring.cache_clear()
    settings.CRIMEBOOK_KEY_DIR = tmp_path / "web-keys"
    keys.keys_init()
    yield
    keys.get_keyring.cache_clear()


@pytest.fixture
def case_a(db: Any) -> Compartment:
    return compartment_create(actor=None, name="Web case A")


@pytest.fixture
def case_b(db: Any) -> Compartment:
    return compartment_create(actor=None, name="Web case B")


def _user(username: str, role: str, compartment: Compartment) -> User:
    user = user_create(actor=None, username=username, password=PASSWORD, role=role)
    membership_set(actor=None, user=user, compartment=compartment, role=role)
    return user


@pytest.fixture
def investigator(case_a: Compartment) -> User:
    return _user("web-ivy", "investigator", case_a)


@pytest.fixture
def reader(case_a: Compartment) -> User:
    return _user("web-rita", "read_only", case_a)


@pytest.fixture
def outsider(case_b: Compartment) -> User:
    """An investigator of the other compartment only."""
    return _user("web-mallory", "investigator", case_b)


def _login_backend() -> str:
    """A configured backend that can load a user for the session (ModelBackend or a
    subclass such as allauth's)."""
    for path in settings.AUTHENTICATION_BACKENDS:
        if isinstance(load_backend(path), ModelBackend):
            return path
    return "django.contrib.auth.backends.ModelBackend"


def logged_in_client(user: User) -> Client:
    """A client whose session stands for a completed login: password and second factor
    (the workspace refuses sessions without a second factor)."""
    client = Client()
    client.force_login(user, backend=_login_backend())
    session = client.session
    now = time.time()
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": now},
        {"method": "mfa", "at": now, "type": "totp"},
    ]
    session.save()
    return client


@pytest.fixture
def inv_client(investigator: User) -> Client:
    return logged_in_client(investigator)


@pytest.fixture
def reader_client(reader: User) -> Client:
    return logged_in_client(reader)


@pytest.fixture
def outsider_client(outsider: User) -> Client:
    return logged_in_client(outsider)


@dataclass
class World:
    source: Source
    victim: Person
    witness: Person
    officer: Person
    incident: Incident
    act: Act
    involvement: Involvement
    parent_unit: Unit
    unit: Unit
    post: Post
    deployment: Deployment
    foreign_incident: Incident
    foreign_person: Person
    foreign_source: Source


def make_source(compartment: Compartment, title: str = "Interview with a witness") -> Source:
    return s.source_create(
        actor=None,
        data=s.SourceData(
            compartment_id=compartment.pk, kind="interview", title=title, reliability="B",
            credibility=2, consent_investigation=True, received_on=date(2020, 8, 20),
        ),
    )  # fmt: skip


def make_person(compartment: Compartment, name: str = "", **roles: bool) -> Person:
    identity = s.PersonIdentity(full_name=name, birth_date=date(1990, 5, 1)) if name else None
    return s.person_create(
        actor=None,
        data=s.PersonData(compartment_id=compartment.pk, identity=identity, **roles),
    )


def make_incident(compartment: Compartment, title: str = "Beating near Pushkinskaya metro",
                  **kw: Any) -> Incident:  # fmt: skip
    data: dict[str, Any] = {
        "compartment_id": compartment.pk,
        "title": title,
        "start": datetime(2020, 8, 10, 19, 0, tzinfo=UTC),
        "end": datetime(2020, 8, 10, 20, 0, tzinfo=UTC),
        "precision": "hour",
        "place_name": "Pushkinskaya metro",
        "latitude": 53.9093,
        "longitude": 27.4955,
        "radius_m": 300.0,
        "violation_types": ("torture",),
    }
    data.update(kw)
    return s.incident_create(actor=None, data=s.IncidentData(**data))


def make_unit(code: str, name: str, unit_type: str = "riot_police") -> Unit:
    return s.unit_create(
        actor=None,
        data=s.UnitData(code=code, name=name, unit_type=unit_type, valid_from=date(2000, 1, 1)),
    )


@pytest.fixture
def world(case_a: Compartment, case_b: Compartment) -> World:
    source = make_source(case_a)
    victim = make_person(case_a, "Алесь Тэставы", is_victim=True)
    witness = make_person(case_a, is_witness=True)
    officer = make_person(case_a, "Officer Name", is_perpetrator=True)
    incident = make_incident(case_a, source_ids=(source.pk,), witness_ids=(witness.pk,))
    act = s.act_create(
        actor=None,
        data=s.ActData(
            incident_id=incident.pk, victim_id=victim.pk, act_type="beating",
            injuries=("bruising",), methods=("baton",), detention_place="okrestina_cip",
            medical_grade="consistent",
        ),
    )  # fmt: skip
    involvement = s.involvement_create(
        actor=None,
        data=s.InvolvementData(
            act_id=act.pk, person_id=officer.pk, degree="perpetrated", confidence="probable",
            basis_source_ids=(source.pk,), basis_note="Recognised on video",
        ),
    )  # fmt: skip
    parent_unit = make_unit("guvd-minsk", "Minsk City Police Directorate", "directorate")
    unit = make_unit("omon-minsk", "Minsk OMON")
    s.unit_parent_add(actor=None, child=unit, parent=parent_unit, valid_from=date(2010, 1, 1))
    post = s.post_create(
        actor=None,
        data=s.PostData(
            person_id=officer.pk, unit_id=unit.pk, rank="Captain", position="Platoon leader",
            start=date(2019, 1, 1), source_id=source.pk,
        ),
    )  # fmt: skip
    deployment = s.deployment_create(
        actor=None,
        data=s.DeploymentData(
            compartment_id=case_a.pk, unit_id=unit.pk, source_id=source.pk,
            start=datetime(2020, 8, 10, 17, 0, tzinfo=UTC),
            end=datetime(2020, 8, 10, 23, 0, tzinfo=UTC),
            place_name="Pushkinskaya", latitude=53.909, longitude=27.495, radius_m=500.0,
        ),
    )  # fmt: skip
    s.staffing_record_create(
        actor=None, compartment_id=case_a.pk, unit_id=unit.pk, on=date(2020, 11, 1),
        headcount=812, source_id=source.pk, as_reported="about 800",
    )  # fmt: skip
    s.dismissal_create(
        actor=None, compartment_id=case_a.pk, unit_id=unit.pk, on=date(2020, 8, 30),
        count=3, source_id=source.pk,
    )  # fmt: skip
    foreign_source = make_source(case_b, "Secret source of case B")
    foreign_person = make_person(case_b, "Hidden Person", is_victim=True)
    foreign_incident = make_incident(case_b, "Hidden incident of case B")
    return World(
        source=source, victim=victim, witness=witness, officer=officer, incident=incident,
        act=act, involvement=involvement, parent_unit=parent_unit, unit=unit, post=post,
        deployment=deployment, foreign_incident=foreign_incident,
        foreign_person=foreign_person, foreign_source=foreign_source,
    )  # fmt: skip
