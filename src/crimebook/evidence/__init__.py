"""The evidence vault: content-addressed, age-sealed evidentiary copies with custody.

Public faces: :mod:`crimebook.evidence.services` (writes), :mod:`crimebook.evidence.selectors`
(reads that depend on who asks) and :mod:`crimebook.evidence.pipeline` (the stages).
"""
