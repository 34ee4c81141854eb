"""Second-factor enrolment done by the operator (demo accounts, tests of the real flow)."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from crimebook.accounts.models import User
from crimebook.audit.services import audit_record


def second_factor_enrol(*, user: User) -> tuple[str, list[str]]:
    """Give ``user`` a TOTP authenticator and recovery codes. Returns the TOTP secret (for an
    authenticator app) and the unused recovery codes — show them once, never store them."""
    Authenticator.objects.filter(
        user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES]
    ).delete()
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    codes = RecoveryCodes.activate(user).get_unused_codes()
    audit_record(
        actor=None,
        action="enrol_second_factor",
        object_type="accounts.user",
        object_id=user.pk,
        changes={"types": ["totp", "recovery_codes"]},
    )
    return secret, codes
