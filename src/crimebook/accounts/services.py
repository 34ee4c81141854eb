"""Writes to accounts: users, compartments, memberships, API tokens. Each is audited."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from crimebook.accounts.models import ApiToken, Compartment, Membership, Role, User
from crimebook.audit.services import Actor, audit_record
from crimebook.core.errors import NotFound, ValidationFailed


def _check_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        choices = ", ".join(r.value for r in Role)
        raise ValidationFailed.single(
            "role", f"Unknown role {role!r}; choose one of {choices}."
        ) from None


def user_create(
    *, actor: Actor | None, username: str, password: str, role: str, email: str = ""
) -> User:
    checked = _check_role(role)
    user = User(username=username, email=email, role=checked)
    try:
        user.full_clean(exclude=["password"])
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationFailed(
            exc.message_dict if hasattr(exc, "error_dict") else {"password": exc.messages}
        ) from None
    with transaction.atomic():
        user.set_password(password)
        user.is_staff = checked == Role.ADMINISTRATOR
        user.is_superuser = False
        user.save()
        audit_record(
            actor=actor,
            action="create",
            object_type="accounts.user",
            object_id=user.pk,
            changes={"username": [None, username], "role": [None, checked.value]},
        )
    return user


def compartment_create(
    *,
    actor: Actor | None,
    name: str,
    kind: str = Compartment.Kind.RECORD_SET,
    description: str = "",
) -> Compartment:
    compartment = Compartment(name=name, kind=kind, description=description)
    try:
        compartment.full_clean()
    except ValidationError as exc:
        raise ValidationFailed(exc.message_dict) from None
    with transaction.atomic():
        compartment.save()
        audit_record(
            actor=actor,
            action="create",
            object_type="accounts.compartment",
            object_id=compartment.pk,
            changes={"name": [None, name], "kind": [None, kind]},
        )
    return compartment


def membership_set(
    *, actor: Actor | None, user: User, compartment: Compartment, role: str
) -> Membership:
    checked = _check_role(role)
    with transaction.atomic():
        membership, created = Membership.objects.update_or_create(
            user=user, compartment=compartment, defaults={"role": checked}
        )
        audit_record(
            actor=actor,
            action="create" if created else "update",
            object_type="accounts.membership",
            object_id=membership.pk,
            changes={
                "user": [None, user.pk],
                "compartment": [None, compartment.pk],
                "role": [None, checked.value],
            },
        )
    return membership


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class TokenScope:
    """What an authenticated token may reach, on top of its user's memberships."""

    token_id: int
    compartment_ids: frozenset[int] | None  # None: every compartment of the user
    read_only: bool
    prefix: str = ""  # the secret's public first characters (as listed to its owner)


def api_token_max_lifetime() -> timedelta:
    return timedelta(days=int(getattr(settings, "CRIMEBOOK_API_TOKEN_MAX_DAYS", 90)))


def api_token_create(
    *,
    actor: Actor | None,
    user: User,
    name: str,
    expires_at: datetime | None = None,
    compartment_ids: Iterable[int] = (),
    read_only: bool = False,
) -> tuple[ApiToken, str]:
    """Returns the token record and the secret, which is shown once and never stored.

    ``expires_at`` defaults to the longest lifetime allowed and may not exceed it.
    ``compartment_ids`` (empty: all of the user's) must be compartments the user belongs to.
    """
    now = timezone.now()
    longest = now + api_token_max_lifetime()
    errors: dict[str, list[str]] = {}
    name = name.strip()
    if not name:
        errors["name"] = ["Give the token a name, e.g. what uses it."]
    elif len(name) > 100:
        errors["name"] = ["Keep the name under 100 characters."]
    if expires_at is None:
        expires_at = longest
    elif expires_at.tzinfo is None:
        errors["expires_at"] = ["Give a time zone with the expiry."]
    elif expires_at <= now:
        errors["expires_at"] = ["The expiry must be in the future."]
    elif expires_at > longest + timedelta(minutes=1):
        days = api_token_max_lifetime().days
        errors["expires_at"] = [f"A token may live {days} days at most."]
    wanted = set(compartment_ids)
    member_of = set(Membership.objects.filter(user=user).values_list("compartment_id", flat=True))
    if wanted - member_of:
        missing = ", ".join(str(c) for c in sorted(wanted - member_of))
        errors["compartment_ids"] = [f"The user is not a member of compartment(s) {missing}."]
    if errors:
        raise ValidationFailed(errors)
    secret = "cb_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=secret[:10],
            digest=_digest(secret),
            expires_at=expires_at,
            read_only=read_only,
        )
        if wanted:
            token.compartments.set(sorted(wanted))
        audit_record(
            actor=actor,
            action="create",
            object_type="accounts.apitoken",
            object_id=token.pk,
            changes={
                "user": [None, user.pk],
                "name": [None, name],
                "expires_at": [None, expires_at.isoformat()],
                "compartments": [None, sorted(wanted)],
                "read_only": [None, read_only],
            },
        )
    return token, secret


def api_token_revoke(*, actor: Actor | None, token: ApiToken) -> ApiToken:
    """Revoke a token for good (idempotent: revoking a revoked token changes nothing)."""
    if token.revoked:
        return token
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk).update(revoked=True)
        token.revoked = True
        audit_record(
            actor=actor,
            action="revoke",
            object_type="accounts.apitoken",
            object_id=token.pk,
            changes={"revoked": [False, True]},
        )
    return token


def api_tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).prefetch_related("compartments")


def api_token_get_of(user: User, pk: object) -> ApiToken:
    """One of ``user``'s own tokens; anyone else's is "not found"."""
    try:
        return api_tokens_of(user).get(pk=int(str(pk)))
    except (ValueError, ApiToken.DoesNotExist):
        raise NotFound("token") from None


def api_token_authenticate(secret: str) -> User | None:
    """The token's user, carrying the token's scope (see :mod:`crimebook.accounts.access`),
    or None for a malformed, unknown, revoked or expired token or an inactive user."""
    if not secret.startswith("cb_") or len(secret) > 100:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=_digest(secret), revoked=False)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.expires_at <= now:
        return None
    today = timezone.localdate(now)
    if token.last_used_on != today:  # at most one write per token and day
        ApiToken.objects.filter(pk=token.pk).update(last_used_on=today)
    scope = set(token.compartments.values_list("pk", flat=True))
    user = token.user
    user.cb_token_scope = TokenScope(  # type: ignore[attr-defined]
        token_id=token.pk,
        compartment_ids=frozenset(scope) if scope else None,
        read_only=token.read_only,
        prefix=token.prefix,
    )
    return user
