"""API tokens: scoped to compartments and to reading, always expiring, revocable, stored
hashed, and spending a per-token request budget (GIVEN / WHEN / THEN)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from crimebook.accounts.models import ApiToken
from crimebook.accounts.services import api_token_create, api_token_revoke, membership_set
from crimebook.api.ratelimit import Bucket, take
from crimebook.audit.models import AuditEntry
from crimebook.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db

Check = Callable[..., dict[str, Any]]


def _client(secret: str) -> Any:
    from tests.api.conftest import ApiClient

    return ApiClient(Client(), secret)


@pytest.fixture
def both(users: Any, compartments: Any) -> Any:
    """alice is an investigator in A and B."""
    membership_set(actor=None, user=users.alice, compartment=compartments.b, role="investigator")
    return users.alice


def test_the_secret_is_stored_only_as_its_digest(users: Any) -> None:
    token, secret = api_token_create(actor=None, user=users.alice, name="laptop")
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {getattr(stored, f.attname) for f in ApiToken._meta.concrete_fields}
    assert stored.prefix == secret[:10]
    # and the audit entry names the token, never its secret
    entry = AuditEntry.objects.filter(object_type="accounts.apitoken", object_id=str(token.pk))
    assert entry.exists() and secret not in str(list(entry.values()))


def test_a_compartment_scoped_token_reaches_only_that_compartment(
    both: Any, world: Any, make_token: Callable[..., str], compartments: Any, error_of: Check
) -> None:
    # GIVEN alice (member of A and B) and a token scoped to A
    everything = _client(make_token(both))
    scoped = _client(make_token(both, compartment_ids=[compartments.a.pk]))
    # THEN the unscoped token sees both compartments' incidents, the scoped one only A's
    assert everything.get("/incidents").json()["count"] == 2
    body = scoped.get("/incidents").json()
    assert [i["compartment_id"] for i in body["items"]] == [compartments.a.pk]
    error_of(scoped.get(f"/incidents/{world.b.incident.pk}"), 404)
    # AND it cannot write into B, which it cannot see
    denied = scoped.post(
        "/sources", {"compartment_id": compartments.b.pk, "kind": "interview", "title": "x"}
    )
    error_of(denied, 404)


def test_scope_is_intersected_with_memberships_at_each_request(
    both: Any, world: Any, make_token: Callable[..., str], compartments: Any
) -> None:
    from crimebook.accounts.models import Membership

    scoped = _client(make_token(both, compartment_ids=[compartments.b.pk]))
    assert scoped.get("/incidents").json()["count"] == 1
    # WHEN alice leaves B, THEN the token scoped to B reaches nothing (not A either)
    Membership.objects.filter(user=both, compartment=compartments.b).delete()
    assert scoped.get("/incidents").json()["count"] == 0


def test_a_token_cannot_be_scoped_to_a_compartment_its_user_is_not_in(
    users: Any, compartments: Any
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        api_token_create(
            actor=None, user=users.alice, name="x", compartment_ids=[compartments.b.pk]
        )
    assert "compartment_ids" in caught.value.errors
    assert not ApiToken.objects.filter(user=users.alice).exists()


def test_a_read_only_token_reads_but_never_writes(
    users: Any, world: Any, make_token: Callable[..., str], compartments: Any, error_of: Check
) -> None:
    reader = _client(make_token(users.alice, read_only=True))
    assert reader.get("/incidents").json()["count"] == 1
    before = AuditEntry.objects.count()
    error_of(reader.post("/incidents", {"compartment_id": compartments.a.pk, "title": "x"}), 403)
    error_of(reader.patch(f"/incidents/{world.a.incident.pk}", {"title": "changed"}), 403)
    error_of(reader.post("/units", {"code": "x", "name": "X", "unit_type": "ministry"}), 403)
    error_of(reader.post("/leads/1/accept", {"note": "x"}), 403)  # other rules, same refusal
    error_of(reader.post("/incidents/bulk", {"items": [{"title": "x"}]}), 403)
    assert AuditEntry.objects.count() == before
    # reading an identity is a POST but a read: allowed (and audited) for a permitted role
    reveal = reader.post(
        f"/persons/{world.a.victim.pk}/reveal", {"reason": "Preparing a statement"}
    )
    assert reveal.status_code == 200


@pytest.mark.parametrize(
    ("expires", "ok"),
    [(timedelta(days=-1), False), (timedelta(0), False), (timedelta(days=91), False),
     (timedelta(days=90), True), (timedelta(hours=1), True)],
)  # fmt: skip
def test_every_token_expires_within_the_configured_lifetime(
    users: Any, expires: timedelta, ok: bool
) -> None:
    when = timezone.now() + expires
    if ok:
        token, _ = api_token_create(actor=None, user=users.alice, name="x", expires_at=when)
        assert token.expires_at == when
    else:
        with pytest.raises(ValidationFailed) as caught:
            api_token_create(actor=None, user=users.alice, name="x", expires_at=when)
        assert set(caught.value.errors) == {"expires_at"}


def test_the_default_expiry_is_the_configured_maximum(users: Any, settings: Any) -> None:
    settings.CRIMEBOOK_API_TOKEN_MAX_DAYS = 7
    token, _ = api_token_create(actor=None, user=users.alice, name="x")
    assert timedelta(days=6, hours=23) < token.expires_at - timezone.now() <= timedelta(days=7)


def test_an_expired_and_a_revoked_token_get_401(
    users: Any, world: Any, make_token: Callable[..., str], error_of: Check
) -> None:
    expired = _client(make_token(users.alice, expires_at=timezone.now() - timedelta(seconds=1)))
    assert error_of(expired.get("/incidents"), 401)["code"] == "unauthorized"
    token, secret = api_token_create(actor=None, user=users.alice, name="x")
    live = _client(secret)
    assert live.get("/incidents").status_code == 200
    api_token_revoke(actor=users.alice, token=token)
    assert error_of(live.get("/incidents"), 401)["code"] == "unauthorized"
    assert AuditEntry.objects.filter(action="revoke", object_id=str(token.pk)).count() == 1
    api_token_revoke(actor=users.alice, token=token)  # idempotent, audited once
    assert AuditEntry.objects.filter(action="revoke", object_id=str(token.pk)).count() == 1


def test_last_use_is_recorded_as_a_day_only(users: Any, world: Any) -> None:
    token, secret = api_token_create(actor=None, user=users.alice, name="x")
    assert token.last_used_on is None
    _client(secret).get("/incidents")
    token.refresh_from_db()
    assert token.last_used_on == timezone.localdate()


# --- rate limit ------------------------------------------------------------------------------


def test_the_bucket_refills_at_the_rate_and_holds_at_most_the_burst() -> None:
    bucket, wait = take(None, 0.0, per_minute=60, burst=2)
    assert wait == 0 and bucket.tokens == 1
    bucket, wait = take(bucket, 0.0, per_minute=60, burst=2)
    assert wait == 0 and bucket.tokens == 0
    refused, wait = take(bucket, 0.5, per_minute=60, burst=2)
    assert wait == pytest.approx(0.5) and refused.tokens == pytest.approx(0.5)
    again, wait = take(refused, 1.0, per_minute=60, burst=2)
    assert again.tokens == pytest.approx(0.0)
    assert wait == 0
    full, _ = take(Bucket(0.0, 0.0), 3600.0, per_minute=60, burst=2)
    assert full.tokens == 1  # capped at the burst, minus the one taken


def test_a_token_over_its_budget_gets_429_with_retry_after(
    users: Any, world: Any, make_token: Callable[..., str], settings: Any, error_of: Check
) -> None:
    settings.CRIMEBOOK_API_RATE_BURST = 3
    settings.CRIMEBOOK_API_RATE_PER_MINUTE = 6  # one request per 10 s
    client = _client(make_token(users.alice))
    other = _client(make_token(users.alice))
    for _ in range(3):
        assert client.get("/incidents").status_code == 200
    response = client.get("/incidents")
    error = error_of(response, 429)
    assert error["code"] == "throttled"
    assert 1 <= int(response["Retry-After"]) <= 10
    # unknown paths and the schema spend the same budget
    error_of(client.get("/nowhere"), 429)
    # the budget is the token's: another token of the same user is not affected
    assert other.get("/incidents").status_code == 200
