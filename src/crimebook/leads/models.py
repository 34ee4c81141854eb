"""Correlation runs and the leads they propose.

A lead pairs an incident with one other record: a recording (of a camera), a photo or video
in the vault, a communication (call/message in a cell area), another incident (merge
candidate), a unit or a person (always graded "possible"). ``target_key`` names the other
side ("recording:12", "item:5", "communication:4", "incident:7", "unit:3", "person:9");
(incident, target_key) is unique, so a decision — accepted or rejected — is attached to the
pair for good and a later run never proposes it again.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crimebook.accounts.access import readable_compartment_ids
from crimebook.accounts.models import Compartment
from crimebook.evidence.models import Camera, Communication, EvidenceItem, Recording
from crimebook.register.models import Deployment, Incident, Person, Post, Unit
from crimebook.register.models.common import VisibleQuerySet


class CorrelationRun(models.Model):
    """One run of the engine over one compartment, with the watermarks the next
    incremental run starts from and a summary of what it did."""

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    compartment = models.ForeignKey(
        Compartment, on_delete=models.CASCADE, related_name="+", verbose_name=_("compartment")
    )
    full = models.BooleanField(_("full run"), default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # Watermarks taken when the run started: what existed then has been correlated.
    max_recording_id = models.BigIntegerField(default=0)
    max_item_id = models.BigIntegerField(default=0)
    max_deployment_id = models.BigIntegerField(default=0)
    max_communication_id = models.BigIntegerField(default=0)
    audit_seq = models.BigIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)

    objects = VisibleQuerySet["CorrelationRun"].as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("correlation run")
        verbose_name_plural = _("correlation runs")

    def __str__(self) -> str:
        return f"run {self.pk} ({self.compartment_id})"


class LeadQuerySet(VisibleQuerySet["Lead"]):
    """A lead is visible only if the user can read *both* sides (and its compartment)."""

    def visible_to(self, user: Any) -> LeadQuerySet:
        ids = readable_compartment_ids(user)
        if not ids:
            return self.none()
        return self.filter(
            Q(compartment_id__in=ids),
            Q(incident__compartment_id__in=ids),
            Q(recording__isnull=True) | Q(recording__compartment_id__in=ids),
            Q(camera__isnull=True) | Q(camera__compartment_id__in=ids),
            Q(item__isnull=True) | Q(item__compartment_id__in=ids),
            Q(communication__isnull=True) | Q(communication__compartment_id__in=ids),
            Q(other_incident__isnull=True) | Q(other_incident__compartment_id__in=ids),
            Q(person__isnull=True) | Q(person__compartment_id__in=ids),
            Q(deployment__isnull=True) | Q(deployment__compartment_id__in=ids),
        )


class Lead(models.Model):
    class Kind(models.TextChoices):
        RECORDING = "recording", _("camera recording")
        MEDIA = "media", _("photo or video")
        COMMUNICATION = "communication", _("call or message")
        MERGE = "merge", _("same event (merge candidate)")
        UNIT = "unit", _("unit")
        PERSON = "person", _("person")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")

    compartment = models.ForeignKey(
        Compartment, on_delete=models.CASCADE, related_name="+", verbose_name=_("compartment")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="leads", verbose_name=_("incident")
    )
    target_key = models.CharField(max_length=40)
    recording = models.ForeignKey(
        Recording, on_delete=models.CASCADE, null=True, blank=True, related_name="leads"
    )
    camera = models.ForeignKey(
        Camera, on_delete=models.CASCADE, null=True, blank=True, related_name="leads"
    )
    item = models.ForeignKey(
        EvidenceItem, on_delete=models.CASCADE, null=True, blank=True, related_name="leads"
    )
    communication = models.ForeignKey(
        Communication, on_delete=models.CASCADE, null=True, blank=True, related_name="leads"
    )
    other_incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, null=True, blank=True, related_name="merge_leads"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, null=True, blank=True, related_name="leads"
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, null=True, blank=True, related_name="leads"
    )
    post = models.ForeignKey(
        Post, on_delete=models.SET_NULL, null=True, blank=True, related_name="leads"
    )
    deployment = models.ForeignKey(
        Deployment, on_delete=models.CASCADE, null=True, blank=True, related_name="leads"
    )
    score = models.FloatField(_("score"))
    grade = models.CharField(_("grade"), max_length=20, blank=True)
    explanation = models.TextField(_("explanation"))
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    details = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("note"), blank=True)
    link = models.JSONField(default=dict, blank=True)
    run = models.ForeignKey(
        CorrelationRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="leads"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LeadQuerySet.as_manager()

    class Meta:
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "target_key"], name="lead_one_per_pair")
        ]
        indexes = [
            models.Index(fields=["compartment", "status", "kind"]),
            models.Index(fields=["status", "-score"]),
        ]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")

    def __str__(self) -> str:
        return f"{self.kind} lead {self.pk}: incident {self.incident_id} ↔ {self.target_key}"
