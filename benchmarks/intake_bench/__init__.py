"""Support modules for benchmarks/intake.py (never installed, never shipped)."""
