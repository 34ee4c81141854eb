"""Dossiers for a prosecutor: what may go in (consent), the PDF, and the sealed exhibit ZIP.

``plan`` decides what is included and what is left out and why; ``render`` turns the plan
into HTML and (lazily importing WeasyPrint) a PDF; ``bundle`` (PURE) writes the ZIP of
exhibits re-sealed to the recipient with its manifest; ``services.dossier_export`` ties them
together and audits every step.
"""
