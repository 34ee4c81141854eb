"""Enrolling a TOTP authenticator proves the factor (a valid code was entered), so the
session counts as having passed it."""

from __future__ import annotations

from typing import Any

from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added
from django.dispatch import receiver
from django.http import HttpRequest


@receiver(authenticator_added)
def _second_factor_enrolled(
    sender: Any, request: HttpRequest, user: Any, authenticator: Authenticator, **kwargs: Any
) -> None:
    if authenticator.type == Authenticator.Type.TOTP:
        record_authentication(request, user, method="mfa", type="totp", id=authenticator.pk)
