"""django-allauth adapters: staff accounts only, no client addresses, TOTP secrets encrypted
with the same key file as identities."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.http import HttpRequest

from crimebook.core.keys import get_keyring
from crimebook.core.middleware import ANONYMOUS_ADDRESS

MFA_AAD = "accounts.mfa:secret"


class StaffAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False  # accounts are created by administrators (`crimebook createuser`)

    def get_client_ip(self, request: HttpRequest) -> str:
        return ANONYMOUS_ADDRESS  # rate limits never key on an address (Tor users share exits)


class EncryptingMFAAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        return get_keyring().encrypt(text, MFA_AAD)

    def decrypt(self, encrypted_text: str) -> str:
        return get_keyring().decrypt(encrypted_text, MFA_AAD)

    def get_totp_issuer(self) -> str:
        return "Crimebook"
