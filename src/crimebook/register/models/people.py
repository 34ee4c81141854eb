"""Persons. Identity (names, birth date, contacts, identifiers) is stored only as
AES-256-GCM ciphertext bound to the person's uuid and field; lookups use blind indexes."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crimebook.register.models.common import Compartmented, VisibleQuerySet

IDENTITY_FIELDS = ("full_name", "birth_date", "contacts", "identifiers")


class PersonQuerySet(VisibleQuerySet["Person"]):
    compartment_path = "compartment"


class Person(Compartmented):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    pseudonym = models.CharField(_("pseudonym"), max_length=20, unique=True)
    is_victim = models.BooleanField(_("victim"), default=False)
    is_witness = models.BooleanField(_("witness"), default=False)
    is_insider = models.BooleanField(_("insider"), default=False)
    is_perpetrator = models.BooleanField(_("alleged perpetrator"), default=False)
    # Ciphertexts ("v1:<key id>:<base64>"); empty when not known. Never plaintext.
    full_name_enc = models.TextField(blank=True, editable=False)
    birth_date_enc = models.TextField(blank=True, editable=False)
    contacts_enc = models.TextField(blank=True, editable=False)
    identifiers_enc = models.TextField(blank=True, editable=False)
    external_id = models.CharField(max_length=200, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["pseudonym"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")

    def __str__(self) -> str:
        return self.pseudonym

    @property
    def roles(self) -> list[str]:
        flags = {
            "victim": self.is_victim,
            "witness": self.is_witness,
            "insider": self.is_insider,
            "perpetrator": self.is_perpetrator,
        }
        return [name for name, on in flags.items() if on]

    def aad(self, field: str) -> str:
        """Associated data binding a ciphertext to this person and field."""
        return f"register.person:{self.uuid}:{field}"


class PersonIndex(models.Model):
    """Blind index entries: HMAC of a normalised name, contact or identifier."""

    class Kind(models.TextChoices):
        NAME = "name", pgettext_lazy("of a person", "name")
        BIRTH_DATE = "birth_date", _("birth date")
        CONTACT = "contact", _("contact")
        IDENTIFIER = "identifier", _("identifier")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="index_entries")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    digest = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["kind", "digest"])]
        constraints = [
            models.UniqueConstraint(fields=["person", "kind", "digest"], name="person_index_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind} index of {self.person_id}"
