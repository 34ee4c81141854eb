"""Staff users with a role, compartments with members, and hashed API tokens."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    INVESTIGATOR = "investigator", _("Investigator")
    ANALYST = "analyst", _("Analyst")
    INTAKE_REVIEWER = "intake_reviewer", _("Intake reviewer")
    LEGAL_REVIEWER = "legal_reviewer", _("Legal reviewer")
    READ_ONLY = "read_only", _("Read-only")


# Roles that may change register records inside a compartment they belong to.
WRITER_ROLES = frozenset(
    {Role.INVESTIGATOR, Role.ANALYST, Role.INTAKE_REVIEWER, Role.LEGAL_REVIEWER}
)
# Roles that may reveal a person's identity (an audited act).
IDENTITY_ROLES = frozenset({Role.INVESTIGATOR, Role.LEGAL_REVIEWER})


class User(AbstractUser):
    """A staff member. Nobody outside the organisation has an account."""

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.READ_ONLY)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")


class Compartment(models.Model):
    """A case or a named record set. Records in it are visible to its members only."""

    class Kind(models.TextChoices):
        CASE = "case", _("Case")
        RECORD_SET = "record_set", _("Record set")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.RECORD_SET)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("compartment")
        verbose_name_plural = _("compartments")

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    compartment = models.ForeignKey(
        Compartment, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.READ_ONLY)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "compartment"], name="one_membership")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.compartment} as {self.role}"


class ApiToken(models.Model):
    """A bearer token for the REST API. Only its SHA-256 is stored; the token is shown once.

    What a token reaches is the intersection of its user's memberships and its own scope:
    ``compartments`` (empty: every compartment the user belongs to) and ``read_only``.
    Every token expires (``CRIMEBOOK_API_TOKEN_MAX_DAYS`` at most). ``last_used_on`` is a
    day, not a time, and nothing about the client is stored.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked = models.BooleanField(default=False)
    read_only = models.BooleanField(_("read-only"), default=False)
    compartments = models.ManyToManyField(
        Compartment, blank=True, related_name="+", verbose_name=_("compartments")
    )
    last_used_on = models.DateField(_("last used"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
