"""Workspace-side state of intake submissions: the review decision and the links from
register records back to the submission they came from."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from crimebook.intake.models import Submission


class Review(models.Model):
    class State(models.TextChoices):
        NEW = "new", _("new")
        OPENED = "opened", _("opened")
        SPAM = "spam", _("spam or fake")
        DUPLICATE = "duplicate", _("duplicate")
        CONVERTED = "converted", _("turned into records")

    submission = models.OneToOneField(Submission, on_delete=models.PROTECT, related_name="review")
    state = models.CharField(max_length=12, choices=State.choices, default=State.NEW)
    duplicate_of = models.ForeignKey(
        Submission, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.submission} — {self.state}"


class RecordLink(models.Model):
    """A register record made from a submission (incident, act, person, source)."""

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="links")
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=40)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "object_type", "object_id"], name="one_link_per_record"
            )
        ]

    def __str__(self) -> str:
        return f"{self.object_type}:{self.object_id} ← {self.submission}"
