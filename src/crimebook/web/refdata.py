"""Reference data that every staff account sees alike, read once and kept in the shared
cache (``core/refcache.py``): the active terms of each vocabulary, every term's id by code,
the unit list, and whether the demo compartment exists. Nothing here depends on the user's
compartments. The values are also kept in each process (``kept=True``; the version token is
still read every time): nothing here changes them.

Invalidated by saves and deletions of ``Vocabulary``/``Term``, ``Unit`` and ``Compartment``
(receivers connected in ``WebConfig.ready``) and after every ``migrate`` (data migrations
write through historical models, whose saves send no signal to these receivers).
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import get_language

from crimebook.core import refcache

TERMS = "terms"
UNITS = "units"
COMPARTMENTS = "compartments"
GROUPS = (TERMS, UNITS, COMPARTMENTS)


def _terms() -> dict[str, list[tuple[str, str, str, str, bool]]]:
    from crimebook.register.models import Term

    out: dict[str, list[tuple[str, str, str, str, bool]]] = {}
    rows = Term.objects.order_by("vocabulary__code", "code").values_list(
        "vocabulary__code", "code", "label_en", "label_ru", "label_be", "retired_in"
    )
    for vocabulary, code, en, ru, be, retired_in in rows:
        out.setdefault(vocabulary, []).append((code, en, ru, be, bool(retired_in)))
    return out


def _labelled(vocabulary: str, *, retired: bool) -> list[tuple[str, str]]:
    terms = refcache.get_or_compute(TERMS, "all", _terms, kept=True).get(vocabulary, [])
    language = (get_language() or "en")[:2]
    out: list[tuple[str, str]] = []
    for code, en, ru, be, is_retired in terms:
        if retired or not is_retired:
            out.append((code, {"ru": ru, "be": be}.get(language, en) or en))
    return out


def active_terms(vocabulary: str) -> list[tuple[str, str]]:
    """(code, label in the current language) of the vocabulary's active terms, in code
    order; a label missing in the language falls back to English (as ``Term.label``)."""
    return _labelled(vocabulary, retired=False)


def term_labels(vocabulary: str, *, retired: bool = False) -> dict[str, str]:
    """code → label in the current language, of the active terms (and of the retired ones
    with ``retired=True``: records keep the terms they were given)."""
    return dict(_labelled(vocabulary, retired=retired))


def _by_id() -> dict[int, tuple[str, str, str, str, str]]:
    from crimebook.register.models import Term

    rows = Term.objects.values_list(
        "pk", "vocabulary__code", "code", "label_en", "label_ru", "label_be"
    )
    return {pk: (vocabulary, code, en, ru, be) for pk, vocabulary, code, en, ru, be in rows}


def _term_ids() -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for pk, (vocabulary, code, *_labels) in refcache.get_or_compute(
        TERMS, "by_id", _by_id, kept=True
    ).items():
        out.setdefault(vocabulary, {})[code] = pk
    return out


def term_ids(vocabulary: str, code: str) -> list[int]:
    """The id of the term ``code`` of the vocabulary, active or retired (filters find
    records by the terms they were given), as a list: empty for an unknown code."""
    pk = refcache.get_or_compute(TERMS, "ids", _term_ids, kept=True).get(vocabulary, {}).get(code)
    return [] if pk is None else [pk]


def terms_by_id() -> dict[int, tuple[tuple[str, str], str]]:
    """term id → ((vocabulary code, term code), label in the current language) of every
    term, active or retired (records keep the terms they were given); the first item sorts
    terms as ``Term``'s ordering does, the label is ``Term.label``."""
    language = (get_language() or "en")[:2]
    return {
        pk: ((vocabulary, code), {"ru": ru, "be": be}.get(language, en) or en)
        for pk, (vocabulary, code, en, ru, be) in refcache.get_or_compute(
            TERMS, "by_id", _by_id, kept=True
        ).items()
    }


def _units() -> list[tuple[int, str, str, str]]:
    from crimebook.register.models import Unit

    return list(Unit.objects.order_by("pk").values_list("pk", "name", "name_ru", "name_be"))


def _localised_units(language: str) -> list[tuple[int, str]]:
    from crimebook.register.models.units import unit_name

    rows = refcache.get_or_compute(UNITS, "all-names", _units, kept=True)
    named = [(pk, unit_name(name, ru, be, language)) for pk, name, ru, be in rows]
    return sorted(named, key=lambda item: (item[1].casefold(), item[0]))


def units() -> list[tuple[int, str]]:
    """(id, name in the reader's language) of every unit, ordered by that name (a missing
    Russian or Belarusian name falls back to the stored default, as ``Unit.display_name``).
    Units are public structure, shared by all compartments: callers still check that the
    reader is an active staff account."""
    language = (get_language() or "en")[:2]
    return list(
        refcache.get_or_compute(
            UNITS, f"all-{language}", lambda: _localised_units(language), kept=True
        )
    )


def unit_names() -> dict[int, str]:
    """unit id → name in the reader's language (``units`` as a mapping): map popups,
    search hits and charts name units through this, without a query of their own."""
    return dict(units())


def _demo_exists() -> bool:
    from crimebook.accounts.models import Compartment

    return Compartment.objects.filter(name__startswith="DEMO").exists()


def demo_data_present() -> bool:
    """Whether a compartment of fictitious demo data exists (the banner on every page)."""
    return bool(refcache.get_or_compute(COMPARTMENTS, "demo", _demo_exists, kept=True))


def _invalidate_all(sender: Any, **kwargs: Any) -> None:
    for group in GROUPS:
        refcache.invalidate(group)


def connect() -> None:
    from crimebook.accounts.models import Compartment
    from crimebook.register.models import Term, Unit, Vocabulary

    watched = ((TERMS, (Vocabulary, Term)), (UNITS, (Unit,)), (COMPARTMENTS, (Compartment,)))
    for group, models in watched:
        receiver = refcache.invalidating_receiver(group)
        for model in models:
            for event, signal in (("save", post_save), ("delete", post_delete)):
                uid = f"refcache-{group}-{model.__name__}-{event}"
                signal.connect(receiver, sender=model, weak=False, dispatch_uid=uid)
    post_migrate.connect(_invalidate_all, weak=False, dispatch_uid="refcache-migrate")
