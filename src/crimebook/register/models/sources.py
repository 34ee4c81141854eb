"""Sources (where information came from, graded, with consent per use) and the personnel
figures sources report: staffing records and dismissals, stored as received."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from crimebook.register.models.common import Compartmented, VisibleQuerySet


class SourceQuerySet(VisibleQuerySet["Source"]):
    compartment_path = "compartment"


class Source(Compartmented):
    class Kind(models.TextChoices):
        SUBMISSION = "submission", _("submission")
        INTERVIEW = "interview", _("interview")
        OPEN_SOURCE = "open_source", _("open-source post")
        LEAKED_DOCUMENT = "leaked_document", _("leaked document")
        INSIDER = "insider", _("insider")
        OFFICIAL_RECORD = "official_record", _("official record")
        MEDIA = "media", _("media report")

    class Reliability(models.TextChoices):
        A = "A", _("A — completely reliable")
        B = "B", _("B — usually reliable")
        C = "C", _("C — fairly reliable")
        D = "D", _("D — not usually reliable")
        E = "E", _("E — unreliable")
        F = "F", _("F — reliability cannot be judged")

    class Credibility(models.IntegerChoices):
        CONFIRMED = 1, _("1 — confirmed by other sources")
        PROBABLY_TRUE = 2, _("2 — probably true")
        POSSIBLY_TRUE = 3, _("3 — possibly true")
        DOUBTFUL = 4, _("4 — doubtful")
        IMPROBABLE = 5, _("5 — improbable")
        UNKNOWN = 6, _("6 — truth cannot be judged")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    url = models.URLField(_("URL"), max_length=1000, blank=True)
    received_on = models.DateField(_("received on"), null=True, blank=True)
    reliability = models.CharField(
        _("reliability"), max_length=1, choices=Reliability.choices, default=Reliability.F
    )
    credibility = models.PositiveSmallIntegerField(
        _("credibility"), choices=Credibility.choices, default=Credibility.UNKNOWN
    )
    consent_investigation = models.BooleanField(_("consent: investigation"), default=False)
    consent_prosecution = models.BooleanField(_("consent: sharing with prosecutors"), default=False)
    consent_prosecution_with = models.CharField(
        _("prosecutors or mechanisms named"), max_length=300, blank=True
    )
    consent_publication = models.BooleanField(
        _("consent: anonymous aggregate publication"), default=False
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    external_id = models.CharField(max_length=200, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self) -> str:
        return f"{self.title} ({self.reliability}{self.credibility})"

    @property
    def grade(self) -> str:
        return f"{self.reliability}{self.credibility}"


class StaffingQuerySet(VisibleQuerySet["StaffingRecord"]):
    compartment_path = "compartment"


class StaffingRecord(Compartmented):
    """A unit's headcount on a date, exactly as a source reported it."""

    unit = models.ForeignKey("register.Unit", on_delete=models.PROTECT, related_name="staffing")
    on = models.DateField(_("date"))
    headcount = models.PositiveIntegerField(_("headcount as reported"))
    as_reported = models.CharField(_("wording of the source"), max_length=500, blank=True)
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="staffing_records")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = StaffingQuerySet.as_manager()

    class Meta:
        ordering = ["unit_id", "on"]


class DismissalQuerySet(VisibleQuerySet["Dismissal"]):
    compartment_path = "compartment"


class Dismissal(Compartmented):
    """Dismissals reported by a source: one person (if known) or a count on a date."""

    unit = models.ForeignKey("register.Unit", on_delete=models.PROTECT, related_name="dismissals")
    on = models.DateField(_("date"))
    count = models.PositiveIntegerField(_("number dismissed"), default=1)
    person = models.ForeignKey(
        "register.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="dismissals")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DismissalQuerySet.as_manager()

    class Meta:
        ordering = ["unit_id", "on"]
