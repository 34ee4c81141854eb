"""Background jobs: a ``Job`` row per piece of work, huey to carry job ids to workers.

Public face: :func:`crimebook.jobs.services.job_submit` (and ``job_retry``,
``jobs_recover``), :mod:`crimebook.jobs.selectors`, :func:`crimebook.jobs.registry.register`
for new kinds. See ARCHITECTURE.md, "Jobs".
"""
