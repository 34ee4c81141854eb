"""The audit entry table. Rows are only ever inserted (see services.audit_record);
on PostgreSQL a trigger rejects UPDATE, DELETE and TRUNCATE."""

from __future__ import annotations

from django.db import models

from crimebook.audit.chain import EntryContent


class AuditEntry(models.Model):
    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_name = models.CharField(max_length=150)
    action = models.CharField(max_length=40)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=64)
    changes = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def content(self) -> EntryContent:
        return EntryContent(
            seq=self.seq,
            at=self.at,
            actor_id=self.actor_id,
            actor_name=self.actor_name,
            action=self.action,
            object_type=self.object_type,
            object_id=self.object_id,
            changes=self.changes,
            prev_hash=self.prev_hash,
        )


class AuditTimestamp(models.Model):
    """An RFC 3161 token over the chain's head (see ``audit/tsa.py`` for what is stamped).
    Rows are only inserted; ``audit verify`` re-checks every one against the chain."""

    head_seq = models.PositiveBigIntegerField(db_index=True)
    head_hash = models.CharField(max_length=64)
    tsa_url = models.CharField(max_length=500)
    tsa_name = models.CharField(max_length=300, blank=True)
    token = models.BinaryField()
    gen_time = models.DateTimeField()
    policy = models.CharField(max_length=100)
    serial = models.CharField(max_length=64)  # TSA serials may be up to 160 bits
    nonce = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-head_seq", "-id"]

    def __str__(self) -> str:
        return f"timestamp of #{self.head_seq} by {self.tsa_name or self.tsa_url}"
