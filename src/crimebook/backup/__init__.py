"""Encrypted backups: one age-sealed archive holding the database, the key files and a manifest
of hashes; restore onto a fresh data directory verifies every hash and the audit chain."""
