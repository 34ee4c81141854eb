"""Evidence items (files in the vault and their derivatives), cameras, recordings and
communications (call detail records, messages, intercepts: metadata only).

Compartmented like register records: every list goes through ``visible_to(user)``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crimebook.register.models import Act, Incident, Source
from crimebook.register.models.common import Compartmented, VisibleQuerySet


class EvidenceQuerySet(VisibleQuerySet["EvidenceItem"]):
    compartment_path = "compartment"


class EvidenceItem(Compartmented):
    class Kind(models.TextChoices):
        PHOTO = "photo", _("photo")
        VIDEO = "video", _("video")
        AUDIO = "audio", _("audio")
        DOCUMENT = "document", _("document")
        RECORDING = "recording", _("surveillance recording")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        INGESTED = "ingested", _("ingested")
        FAILED = "failed", _("failed")

    class MetadataStatus(models.TextChoices):
        PENDING = "pending", _("pending")
        EXTRACTED = "extracted", _("extracted")
        FAILED = "failed", _("failed")
        NONE = "none", _("not applicable")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    original_name = models.CharField(_("original file name"), max_length=255)
    size = models.BigIntegerField(_("size (bytes)"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, db_index=True)
    storage_backend = models.CharField(max_length=20, default="local")
    storage_key = models.CharField(max_length=200, blank=True)
    media_type = models.CharField(_("media type (from content)"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.INGESTED
    )
    failure_reason = models.CharField(_("reason"), max_length=500, blank=True)
    derived_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="derivatives",
        verbose_name=_("derived from"),
    )
    derivation = models.CharField(_("derivation"), max_length=300, blank=True)
    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("source"),
    )
    incidents = models.ManyToManyField(Incident, related_name="evidence", blank=True)
    acts = models.ManyToManyField(Act, related_name="evidence", blank=True)
    description = models.TextField(_("description"), blank=True)
    # metadata as received (every tag) and normalised
    metadata_status = models.CharField(
        _("metadata"),
        max_length=20,
        choices=MetadataStatus.choices,
        default=MetadataStatus.PENDING,
    )
    metadata_error = models.CharField(max_length=500, blank=True)
    metadata_raw = models.JSONField(default=dict, blank=True)
    metadata_problems = models.JSONField(default=list, blank=True)
    captured_at = models.DateTimeField(_("captured at"), null=True, blank=True, db_index=True)
    tz_name = models.CharField(_("time zone"), max_length=64, blank=True)
    tz_inferred = models.BooleanField(_("time zone inferred"), default=False)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    gps_accuracy_m = models.FloatField(_("GPS accuracy (m)"), null=True, blank=True)
    device_make = models.CharField(_("device make"), max_length=200, blank=True)
    device_model = models.CharField(_("device model"), max_length=200, blank=True)
    software = models.CharField(_("software"), max_length=200, blank=True)
    orientation = models.PositiveSmallIntegerField(_("orientation"), null=True, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration_s = models.FloatField(_("duration (s)"), null=True, blank=True)
    fps = models.FloatField(_("frames per second"), null=True, blank=True)
    phash = models.BigIntegerField(_("perceptual hash"), null=True, blank=True, db_index=True)
    # text of a PDF or office document (capped, see evidence/doctext.py), for search
    text = models.TextField(_("document text"), blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["compartment", "sha256"],
                condition=Q(status="ingested", derived_from__isnull=True),
                name="evidence_one_original_per_content",
            )
        ]
        verbose_name = _("evidence item")
        verbose_name_plural = _("evidence items")

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_original(self) -> bool:
        return self.derived_from_id is None

    @property
    def phash_hex(self) -> str:
        return "" if self.phash is None else f"{self.phash & (2**64 - 1):016x}"


class Camera(Compartmented):
    external_id = models.CharField(_("camera id"), max_length=200)
    name = models.CharField(_("name"), max_length=300, blank=True)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    fov_radius_m = models.FloatField(_("field-of-view radius (m)"), default=50.0)
    description = models.TextField(_("description"), blank=True)
    # incremental correlation runs re-evaluate the recordings of a camera changed since
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["compartment", "external_id"], name="evidence_camera_unique_id"
            )
        ]
        verbose_name = _("camera")
        verbose_name_plural = _("cameras")

    def __str__(self) -> str:
        return self.name or self.external_id


class Recording(Compartmented):
    """A span of footage from one camera; ``item`` is empty when the footage is held
    elsewhere (``held_by``) and only its metadata is recorded here."""

    camera = models.ForeignKey(Camera, on_delete=models.PROTECT, related_name="recordings")
    item = models.ForeignKey(
        EvidenceItem, on_delete=models.PROTECT, null=True, blank=True, related_name="recordings"
    )
    start = models.DateTimeField(_("start"), db_index=True)
    end = models.DateTimeField(_("end"))
    held_by = models.CharField(_("footage held by"), max_length=300, blank=True)
    external_id = models.CharField(max_length=200, blank=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["camera", "start"])]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="recording_span")
        ]
        verbose_name = _("recording")
        verbose_name_plural = _("recordings")

    def __str__(self) -> str:
        return f"{self.camera_id} {self.start:%Y-%m-%d %H:%M}"


class Communication(Compartmented):
    """A call, message or intercepted transmission placed in a cell area (centre + radius)
    during ``[start, end]``: metadata only, as a call detail record or intercept log gives it.

    The parties are pseudonymous labels ("subscriber A"); a phone number given at import is
    kept only as a blind-index digest (``party_*_digest``: HMAC of the digits, the same as a
    person's contact digest), never in clear. ``item`` is the evidence item holding the
    record (a CDR export, the intercept audio) when the vault has it.
    """

    class Kind(models.TextChoices):
        CALL = "call", _("call")
        MESSAGE = "message", _("SMS or message")
        RADIO = "radio", _("radio or intercept")
        OTHER = "other", _("other")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    start = models.DateTimeField(_("start"), db_index=True)
    end = models.DateTimeField(_("end"))
    latitude = models.FloatField(_("cell area latitude"), null=True, blank=True)
    longitude = models.FloatField(_("cell area longitude"), null=True, blank=True)
    radius_m = models.FloatField(_("cell area radius (m)"), null=True, blank=True)
    place_name = models.CharField(_("cell or place"), max_length=300, blank=True)
    party_a = models.CharField(_("party A (pseudonymous label)"), max_length=100, blank=True)
    party_b = models.CharField(_("party B (pseudonymous label)"), max_length=100, blank=True)
    party_a_digest = models.CharField(max_length=64, blank=True, db_index=True)
    party_b_digest = models.CharField(max_length=64, blank=True, db_index=True)
    summary = models.TextField(_("summary"), blank=True)
    item = models.ForeignKey(
        EvidenceItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="communications",
        verbose_name=_("evidence item holding the record"),
    )
    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="communications",
        verbose_name=_("source"),
    )
    external_id = models.CharField(_("record id"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["-start", "-id"]
        indexes = [models.Index(fields=["compartment", "start"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")), name="communication_span"
            ),
            models.UniqueConstraint(
                fields=["compartment", "external_id"],
                condition=~Q(external_id=""),
                name="communication_unique_id",
            ),
        ]
        verbose_name = _("communication")
        verbose_name_plural = _("communications")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start:%Y-%m-%d %H:%M}"
