"""Append-only, hash-chained audit log: every write and every read of an identity."""
