"""Keeping the index consistent with every ORM write.

Signals, not explicit calls from each service: the index must follow *every* write to eight
kinds of record made by four apps (register, evidence, intake, triage), including many-to-many
links and cascaded deletes, and one missed call would silently hide a record from search.
Receivers only *mark* the documents a write touches (per thread); the marks are applied —
once each, however many saves and link changes one service call made — when the write
appends its audit entry (every service write does, last, in its transaction), so a write and
its documents commit or roll back together. Writes that append no audit entry (the admin
site, direct ORM use) are applied when their transaction commits, and a search applies any
marks of its own thread first (a reader sees its own writes). What changes with what:

| write                                   | documents rebuilt                                   |
|-----------------------------------------|-----------------------------------------------------|
| incident (or its violation types)       | the incident, its acts, evidence linked to it       |
| act (or its injuries / methods)         | the act and its incident                            |
| involvement                             | its act and incident (has suspect, units)           |
| post                                    | the person; acts they are involved in + incidents   |
| person                                  | the person; acts where they are the victim          |
| evidence item (or its links)            | the item; linked incidents and acts (has evidence)  |
| unit, source, submission, review,       | that document                                       |
| communication                           |                                                     |

Loading fixtures (``raw`` saves: backup restore) is skipped: a backup carries the index.
Writes that bypass the ORM call :func:`crimebook.search.index_records` themselves.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

from crimebook.search.indexing import index_records, index_records_bulk
from crimebook.search.models import Kind

Pending = dict[str, set[int]]
Write = tuple[type[Model], int, bool]  # (model, pk, wide) of a save or link change
_STASH = "_search_pending"
_local = threading.local()
logger = logging.getLogger(__name__)


def _merge(into: Pending, kind: str, ids: Iterable[int]) -> None:
    into[kind].update(int(i) for i in ids if i is not None)


def _incidents_of_acts(act_ids: Iterable[int]) -> list[int]:
    from crimebook.register.models import Act

    return list(Act.objects.filter(pk__in=list(act_ids)).values_list("incident_id", flat=True))


def affected(model: type[Model], pk: int, *, wide: bool = True) -> Pending:
    """The documents a write to (``model``, ``pk``) can change. ``wide=False`` for a save or
    a change of an act's own terms, which cannot change its incident's document."""
    from crimebook.evidence.models import Communication, EvidenceItem
    from crimebook.intake.models import Submission
    from crimebook.register.models import (
        Act,
        Incident,
        Involvement,
        Person,
        Post,
        Source,
        Unit,
    )
    from crimebook.triage.models import Review

    out: Pending = defaultdict(set)
    if model is Incident:
        _merge(out, Kind.INCIDENT, [pk])
        _merge(out, Kind.ACT, Act.objects.filter(incident_id=pk).values_list("pk", flat=True))
        _merge(
            out,
            Kind.EVIDENCE,
            EvidenceItem.incidents.through.objects.filter(incident_id=pk).values_list(
                "evidenceitem_id", flat=True
            ),
        )
    elif model is Act:
        _merge(out, Kind.ACT, [pk])
        if wide:  # deleted, or evidence linked: the incident's "has evidence/suspect" moves
            _merge(out, Kind.INCIDENT, _incidents_of_acts([pk]))
    elif model is Involvement:
        acts = list(Involvement.objects.filter(pk=pk).values_list("act_id", flat=True))
        _merge(out, Kind.ACT, acts)
        _merge(out, Kind.INCIDENT, _incidents_of_acts(acts))
    elif model is Post:
        persons = list(Post.objects.filter(pk=pk).values_list("person_id", flat=True))
        acts = list(
            Involvement.objects.filter(person_id__in=persons).values_list("act_id", flat=True)
        )
        _merge(out, Kind.PERSON, persons)
        _merge(out, Kind.ACT, acts)
        _merge(out, Kind.INCIDENT, _incidents_of_acts(acts))
    elif model is Person:
        _merge(out, Kind.PERSON, [pk])
        _merge(out, Kind.ACT, Act.objects.filter(victim_id=pk).values_list("pk", flat=True))
    elif model is EvidenceItem:
        acts = list(
            EvidenceItem.acts.through.objects.filter(evidenceitem_id=pk).values_list(
                "act_id", flat=True
            )
        )
        _merge(out, Kind.EVIDENCE, [pk])
        _merge(out, Kind.ACT, acts)
        _merge(out, Kind.INCIDENT, _incidents_of_acts(acts))
        _merge(
            out,
            Kind.INCIDENT,
            EvidenceItem.incidents.through.objects.filter(evidenceitem_id=pk).values_list(
                "incident_id", flat=True
            ),
        )
    elif model is Unit:
        _merge(out, Kind.UNIT, [pk])
    elif model is Source:
        _merge(out, Kind.SOURCE, [pk])
    elif model is Submission:
        _merge(out, Kind.SUBMISSION, [pk])
    elif model is Communication:
        _merge(out, Kind.COMMUNICATION, [pk])
    elif model is Review:
        _merge(
            out,
            Kind.SUBMISSION,
            Review.objects.filter(pk=pk).values_list("submission_id", flat=True),
        )
    return out


def apply(pending: Pending, *, set_based: bool = False) -> None:
    for kind, ids in pending.items():
        if ids:
            (index_records_bulk if set_based else index_records)(kind, ids)


def mark(changes: Pending) -> None:
    """Remember documents to rebuild, and schedule applying them when the transaction commits."""
    pending: Pending | None = getattr(_local, "pending", None)
    if pending is None:
        pending = _local.pending = defaultdict(set)
    for kind, ids in changes.items():
        pending[kind].update(ids)
    # (a no-op if the audit entry applied the marks first; outside a transaction: at once)
    transaction.on_commit(_flush_after_commit, robust=True)


def flush(*, set_based: bool = False) -> None:
    """Apply this thread's marks now (inside the current transaction, if any)."""
    writes: set[Write] | None = getattr(_local, "writes", None)
    if writes:  # saves and links inside a deferred() block: what they touch, as of now
        _local.writes = set()
        for model, pk, wide in writes:
            mark(affected(model, pk, wide=wide))
    pending: Pending | None = getattr(_local, "pending", None)
    _local.pending = None
    if pending:
        apply(pending, set_based=set_based)


