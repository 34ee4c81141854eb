"""Case files, their members, legal definitions (loaded from data) and classifications.

A case lives in one compartment; everything it holds (incidents, suspects, exhibits,
testimonies) must be in that compartment. A case is visible only to its members who can also
read the compartment (deny by default): see ``selectors.cases_for``.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from crimebook.accounts.access import readable_compartment_ids
from crimebook.accounts.models import Compartment
from crimebook.evidence.models import EvidenceItem
from crimebook.register.models import Act, Incident, Person, Source


def _lang() -> str:
    code = (get_language() or "en")[:2]
    return code if code in ("en", "ru", "be") else "en"


class Translated:
    """``text("title")`` picks ``title_<current language>``."""

    def text(self, name: str) -> str:
        return str(getattr(self, f"{name}_{_lang()}") or getattr(self, f"{name}_en"))


class LegalDefinition(Translated, models.Model):
    code = models.CharField(max_length=60, unique=True)
    version = models.CharField(max_length=20)
    retired_in = models.CharField(max_length=20, blank=True)
    order = models.PositiveIntegerField(default=0)
    article = models.CharField(max_length=40)
    instrument_en = models.CharField(max_length=200)
    instrument_ru = models.CharField(max_length=200)
    instrument_be = models.CharField(max_length=200)
    title_en = models.CharField(max_length=300)
    title_ru = models.CharField(max_length=300)
    title_be = models.CharField(max_length=300)
    summary_en = models.TextField(blank=True)
    summary_ru = models.TextField(blank=True)
    summary_be = models.TextField(blank=True)

    class Meta:
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.text("title")

    @property
    def title_local(self) -> str:
        return self.text("title")

    @property
    def instrument_local(self) -> str:
        return self.text("instrument")

    @property
    def summary_local(self) -> str:
        return self.text("summary")


class LegalElement(Translated, models.Model):
    class Kind(models.TextChoices):
        CONTEXTUAL = "contextual", _("contextual element")
        MATERIAL = "material", _("material element (conduct, consequence)")
        CIRCUMSTANCE = "circumstance", _("circumstance")
        MENTAL = "mental", _("mental element")

    definition = models.ForeignKey(
        LegalDefinition, on_delete=models.CASCADE, related_name="elements"
    )
    code = models.CharField(max_length=60)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    order = models.PositiveIntegerField(default=0)
    group = models.CharField(max_length=60, blank=True)
    retired_in = models.CharField(max_length=20, blank=True)
    text_en = models.TextField()
    text_ru = models.TextField()
    text_be = models.TextField()

    class Meta:
        ordering = ["definition_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["definition", "code"], name="one_element_code")
        ]

    def __str__(self) -> str:
        return f"{self.definition.code}/{self.code}"

    @property
    def text_local(self) -> str:
        return self.text("text")


class Mechanism(models.TextChoices):
    ICC = "icc", _("International Criminal Court")
    UN = "un", _("UN mechanism (e.g. treaty body, special procedure, investigative mechanism)")
    UNIVERSAL = "universal", _("National prosecutor under universal jurisdiction")
    NATIONAL = "national", _("National prosecutor (home country)")
    SANCTIONS = "sanctions", _("Sanctions listing")
    OTHER = "other", _("Other")


class CaseQuerySet(models.QuerySet["Case"]):
    def visible_to(self, user: Any) -> CaseQuerySet:
        """Cases the user is a member of, in compartments the user can read; nothing else."""
        ids = readable_compartment_ids(user)
        if not ids:
            return self.none()
        return self.filter(compartment_id__in=ids, members__user_id=user.pk).distinct()


class Case(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("open")
        SUBMITTED = "submitted", _("submitted to the mechanism")
        CLOSED = "closed", _("closed")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    compartment = models.ForeignKey(
        Compartment, on_delete=models.PROTECT, related_name="+", verbose_name=_("compartment")
    )
    title = models.CharField(_("title"), max_length=300)
    purpose = models.TextField(_("purpose"))
    mechanism = models.CharField(_("mechanism"), max_length=20, choices=Mechanism.choices)
    mechanism_detail = models.CharField(
        _("mechanism named"), max_length=300, blank=True,
        help_text=_("e.g. the prosecutor's office and country"),
    )  # fmt: skip
    summary = models.TextField(_("summary for the prosecutor"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    incidents = models.ManyToManyField(Incident, related_name="cases", blank=True)
    suspects = models.ManyToManyField(Person, related_name="suspect_in_cases", blank=True)
    exhibits = models.ManyToManyField(EvidenceItem, related_name="cases", blank=True)
    testimonies = models.ManyToManyField(Source, related_name="cases", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return self.title


class CaseRole(models.TextChoices):
    LEAD = "lead", _("lead (edits the case, manages members, exports)")
    REVIEWER = "reviewer", _("reviewer (adds material, classifies, links support, exports)")
    VIEWER = "viewer", _("viewer (reads)")


class CaseMember(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_memberships"
    )
    role = models.CharField(_("case role"), max_length=20, choices=CaseRole.choices)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case_id", "user__username"]
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="one_case_member")]

    def __str__(self) -> str:
        return f"{self.user} in {self.case_id} as {self.role}"


class Classification(models.Model):
    """A legal reviewer's qualification of one act under one definition."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="classifications")
    act = models.ForeignKey(Act, on_delete=models.PROTECT, related_name="classifications")
    definition = models.ForeignKey(
        LegalDefinition, on_delete=models.PROTECT, related_name="classifications"
    )
    note = models.TextField(_("reasoning"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case_id", "act_id", "definition__order"]
        constraints = [
            models.UniqueConstraint(fields=["case", "act", "definition"], name="one_classification")
        ]

    def __str__(self) -> str:
        return f"act {self.act_id} as {self.definition.code}"


class ElementSupport(models.Model):
    """An exhibit or a testimony that supports one element of a classification."""

    classification = models.ForeignKey(
        Classification, on_delete=models.CASCADE, related_name="supports"
    )
    element = models.ForeignKey(LegalElement, on_delete=models.PROTECT, related_name="+")
    exhibit = models.ForeignKey(
        EvidenceItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    testimony = models.ForeignKey(
        Source, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=500)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["classification_id", "element__order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(exhibit__isnull=False) & Q(testimony__isnull=True))
                | (Q(exhibit__isnull=True) & Q(testimony__isnull=False)),
                name="support_exhibit_xor_testimony",
            )
        ]

    def __str__(self) -> str:
        return f"{self.element} ← {self.exhibit_id or self.testimony_id}"
