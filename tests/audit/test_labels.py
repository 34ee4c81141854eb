"""Audit action codes and the "system" actor as the history and custody tables show them:
translated labels in en/ru/be through one mapping (``audit/labels.py``), an unknown code as
itself."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.utils import translation

from crimebook.audit.labels import ACTION_LABELS, action_label, actor_label
from crimebook.audit.services import audit_record
from crimebook.evidence.communications import CommunicationData, communication_create
from crimebook.web.views.communications import OBJECT_TYPE

pytestmark = pytest.mark.django_db
T0 = datetime(2020, 8, 10, 21, 40, tzinfo=UTC)


@pytest.mark.parametrize(
    ("language", "created", "system"),
    [("en", "created", "system"), ("ru", "создано", "система"), ("be", "створана", "сістэма")],
)
def test_labels_in_each_language_and_an_unknown_code_as_itself(
    language: str, created: str, system: str
) -> None:
    with translation.override(language):
        assert action_label("create") == created
        assert actor_label("system") == system
        assert actor_label("ivy") == "ivy"  # a username is never translated
        assert action_label("no_such_action") == "no_such_action"
        if language != "en":  # every code has its own label in the language
            labels = [action_label(code) for code in ACTION_LABELS]
            assert len(set(labels)) == len(labels)
            assert not set(labels) & set(ACTION_LABELS)


@pytest.mark.parametrize(
    ("language", "expected", "raw"),
    [
        ("en", ["<td>ivy</td><td>created</td>", "<td>system</td><td>exported</td>"], None),
        ("ru", ["<td>ivy</td><td>создано</td>", "<td>система</td><td>экспортировано</td>"],
         "<td>create</td>"),
        ("be", ["<td>ivy</td><td>створана</td>", "<td>сістэма</td><td>экспартавана</td>"],
         "<td>create</td>"),
    ],
)  # fmt: skip
def test_the_history_table_shows_translated_labels(
    compartment: Any, investigator: Any, language: str, expected: list[str], raw: str | None
) -> None:
    # GIVEN a communication created by a user, then exported by the system and touched by
    # an action the mapping does not know
    comm = communication_create(
        actor=investigator,
        data=CommunicationData(
            compartment_id=compartment.pk, kind="radio", start=T0, end=T0, summary="Test",
        ),
    )  # fmt: skip
    with transaction.atomic():
        audit_record(actor=None, action="export", object_type=OBJECT_TYPE, object_id=comm.pk)
        audit_record(actor=None, action="frobnicate", object_type=OBJECT_TYPE, object_id=comm.pk)
    client = Client()
    client.force_login(investigator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    # WHEN the record page is read in the language
    page = client.get(f"/communications/{comm.pk}/").content.decode()
    # THEN its history names the actions and the system actor in that language
    for cell in expected:
        assert cell in page
    assert "<td>frobnicate</td>" in page  # unknown: the code itself
    if raw is not None:
        assert raw not in page