def _defer(*writes: Write) -> bool:
    """Inside :func:`deferred`: remember the writes (each record once), resolve them at the
    end. Returns False outside (the caller marks at once)."""
    if not getattr(_local, "deferred", False):
        return False
    pending: set[Write] | None = getattr(_local, "writes", None)
    if pending is None:
        pending = _local.writes = set()
    pending.update(writes)
    return True


@contextmanager
def deferred() -> Iterator[None]:
    """For a writer of many records in one transaction (a service-mode import): inside, the
    writes' audit entries do not rebuild their documents one write at a time; leaving the
    block normally rebuilds every marked document in one pass (``index_records_bulk``: the
    database builds incidents' documents set-based), still inside the caller's transaction.
    Leaving on an exception drops the marks made inside (their transaction is being rolled
    back). Saves and link changes inside are remembered as (model, id) once each and their
    reach (``affected``) is worked out at the end, so a record saved and then linked costs
    one look-up, not two; deletes are worked out at once (before the rows go). Use it
    *inside* the transaction; nested use is the outer block's."""
    if getattr(_local, "deferred", False):
        yield
        return
    flush()  # marks from before the block are applied as they would have been
    _local.deferred = True
    try:
        yield
    except BaseException:
        _local.pending = None
        _local.writes = None
        raise
    finally:
        _local.deferred = False
    flush(set_based=True)


def _flush_after_commit() -> None:
    try:
        flush()
    except Exception:
        logger.exception("search index update after commit failed; run `crimebook search reindex`")
        raise


def _on_save(sender: type[Model], instance: Model, raw: bool = False, **_: Any) -> None:
    if not raw and not _defer((sender, instance.pk, False)):
        mark(affected(sender, instance.pk, wide=False))


def _on_pre_delete(sender: type[Model], instance: Model, **_: Any) -> None:
    setattr(instance, _STASH, affected(sender, instance.pk))


def _on_delete(sender: type[Model], instance: Model, **_: Any) -> None:
    pending: Pending = getattr(instance, _STASH, None) or affected(sender, instance.pk)
    mark(pending)


def _on_audit(sender: type[Model], instance: Model, raw: bool = False, **_: Any) -> None:
    """A service write ends with its audit entry: apply its marks in its transaction
    (unless a :func:`deferred` block applies them all at its end)."""
    if not raw and not getattr(_local, "deferred", False):
        flush()


def _on_m2m(
    sender: type[Model],
    instance: Model,
    action: str,
    model: type[Model],
    pk_set: set[int] | None,
    **_: Any,
) -> None:
    if action == "pre_clear":  # the links are about to go: remember the other side
        setattr(instance, _STASH + "_m2m", _linked(sender, instance, model))
        return
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    others = pk_set if action != "post_clear" else getattr(instance, _STASH + "_m2m", set())
    if _defer((type(instance), instance.pk, False), *((model, pk, True) for pk in others or ())):
        return
    pending = affected(type(instance), instance.pk, wide=False)
    for pk in others or ():
        for kind, ids in affected(model, pk).items():
            _merge(pending, kind, ids)
    mark(pending)


def _linked(through: type[Model], instance: Model, model: type[Model]) -> set[int]:
    """Primary keys of ``model`` linked to ``instance`` through the ``through`` table."""
    relations = [f for f in through._meta.concrete_fields if f.is_relation]
    own = next(f for f in relations if f.related_model is type(instance))
    other = next(f for f in relations if f.related_model is model and f is not own)
    rows = through._default_manager.filter(**{own.attname: instance.pk})
    return set(rows.values_list(other.attname, flat=True))


def connect() -> None:
    from crimebook.audit.models import AuditEntry
    from crimebook.evidence.models import Communication, EvidenceItem
    from crimebook.intake.models import Submission
    from crimebook.register.models import (
        Act,
        Incident,
        Involvement,
        Person,
        Post,
        Source,
        Unit,
    )
    from crimebook.triage.models import Review

    for model in (Incident, Act, Involvement, Post, Person, Unit, Source, EvidenceItem,
                  Submission, Review, Communication):  # fmt: skip
        uid = f"search:{model._meta.label}"
        post_save.connect(_on_save, sender=model, dispatch_uid=uid)
        pre_delete.connect(_on_pre_delete, sender=model, dispatch_uid=uid)
        post_delete.connect(_on_delete, sender=model, dispatch_uid=uid)
    for through in (
        Incident.violation_types.through,
        Act.injuries.through,
        Act.methods.through,
        EvidenceItem.incidents.through,
        EvidenceItem.acts.through,
    ):
        m2m_changed.connect(_on_m2m, sender=through, dispatch_uid=f"search:{through._meta.label}")
    post_save.connect(_on_audit, sender=AuditEntry, dispatch_uid="search:audit")
