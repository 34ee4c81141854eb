"""Forms of the web shell that are not tied to one record type."""

from __future__ import annotations

from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    """Django's login form; lockout and 2FA are added by the access-control work."""
