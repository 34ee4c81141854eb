"""Incidents (events), acts (one violation against one victim) and involvements
(an alleged perpetrator's graded part in an act)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from crimebook.register.models.common import (
    Compartmented,
    Confidentiality,
    Located,
    TimeWindow,
    VisibleQuerySet,
)
from crimebook.register.models.people import Person
from crimebook.register.models.sources import Source
from crimebook.register.models.vocab import Term


class IncidentQuerySet(VisibleQuerySet["Incident"]):
    compartment_path = "compartment"


class Incident(Compartmented, TimeWindow, Located):
    class Status(models.TextChoices):
        REPORTED = "reported", _("reported")
        UNDER_REVIEW = "under_review", _("under review")
        VERIFIED = "verified", _("verified")
        CLOSED = "closed", _("closed")

    class Verification(models.TextChoices):
        UNVERIFIED = "unverified", _("unverified")
        PARTIALLY = "partially_verified", _("partially verified")
        VERIFIED = "verified", _("verified")
        DISPUTED = "disputed", _("disputed")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    violation_types = models.ManyToManyField(
        Term, related_name="+", blank=True, verbose_name=_("violation types")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REPORTED
    )
    verification = models.CharField(
        _("verification level"),
        max_length=20,
        choices=Verification.choices,
        default=Verification.UNVERIFIED,
    )
    confidentiality = models.CharField(
        _("confidentiality"),
        max_length=20,
        choices=Confidentiality.choices,
        default=Confidentiality.CONFIDENTIAL,
    )
    sources = models.ManyToManyField(Source, related_name="incidents", blank=True)
    witnesses = models.ManyToManyField(Person, related_name="witnessed", blank=True)
    external_id = models.CharField(max_length=200, null=True, blank=True, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-start", "-id"]
        indexes = [
            models.Index(fields=["status"]),
            models.Index(fields=["latitude", "longitude"]),
            # lists and timelines: a compartment's incidents by time, the window's end covered
            models.Index(fields=["compartment", "start", "end"], name="incident_compartment_time"),
        ]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")

    def __str__(self) -> str:
        return self.title


class MedicalGrade(models.TextChoices):
    """Istanbul Protocol (2022) grades of consistency between findings and allegation."""

    NOT_CONSISTENT = "not_consistent", _("not consistent")
    CONSISTENT = "consistent", _("consistent")
    HIGHLY_CONSISTENT = "highly_consistent", _("highly consistent")
    TYPICAL = "typical", _("typical of")
    DIAGNOSTIC = "diagnostic", _("diagnostic of")


class ActQuerySet(VisibleQuerySet["Act"]):
    compartment_path = "incident__compartment"


class Act(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="acts")
    victim = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="acts_suffered", verbose_name=_("victim")
    )
    act_type = models.ForeignKey(
        Term, on_delete=models.PROTECT, related_name="+", verbose_name=_("act type")
    )
    injuries = models.ManyToManyField(Term, related_name="+", blank=True)
    methods = models.ManyToManyField(Term, related_name="+", blank=True)
    detention_place = models.ForeignKey(
        Term,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("place of detention"),
    )
    medical_grade = models.CharField(
        _("medical findings (Istanbul Protocol)"),
        max_length=20,
        choices=MedicalGrade.choices,
        blank=True,
    )
    medical_findings = models.TextField(_("medical findings"), blank=True)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActQuerySet.as_manager()

    class Meta:
        ordering = ["incident_id", "id"]
        verbose_name = _("act")
        verbose_name_plural = _("acts")

    def __str__(self) -> str:
        return f"{self.act_type} — {self.victim}"


class InvolvementQuerySet(VisibleQuerySet["Involvement"]):
    compartment_path = "act__incident__compartment"


class Involvement(models.Model):
    """A graded hypothesis that a person took part in an act — never a bare accusation."""

    class Degree(models.TextChoices):
        PERPETRATED = "perpetrated", _("perpetrated")
        ORDERED = "ordered", _("ordered")
        PRESENT = "present", _("was present")
        COMMANDED = "commanded", _("commanded the unit")

    class Confidence(models.TextChoices):
        POSSIBLE = "possible", _("possible")
        PROBABLE = "probable", _("probable")
        CONFIRMED = "confirmed", _("confirmed")

    act = models.ForeignKey(Act, on_delete=models.CASCADE, related_name="involvements")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="involvements")
    degree = models.CharField(_("degree"), max_length=20, choices=Degree.choices)
    confidence = models.CharField(
        _("confidence"), max_length=20, choices=Confidence.choices, default=Confidence.POSSIBLE
    )
    basis = models.ManyToManyField(Source, related_name="involvements", verbose_name=_("basis"))
    basis_note = models.TextField(_("basis note"), blank=True)
    analyst = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InvolvementQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("involvement")
        verbose_name_plural = _("involvements")

    def __str__(self) -> str:
        return f"{self.person} {self.degree} ({self.confidence})"
