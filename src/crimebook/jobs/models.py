"""A background job: what to run (kind + parameters), where it stands, and who asked.

The huey queue only carries a job's id; this row is the truth about the job. It is
compartmented when the work concerns one compartment's records (``compartment`` set), and
otherwise private to the account that asked for it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crimebook.accounts.models import Compartment


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=64, db_index=True)
    parameters = models.JSONField(_("parameters"), default=dict)
    # The record the job works on, for "the job of this item" links (e.g. evidence item 7).
    subject_type = models.CharField(max_length=64, blank=True)
    subject_id = models.CharField(max_length=64, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress_done = models.PositiveIntegerField(_("done"), default=0)
    progress_total = models.PositiveIntegerField(_("total"), null=True, blank=True)
    # English, for API clients, the audit entry and rows from before ``message_data``
    message = models.CharField(_("message"), max_length=1000, blank=True)
    # {"v": 1, "key": ..., "params": {...}}: worded in the reader's language (jobs/wording.py)
    message_data = models.JSONField(default=dict, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    attempt_limit = models.PositiveSmallIntegerField(default=3)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    compartment = models.ForeignKey(
        Compartment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("compartment"),
    )
    worker = models.CharField(max_length=200, blank=True)  # "<host>:<pid>" of the attempt
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=("subject_type", "subject_id"), name="jobs_job_subject"),
            models.Index(fields=("status", "heartbeat_at"), name="jobs_job_status_beat"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed"]),
                name="jobs_job_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(progress_total__isnull=True)
                | Q(progress_done__lte=models.F("progress_total")),
                name="jobs_job_progress_within_total",
            ),
        ]

    def __str__(self) -> str:
        return f"job {self.pk} ({self.kind}, {self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def percent(self) -> int | None:
        if not self.progress_total:
            return None
        return min(100, self.progress_done * 100 // self.progress_total)
