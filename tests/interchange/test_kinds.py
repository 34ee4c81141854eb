"""Persons (identities encrypted through the service), units (by code) and acts (by the
external ids of their incident and victim) from CSV: created, skipped on re-import, errors."""

from __future__ import annotations

import io
from typing import Any

import pytest

from crimebook.interchange.formats import csvio
from crimebook.interchange.formats.records import RowError
from crimebook.interchange.imports import ImportOptions, records_import
from crimebook.register.models import Act, Deployment, Person, Post, Unit
from crimebook.register.selectors import persons_find_by_identity
from tests import factories as f


def _import(kind: Any, text: str, compartment: Any, **kw: Any) -> tuple[Any, list[RowError]]:
    errors: list[RowError] = []
    summary = records_import(
        actor=None,
        kind=kind,
        rows=csvio.read_records(io.StringIO(text, newline=""), kind),
        options=ImportOptions(compartment_id=compartment.pk, **kw),
        on_error=errors.append,
    )
    return summary, errors


PERSONS = (
    "external_id,roles,full_name,birth_date,contacts,identifiers\r\n"
    "p-1,victim;witness,Алесь Тэставы,01.05.1990,+375 29 000 00 00,\r\n"
    "p-2,perpetrator,,,,\r\n"
)


@pytest.mark.django_db
def test_persons_are_imported_with_encrypted_identities(
    compartment: Any, investigator: Any
) -> None:
    summary, errors = _import("persons", PERSONS, compartment)
    assert errors == [] and summary.created == 2 and summary.committed
    p1 = Person.objects.get(external_id="p-1")
    assert p1.is_victim and p1.is_witness and not p1.is_perpetrator
    assert "Алесь" not in p1.full_name_enc and p1.full_name_enc.startswith("v1:")
    assert list(persons_find_by_identity(investigator, name="Тэставы Алесь")) == [p1]
    again, _ = _import("persons", PERSONS, compartment)
    assert again.skipped == 2 and Person.objects.count() == 2


@pytest.mark.django_db
def test_person_rows_with_bad_roles_or_partial_birth_dates_are_rejected(compartment: Any) -> None:
    text = "external_id,roles,birth_date\r\nx,king,\r\ny,victim,1990\r\n"
    summary, errors = _import("persons", text, compartment)
    assert summary.rejected == 2 and not Person.objects.exists()
    assert "Unknown role" in errors[0].errors["roles"][0]
    assert "full date" in errors[1].errors["birth_date"][0]


@pytest.mark.django_db
def test_units_by_code(compartment: Any) -> None:
    text = csvio.template("units")
    summary, errors = _import("units", text, compartment)
    assert errors == [] and summary.created == 1
    assert Unit.objects.get(code="omon-minsk").name_ru == "ОМОН ГУВД Мингорисполкома"
    again, _ = _import("units", text, compartment)
    assert again.skipped == 1
    bad, errors = _import("units", "code,name,unit_type\r\nx,X,no_such_type\r\n", compartment)
    assert not bad.committed and "no_such_type" in errors[0].errors["unit_type"][0]


@pytest.mark.django_db
def test_acts_refer_to_incidents_and_victims_by_external_id(
    compartment: Any, other_compartment: Any
) -> None:
    f.incident(compartment, external_id="i-1")
    f.incident(other_compartment, external_id="i-other")
    _import("persons", PERSONS, compartment)
    text = (
        "incident_ref,victim_ref,act_type,injuries,methods\r\n"
        "i-1,p-1,beating,bruising,baton;kicking\r\n"
    )
    summary, errors = _import("acts", text, compartment)
    assert errors == [] and summary.created == 1
    act = Act.objects.get()
    assert sorted(m.code for m in act.methods.all()) == ["baton", "kicking"]
    again, _ = _import("acts", text, compartment)
    assert again.skipped == 1
    bad, errors = _import("acts", text.replace("i-1", "i-other"), compartment)
    assert not bad.committed
    assert "No incident 'i-other' in this compartment" in errors[0].errors["incident_ref"][0]


@pytest.mark.django_db
def test_posts_and_deployments_refer_by_code_and_external_id(compartment: Any) -> None:
    f.unit("omon-minsk", valid_from=None)
    f.source(compartment, external_id="src-1")
    _import("persons", PERSONS, compartment)
    posts = "person_ref,unit_code,rank,start,is_commander,source_ref\r\np-2,omon-minsk,major,01.2019,yes,src-1\r\n"
    summary, errors = _import("posts", posts, compartment)
    assert errors == [] and summary.created == 1
    post = Post.objects.get()
    assert post.is_commander and post.start is not None and post.start.isoformat() == "2019-01-01"
    assert _import("posts", posts, compartment)[0].skipped == 1
    deployments = csvio.template("deployments").replace("vesna-src-17", "src-1")
    summary, errors = _import("deployments", deployments, compartment)
    assert errors == [] and summary.created == 1
    dep = Deployment.objects.get()
    assert dep.precision == "range" and dep.radius_m == 1500.0
    bad, errors = _import("deployments", deployments.replace("omon-minsk", "nope"), compartment)
    assert not bad.committed and "No unit with code 'nope'" in errors[0].errors["unit_code"][0]
