"""The map's grid index: one compact row per placed incident, kept in step with the register
by reading the audit log (every write is audited), so that counting a million incidents per
grid cell reads a narrow covering index instead of the register table. See ``gridindex.py``."""

from __future__ import annotations

from django.db import models

from crimebook.register.models import Incident


class MapPoint(models.Model):
    """An incident's place on the grid and the facets the map filters on, copied from it."""

    # No database constraint and no cascade: a deleted incident's point stays until the audit
    # entry of the deletion is synced, so that its cell counts are taken away with it.
    incident = models.OneToOneField(
        Incident, on_delete=models.DO_NOTHING, db_constraint=False, primary_key=True,
        related_name="+",
    )  # fmt: skip
    compartment_id = models.BigIntegerField()
    key = models.BigIntegerField()  # Morton code of the 2**-12° cell (see grid.morton)
    latitude = models.FloatField()
    longitude = models.FloatField()
    status = models.CharField(max_length=20)
    verification = models.CharField(max_length=20)
    violation_mask = models.BigIntegerField(default=0)  # bit per violation-type term (gridindex)
    start = models.DateTimeField(null=True)
    end = models.DateTimeField(null=True)
    # Days of ``start`` and ``end`` (days since 1970-01-01 at the index's fixed UTC offset,
    # ``MapSync.day_offset_s``), computed by the database when the point is copied: the
    # per-day counts (``MapFacetCell``) are derived from these, added and taken away alike.
    start_day = models.IntegerField(null=True)
    end_day = models.IntegerField(null=True)
    # ``end_day - start_day`` for a window of at most ``gridindex.SHORT_SPAN`` days (0 … 7);
    # 8 a longer one, one end unknown or an end before the start; 9 no time at all. With
    # ``start_day`` it lets a day filter seek the days it wants (``maps_point_days``).
    span = models.SmallIntegerField(default=9)

    class Meta:
        indexes = [
            # covering: every per-cell count is answered from this index alone
            models.Index(
                fields=[
                    "compartment_id", "key", "status", "verification", "violation_mask",
                    "start", "end", "latitude", "longitude",
                ],
                name="maps_point_cover",
            ),
            # covering, for a day filter: a short window's start day is one of the few the
            # filter can reach (its days minus the span), so a district and one day reads that
            # day's points of the district instead of every day's (``_gridday``)
            models.Index(
                fields=[
                    "compartment_id", "span", "start_day", "key", "status", "verification",
                    "violation_mask", "start", "end", "latitude", "longitude",
                ],
                name="maps_point_days",
            ),
            # covering, for the longer and half-open windows a day filter reads by key alone
            models.Index(
                fields=[
                    "compartment_id", "key", "status", "verification", "violation_mask",
                    "start", "end", "latitude", "longitude",
                ],
                condition=models.Q(span=8),
                name="maps_point_long",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"incident {self.incident_id} at cell {self.key}"


class MapCell(models.Model):
    """Count and coordinate sums of a compartment's indexed incidents per grid cell, at every
    level the map asks for (cells of 2**level degrees, ``key`` = the cell's Morton code): the
    answer to an unfiltered view without reading one point. Kept by ``gridindex`` with the
    points, in the same transaction."""

    compartment_id = models.BigIntegerField()
    level = models.SmallIntegerField()
    key = models.BigIntegerField()
    count = models.BigIntegerField(default=0)
    sum_lat = models.FloatField(default=0.0)
    sum_lon = models.FloatField(default=0.0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["compartment_id", "level", "key"], name="maps_cell_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.count} at level {self.level} cell {self.key}"


class MapFacetCell(models.Model):
    """Count and coordinate sums of a compartment's indexed incidents per grid cell, level,
    violation type, day window, status and verification: a filtered view is a sum over these
    small rows instead of a read of every point in view. Kept by ``gridindex`` with the points
    and ``MapCell``, in the same transaction.

    ``violation`` is 0 for every incident, else the violation type's bit in
    ``MapPoint.violation_mask`` + 1 (an incident with two types is in three rows). ``kind``:
    0 — a window of at most ``gridindex.SHORT_SPAN`` days, ``first_day``/``last_day`` the days
    of its start and end; 1 — a longer window, or one end unknown (an unknown start is
    ``gridindex.NO_DAY``, an unknown end ``-NO_DAY``, so a date bound excludes them as the
    selector does); 2 — every incident regardless of time (days 0), for views without dates.
    Incidents with neither start nor end are only in kind 2."""

    compartment_id = models.BigIntegerField()
    level = models.SmallIntegerField()
    violation = models.SmallIntegerField()
    kind = models.SmallIntegerField()
    first_day = models.IntegerField()
    last_day = models.IntegerField()
    key = models.BigIntegerField()
    status = models.CharField(max_length=20)
    verification = models.CharField(max_length=20)
    count = models.BigIntegerField(default=0)
    sum_lat = models.FloatField(default=0.0)
    sum_lon = models.FloatField(default=0.0)

    class Meta:
        constraints = [
            # also the read path: compartment, level, type, kind, then a range of days
            models.UniqueConstraint(
                fields=[
                    "compartment_id", "level", "violation", "kind", "first_day", "last_day",
                    "key", "status", "verification",
                ],
                name="maps_facet_unique",
            )
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.count} at level {self.level} cell {self.key} days {self.first_day}"


class MapSync(models.Model):
    """How far into the audit log the grid index has been brought up to date (one row), and
    what its rows were computed with: the UTC offset of its day numbers and the violation-type
    terms behind the bits of ``violation_mask`` (a change of either rebuilds the index)."""

    audit_seq = models.BigIntegerField(default=0)
    rebuilt_at = models.DateTimeField(null=True)
    day_offset_s = models.IntegerField(default=0)
    violation_terms = models.TextField(default="", blank=True)  # term ids, comma-separated

    def __str__(self) -> str:
        return f"map index at audit entry {self.audit_seq}"
