"""The public intake: anonymous report forms, codename follow-up and insider receipts.

It runs under its own settings (:mod:`crimebook.intake_settings`) and URLconf, and it imports
nothing that can decrypt organisation data: it holds age *public* keys only, so seizing the
intake host yields ciphertext. The workspace reads the intake's tables and sealed store
through :mod:`crimebook.triage`, which has the private keys. Pure modules (no Django):
``sealing``, ``codenames``, ``replykeys``, ``receipts``, ``store``, ``ratelimit``.
"""
