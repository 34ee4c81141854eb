"""Crimebook: documentation and accountability for crimes of state violence."""
