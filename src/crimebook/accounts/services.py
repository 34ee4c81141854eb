"""Writes to accounts: users, compartments, memberships, API tokens. Each is audited."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from crimebook.accounts.models import ApiToken, Compartment, Membership, Role, User
from crimebook.audit.services import Actor, audit_record
from crimebook.core.errors import ValidationFailed


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


def api_token_create(
    *, actor: Actor | None, user: User, name: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Returns the token record and the secret, which is shown once and never stored."""
    secret = "cb_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name[:100],
            prefix=secret[:10],
            digest=_digest(secret),
            expires_at=expires_at,
        )
        audit_record(
            actor=actor,
            action="create",
            object_type="accounts.apitoken",
            object_id=token.pk,
            changes={"user": [None, user.pk], "name": [None, name]},
        )
    return token, secret


def api_token_authenticate(secret: str) -> User | None:
    if not secret.startswith("cb_") or len(secret) > 100:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=_digest(secret), revoked=False)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if token.expires_at is not None and token.expires_at <= timezone.now():
        return None
    return token.user
