"""Revealing a person's identity: only a permitted role, only with a reason, always
audited, shown on the response page only (never in a URL, never cached)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from crimebook.audit.models import AuditEntry

from .conftest import World

pytestmark = pytest.mark.django_db

REASON = "Preparing the dossier for the prosecutor"


def reveals() -> int:
    return AuditEntry.objects.filter(action="reveal_identity").count()


def test_investigator_reveals_with_reason(inv_client: Client, world: World) -> None:
    url = reverse("web:person_reveal", args=[world.victim.pk])
    response = inv_client.post(url, {"reason": REASON})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Алесь Тэставы" in body
    assert "no-store" in response["Cache-Control"]
    entry = AuditEntry.objects.get(action="reveal_identity")
    assert entry.object_id == str(world.victim.pk)
    assert entry.changes == {"reason": REASON}
    assert entry.actor_name == "web-ivy"
    # the detail page itself never shows it
    page = inv_client.get(reverse("web:person_detail", args=[world.victim.pk]))
    assert "Алесь" not in page.content.decode()


def test_reveal_is_post_only(inv_client: Client, world: World) -> None:
    response = inv_client.get(reverse("web:person_reveal", args=[world.victim.pk]),
                              {"reason": REASON})  # fmt: skip
    assert response.status_code == 405
    assert reveals() == 0


@pytest.mark.parametrize(("reason", "fragment"), [("", "required"), ("why", "Say why")])
def test_reveal_needs_a_reason_beside_the_field(
    inv_client: Client, world: World, reason: str, fragment: str
) -> None:
    response = inv_client.post(reverse("web:person_reveal", args=[world.victim.pk]),
                               {"reason": reason})  # fmt: skip
    assert response.status_code == 200
    form = response.context["reveal_form"]
    assert any(fragment in m for m in form.errors["reason"])
    body = response.content.decode()
    assert "Алесь" not in body
    assert 'class="errorlist' in body
    assert reveals() == 0


def test_read_only_role_gets_403(reader_client: Client, world: World) -> None:
    page = reader_client.get(reverse("web:person_detail", args=[world.victim.pk]))
    assert reverse("web:person_reveal", args=[world.victim.pk]) not in page.content.decode()
    response = reader_client.post(reverse("web:person_reveal", args=[world.victim.pk]),
                                  {"reason": REASON})  # fmt: skip
    assert response.status_code == 403
    body = response.content.decode()
    assert "does not allow revealing identities" in body
    assert "Алесь" not in body
    assert reveals() == 0


def test_outsider_gets_404(outsider_client: Client, world: World) -> None:
    response = outsider_client.post(reverse("web:person_reveal", args=[world.victim.pk]),
                                    {"reason": REASON})  # fmt: skip
    assert response.status_code == 404
    assert reveals() == 0
