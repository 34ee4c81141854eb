"""PURE parsers and writers of interchange formats (no Django imports).

Each parser yields :class:`~crimebook.interchange.formats.records.RowOk` or
:class:`~crimebook.interchange.formats.records.RowError` per input row, in order, and never
reads a whole file into memory except where the format needs it (JSON, under a size cap).
"""
