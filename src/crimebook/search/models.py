"""The search index: one document per indexed record, with the values the facets filter on.

The text lives in ``title``, ``body`` and ``names``; the backends index it (migration
``0002``): on SQLite two external-content FTS5 tables kept in step by triggers (words with
``unicode61``, fuzzy names with ``trigram``); on PostgreSQL a ``tsv`` column filled by a
trigger (``simple`` + ``russian`` + ``english`` configurations) with a GIN index, and a
``pg_trgm`` GIN index on ``names``. Every write here is therefore an ORM write; the
database keeps the text indexes consistent with it.

Rows are derived data: ``crimebook search reindex`` rebuilds them all from the register.
A person's document holds the pseudonym only — never a decrypted identity.
"""

from __future__ import annotations

from django.db import models


class Kind(models.TextChoices):
    INCIDENT = "incident"
    ACT = "act"
    PERSON = "person"
    UNIT = "unit"
    SOURCE = "source"
    EVIDENCE = "evidence"
    SUBMISSION = "submission"
    COMMUNICATION = "comm"  # a call, message or intercept (``kind`` holds at most 12)


class SearchDoc(models.Model):
    kind = models.CharField(max_length=12, choices=Kind.choices)
    object_id = models.BigIntegerField()
    # None for shared reference data (units) and intake submissions (triage only)
    compartment_id = models.BigIntegerField(null=True, blank=True)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    names = models.TextField(blank=True)
    start = models.DateTimeField(null=True, blank=True)
    end = models.DateTimeField(null=True, blank=True)
    place = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=20, blank=True)
    verification = models.CharField(max_length=20, blank=True)
    has_evidence = models.BooleanField(null=True, blank=True)
    has_suspect = models.BooleanField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_doc_unique")
        ]
        indexes = [
            models.Index(fields=["compartment_id", "kind"], name="search_doc_access"),
            models.Index(fields=["start"], name="search_doc_start"),
            models.Index(fields=["status"], name="search_doc_status"),
            models.Index(fields=["verification"], name="search_doc_verification"),
            models.Index(fields=["place"], name="search_doc_place"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id}"


class SearchTag(models.Model):
    """A many-valued facet of a document: its violation types (term codes) and units (ids)."""

    class Facet(models.TextChoices):
        VIOLATION = "violation"
        UNIT = "unit"

    doc = models.ForeignKey(SearchDoc, on_delete=models.CASCADE, related_name="tags")
    facet = models.CharField(max_length=12, choices=Facet.choices)
    value = models.CharField(max_length=60)

    class Meta:
        indexes = [models.Index(fields=["facet", "value"], name="search_tag_value")]

    def __str__(self) -> str:
        return f"{self.facet}={self.value}"
