"""Register refusals on the workspace pages in the reader's language: a form error and the
403 page's reason are Russian or Belarusian, never the English source, and nothing is
revealed or audited."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from crimebook.audit.models import AuditEntry

from .conftest import World

pytestmark = pytest.mark.django_db


def _in(client: Client, lang: str) -> Client:
    client.cookies["django_language"] = lang
    return client


def test_a_reveal_without_a_real_reason_is_refused_in_russian(
    inv_client: Client, world: World
) -> None:
    # GIVEN an investigator reading in Russian
    client = _in(inv_client, "ru")
    # WHEN they ask to see a victim's identity giving "why" as the reason
    response = client.post(reverse("web:person_reveal", args=[world.victim.pk]),
                           {"reason": "why"}, HTTP_ACCEPT_LANGUAGE="ru")  # fmt: skip
    # THEN the reason field says what is missing in Russian, and nothing is revealed
    body = response.content.decode()
    assert response.status_code == 200
    assert "Укажите, зачем вам нужно увидеть эти личные данные." in body
    assert "Say why" not in body and "Алесь" not in body
    assert not AuditEntry.objects.filter(action="reveal_identity").exists()


def test_a_role_that_may_not_reveal_is_told_so_in_belarusian(
    reader_client: Client, world: World
) -> None:
    client = _in(reader_client, "be")
    response = client.post(reverse("web:person_reveal", args=[world.victim.pk]),
                           {"reason": "Preparing the dossier"}, HTTP_ACCEPT_LANGUAGE="be")  # fmt: skip
    body = response.content.decode()
    assert response.status_code == 403
    assert "Ваша роля не дазваляе раскрываць асабістыя даныя." in body
    assert "does not allow revealing" not in body
    assert not AuditEntry.objects.filter(action="reveal_identity").exists()
