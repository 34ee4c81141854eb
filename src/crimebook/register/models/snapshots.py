"""Precomputed statistics per compartment (see :mod:`crimebook.register.rollups`)."""

from __future__ import annotations

from django.db import models

from crimebook.accounts.models import Compartment
from crimebook.register.models.common import VisibleQuerySet


class StatsSnapshotQuerySet(VisibleQuerySet["StatsSnapshot"]):
    compartment_path = "compartment"


class StatsSnapshot(models.Model):
    """The overview's aggregates of one compartment, as of one point of the audit chain.

    Every register write appends an audit entry, so a snapshot whose ``audit_seq`` is behind
    the last register write is stale and is computed again (counts are never guessed)."""

    compartment = models.OneToOneField(Compartment, on_delete=models.CASCADE, related_name="+")
    audit_seq = models.BigIntegerField()
    computed_at = models.DateTimeField()
    data = models.JSONField()
    # every place's count (``data`` keeps the largest ones for the overview): what a bucket's
    # recount is subtracted from, never read by a page; null: not known, count all again
    places_all = models.JSONField(default=dict, null=True)

    objects = StatsSnapshotQuerySet.as_manager()

    class Meta:
        ordering = ["compartment_id"]

    def __str__(self) -> str:
        return f"statistics of compartment {self.compartment_id} at audit entry {self.audit_seq}"


class StatsBucket(models.Model):
    """The counts of one compartment's incidents whose ids fall in one range (see
    :mod:`crimebook.register.rollup_buckets`); the compartment's snapshot is their sum."""

    compartment = models.ForeignKey(Compartment, on_delete=models.CASCADE, related_name="+")
    bucket = models.BigIntegerField()
    data = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["compartment", "bucket"], name="stats_bucket_unique")
        ]

    def __str__(self) -> str:
        return f"statistics of compartment {self.compartment_id}, bucket {self.bucket}"
