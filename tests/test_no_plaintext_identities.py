"""A dump of the database holds no identity in plaintext, and logs hold no address or name.

The demo data set is loaded through the services; then every table is read raw and the
Django serialisation of everything is produced, and both are searched for every demo name,
transliteration and contact.
"""

from __future__ import annotations

import io
import logging
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from crimebook.demo.dataset import build_dataset
from crimebook.demo.load import demo_load

pytestmark = pytest.mark.django_db
SCALE = 0.05


def _raw_dump() -> str:
    chunks: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            chunks.append(repr(cursor.fetchall()))
    return "\n".join(chunks)


def test_database_dump_contains_no_demo_identity() -> None:
    demo_load(scale=SCALE)
    people = build_dataset(scale=SCALE).persons
    serialised = io.StringIO()
    call_command("dumpdata", stdout=serialised)
    haystacks = {"raw tables": _raw_dump(), "dumpdata": serialised.getvalue()}
    secrets: set[str] = set()
    for person in people:
        secrets.add(person.full_name)
        secrets.add(person.full_name_latin)
        secrets.update(part for part in person.full_name.split() if len(part) > 3)
        if person.contact:
            secrets.add(person.contact)
    assert len(secrets) > 100
    for label, text in haystacks.items():
        leaked = sorted(s for s in secrets if s in text)
        assert not leaked, f"{label} contains {leaked[:5]}"


def test_requests_and_reveals_leave_no_address_or_name_in_logs(
    caplog: pytest.LogCaptureFixture, investigator: Any, compartment: Any
) -> None:
    from tests import factories as f

    person = f.person(compartment, "Уладзімір Логаў")
    client = Client(HTTP_X_FORWARDED_FOR="203.0.113.77", HTTP_USER_AGENT="TorBrowser/13 canary-ua")
    client.force_login(investigator)
    with caplog.at_level(logging.DEBUG):
        client.post(f"/persons/{person.pk}/reveal/", {"reason": "log leak check"})
        client.get("/no-such-page/")
        client.get(f"/persons/{person.pk}/")
    text = caplog.text + "".join(str(r.__dict__) for r in caplog.records)
    for needle in ("203.0.113.77", "canary-ua", "Уладзімір", "Логаў", "127.0.0.1"):
        assert needle not in text, needle
