"""Leads: the Django shell around the pure correlation core (``crimebook.correlation``).

Public faces: :mod:`crimebook.leads.build` (a run: database rows → core inputs → stored
leads), :mod:`crimebook.leads.services` (review: accept / reject, audited) and
:mod:`crimebook.leads.selectors` (reads that depend on who asks).
"""
