"""The intake's own tables. They hold no plaintext of any report and no precise times.

* :class:`IntakeSource` — a returning source: only a slow hash of the codename (``lookup``)
  and the age public key replies are sealed to. No address, no agent, no contact.
* :class:`Submission` — one sealed report or follow-up: where it is in the store, the SHA-256
  of its sealed report, the UTC *day* it arrived, and the insider receipt id if any.
* :class:`SealedAttachment` — a sealed attachment of a submission (its plaintext name, type
  and hash are inside the sealed report, not here).
* :class:`Reply` — a reviewer's reply, sealed to the source's reply key.
"""

from __future__ import annotations

import uuid

from django.db import models


class IntakeSource(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    lookup = models.CharField(max_length=64, unique=True)
    reply_recipient = models.CharField(max_length=100)
    created_on = models.DateField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"source {str(self.uuid)[:8]}"


class Submission(models.Model):
    class Kind(models.TextChoices):
        REPORT = "report", "report"
        FOLLOWUP = "followup", "follow-up"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    source = models.ForeignKey(IntakeSource, on_delete=models.PROTECT, related_name="submissions")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    insider = models.BooleanField(default=False)
    received_on = models.DateField()
    sealed_sha256 = models.CharField(max_length=64)
    sealed_size = models.PositiveBigIntegerField()
    attachment_count = models.PositiveIntegerField(default=0)
    attachments_sealed_size = models.PositiveBigIntegerField(default=0)
    receipt_id = models.CharField(max_length=24, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-received_on", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {str(self.uuid)[:8]} ({self.received_on})"


class SealedAttachment(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="attachments")
    position = models.PositiveIntegerField()
    name = models.CharField(max_length=12)
    sealed_sha256 = models.CharField(max_length=64)
    sealed_size = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["submission_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "position"], name="attachment_position")
        ]

    def __str__(self) -> str:
        return self.name


class Reply(models.Model):
    source = models.ForeignKey(IntakeSource, on_delete=models.CASCADE, related_name="replies")
    sealed = models.BinaryField()
    created_on = models.DateField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"reply {self.pk}"
