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

    objects = StatsSnapshotQuerySet.as_manager()

    class Meta:
        ordering = ["compartment_id"]

    def __str__(self) -> str:
        return f"statistics of compartment {self.compartment_id} at audit entry {self.audit_seq}"
