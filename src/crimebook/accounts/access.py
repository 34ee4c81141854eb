"""The one place that decides which compartments a user may read and write.

Every selector of every record type filters through these functions (CONVENTIONS 3).
Deny by default: an inactive or anonymous user gets no compartments, and so does an
administrator who is not a member — administrators manage accounts, not case content.
"""

from __future__ import annotations

from typing import Any

from crimebook.accounts.models import IDENTITY_ROLES, WRITER_ROLES, Membership, Role


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def _scoped(user: Any, ids: set[int]) -> set[int]:
    """A request made with an API token reaches only the token's compartments (if it names
    any): the intersection of the user's memberships and the token's scope."""
    scope = getattr(user, "cb_token_scope", None)
    if scope is None or scope.compartment_ids is None:
        return ids
    return ids & set(scope.compartment_ids)


def _read_only_token(user: Any) -> bool:
    scope = getattr(user, "cb_token_scope", None)
    return bool(scope is not None and scope.read_only)


def readable_compartment_ids(user: Any) -> set[int]:
    if not _active(user):
        return set()
    cache = getattr(user, "_cb_readable", None)
    if cache is None:
        cache = set(Membership.objects.filter(user=user).values_list("compartment_id", flat=True))
        user._cb_readable = cache
    return _scoped(user, set(cache))


def remember_readable(user: Any, compartment_ids: set[int]) -> None:
    """Record the compartments ``user`` is a member of, read together with the user row
    (``accounts/backends.py``): :func:`readable_compartment_ids` then asks no query."""
    user._cb_readable = compartment_ids


def writable_compartment_ids(user: Any) -> set[int]:
    if not _active(user) or user.role == Role.READ_ONLY or _read_only_token(user):
        return set()
    return _scoped(
        user,
        set(
            Membership.objects.filter(user=user, role__in=list(WRITER_ROLES)).values_list(
                "compartment_id", flat=True
            )
        ),
    )


def can_reveal_identity(user: Any, compartment_id: int) -> bool:
    if not _active(user) or user.role not in IDENTITY_ROLES:
        return False
    if compartment_id not in _scoped(user, {compartment_id}):
        return False
    return Membership.objects.filter(
        user=user, compartment_id=compartment_id, role__in=list(IDENTITY_ROLES)
    ).exists()


def is_staff_user(user: Any) -> bool:
    """Any active account: all workspace pages require at least this."""
    return _active(user)


def can_edit_reference_data(user: Any) -> bool:
    """Units and their hierarchy are shared reference data (public structure)."""
    return (
        _active(user)
        and not _read_only_token(user)
        and user.role in {Role.ADMINISTRATOR, Role.INVESTIGATOR, Role.ANALYST}
    )
