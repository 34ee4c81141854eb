"""What each kind of record puts into the index: a builder per kind that turns a batch of ids
into documents (text + facet values), reading with a fixed number of queries per batch.

| kind       | text                                                   | facets                                  |
|------------|--------------------------------------------------------|-----------------------------------------|
| incident   | title, description, place, violation types (en/ru/be)  | all (units: of alleged perpetrators)    |
| act        | act type, injuries, methods, detention place, medical  | its incident's, its own evidence/suspect|
|            | findings, description, victim's pseudonym, incident    |                                         |
| person     | pseudonym and roles — never an identity                | units of the person's posts             |
| unit       | name in en/ru/be, code, type                           | unit (itself)                           |
| source     | title, description, URL, kind                          | date received                           |
| evidence   | file name, description, media type, device, software,  | capture date, violation types of the    |
|            | and every field named in ``EVIDENCE_TEXT_FIELDS``      | incidents it is linked to               |
| submission | metadata only: kind, insider flag, review state, day,  | date received; visible to triage only   |
|            | attachment count (the report itself stays sealed)      |                                         |
| comm       | kind (en/ru/be), pseudonymous party labels, summary,   | time span, place (cell or place name)   |
|            | cell or place name — never a phone number or digest    |                                         |

To index a new text field of evidence (e.g. text extracted from PDFs), add its name to
``EVIDENCE_TEXT_FIELDS``: a field the model does not have (yet) is skipped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db.models import Model
from django.utils import timezone

from crimebook.search.models import Kind, SearchTag

MAX_BODY_CHARS = 200_000
EVIDENCE_TEXT_FIELDS: tuple[str, ...] = ("text", "extracted_text", "ocr_text")
SUBMISSION_KIND_WORDS = {"report": "report", "followup": "follow-up"}


@dataclass
class Doc:
    object_id: int
    title: str
    compartment_id: int | None = None
    body: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    start: datetime | None = None
    end: datetime | None = None
    place: str = ""
    status: str = ""
    verification: str = ""
    has_evidence: bool | None = None
    has_suspect: bool | None = None
    violations: set[str] = field(default_factory=set)
    units: set[int] = field(default_factory=set)

    def fields(self, kind: str) -> dict[str, Any]:
        body = "\n".join(p for p in self.body if p)
        return {
            "kind": kind, "object_id": self.object_id, "compartment_id": self.compartment_id,
            "title": self.title[:300], "body": body[:MAX_BODY_CHARS],
            "names": " ".join(n for n in self.names if n)[:10_000],
            "start": self.start, "end": self.end, "place": self.place[:300],
            "status": self.status, "verification": self.verification,
            "has_evidence": self.has_evidence, "has_suspect": self.has_suspect,
        }  # fmt: skip

    def tags(self) -> list[tuple[str, str]]:
        violation, unit = str(SearchTag.Facet.VIOLATION), str(SearchTag.Facet.UNIT)
        return [(violation, c) for c in sorted(self.violations)] + [
            (unit, str(u)) for u in sorted(self.units)
        ]


def _labels(prefix: str) -> tuple[str, str, str]:
    return (f"{prefix}label_en", f"{prefix}label_ru", f"{prefix}label_be")


def _day_window(day: date | None) -> tuple[datetime | None, datetime | None]:
    if day is None:
        return None, None
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1) - timedelta(microseconds=1)


def _group(pairs: Iterable[tuple[Any, Any]]) -> dict[Any, list[Any]]:
    out: dict[Any, list[Any]] = defaultdict(list)
    for key, value in pairs:
        out[key].append(value)
    return out


def _violations_of_incidents(ids: Sequence[int]) -> dict[int, list[tuple[str, ...]]]:
    from crimebook.register.models import Incident

    rows = (
        Incident.violation_types.through.objects.filter(incident_id__in=ids)
        .order_by("incident_id", "term_id")  # the labels' order in the body (as _setbased.py)
        .values_list("incident_id", "term__code", *_labels("term__"))
    )
    return _group((r[0], r[1:]) for r in rows)


def _units_of_persons(person_ids: Iterable[int]) -> dict[int, set[int]]:
    from crimebook.register.models import Post

    out: dict[int, set[int]] = defaultdict(set)
    persons = list(set(person_ids))
    if not persons:
        return out
    for person_id, unit_id in Post.objects.filter(person_id__in=persons).values_list(
        "person_id", "unit_id"
    ):
        out[person_id].add(unit_id)
    return out


def _suspects(filter_key: str, ids: Sequence[int]) -> dict[int, set[int]]:
    """Acts' or incidents' involved persons (``filter_key``: ``act_id`` or ``act__incident_id``)."""
    from crimebook.register.models import Involvement

    out: dict[int, set[int]] = defaultdict(set)
    for key, person_id in Involvement.objects.filter(**{f"{filter_key}__in": ids}).values_list(
        filter_key, "person_id"
    ):
        out[key].add(person_id)
    return out


def build_incidents(ids: Sequence[int]) -> list[Doc]:
    from crimebook.evidence.models import EvidenceItem
    from crimebook.register.models import Incident

    violations = _violations_of_incidents(ids)
    with_evidence = set(
        EvidenceItem.incidents.through.objects.filter(incident_id__in=ids).values_list(
            "incident_id", flat=True
        )
    ) | set(
        EvidenceItem.acts.through.objects.filter(act__incident_id__in=ids).values_list(
            "act__incident_id", flat=True
        )
    )
    suspects = _suspects("act__incident_id", ids)
    units = _units_of_persons(p for ps in suspects.values() for p in ps)
    docs = []
    for row in Incident.objects.filter(pk__in=ids).values(
        "id", "compartment_id", "title", "description", "place_name", "start", "end",
        "status", "verification",
    ):  # fmt: skip
        terms = violations.get(row["id"], [])
        persons = suspects.get(row["id"], set())
        docs.append(
            Doc(
                object_id=row["id"], compartment_id=row["compartment_id"], title=row["title"],
                body=[row["title"], row["description"], row["place_name"],
                      *(label for t in terms for label in t[1:])],
                names=[row["title"], row["place_name"]],
                start=row["start"], end=row["end"], place=row["place_name"],
                status=row["status"], verification=row["verification"],
                has_evidence=row["id"] in with_evidence, has_suspect=bool(persons),
                violations={t[0] for t in terms},
                units={u for p in persons for u in units.get(p, ())},
            )
        )  # fmt: skip
    return docs


def build_acts(ids: Sequence[int]) -> list[Doc]:
    from crimebook.evidence.models import EvidenceItem
    from crimebook.register.models import Act

    rows = list(
        Act.objects.filter(pk__in=ids).values(
            "id", "incident_id", "incident__compartment_id", "incident__title",
            "incident__start", "incident__end", "incident__place_name", "incident__status",
            "incident__verification", "description", "medical_findings", "victim__pseudonym",
            *_labels("act_type__"), *_labels("detention_place__"),
        )
    )  # fmt: skip
    terms: dict[int, list[str]] = defaultdict(list)
    for through in (Act.injuries.through, Act.methods.through):
        for act_id, *labels in through.objects.filter(act_id__in=ids).values_list(
            "act_id", *_labels("term__")
        ):
            terms[act_id].extend(labels)
    violations = _violations_of_incidents(sorted({r["incident_id"] for r in rows}))
    with_evidence = set(
        EvidenceItem.acts.through.objects.filter(act_id__in=ids).values_list("act_id", flat=True)
    )
    suspects = _suspects("act_id", ids)
    units = _units_of_persons(p for ps in suspects.values() for p in ps)
    docs = []
    for row in rows:
        act_type = [row[k] for k in _labels("act_type__")]
        detention = [row[k] or "" for k in _labels("detention_place__")]
        persons = suspects.get(row["id"], set())
        docs.append(
            Doc(
                object_id=row["id"], compartment_id=row["incident__compartment_id"],
                title=f"{act_type[0]} — {row['victim__pseudonym']}",
                body=[*act_type, row["victim__pseudonym"], *detention, *terms.get(row["id"], []),
                      row["medical_findings"], row["description"], row["incident__title"]],
                names=[row["victim__pseudonym"], *detention],
                start=row["incident__start"], end=row["incident__end"],
                place=row["incident__place_name"], status=row["incident__status"],
                verification=row["incident__verification"],
                has_evidence=row["id"] in with_evidence, has_suspect=bool(persons),
                violations={t[0] for t in violations.get(row["incident_id"], [])},
                units={u for p in persons for u in units.get(p, ())},
            )
        )  # fmt: skip
    return docs


def build_persons(ids: Sequence[int]) -> list[Doc]:
    from crimebook.register.models import Person

    rows: list[dict[str, Any]] = [
        dict(row)
        for row in Person.objects.filter(pk__in=ids).values(
            "id", "compartment_id", "pseudonym", "is_victim", "is_witness", "is_insider",
            "is_perpetrator",
        )
    ]  # fmt: skip
    units = _units_of_persons(ids)
    roles = ("victim", "witness", "insider", "perpetrator")
    return [
        Doc(
            object_id=row["id"], compartment_id=row["compartment_id"], title=row["pseudonym"],
            body=[row["pseudonym"], *(r for r in roles if row[f"is_{r}"])],
            names=[row["pseudonym"]], units=set(units.get(row["id"], ())),
        )
        for row in rows
    ]  # fmt: skip


def build_units(ids: Sequence[int]) -> list[Doc]:
    from crimebook.register.models import Unit

    docs = []
    for row in Unit.objects.filter(pk__in=ids).values(
        "id", "code", "name", "name_ru", "name_be", *_labels("unit_type__")
    ):
        names = [row["name"], row["name_ru"], row["name_be"], row["code"]]
        docs.append(
            Doc(
                object_id=row["id"], title=row["name"],
                body=[*names, *(row[k] for k in _labels("unit_type__"))],
                names=names, units={row["id"]},
            )
        )  # fmt: skip
    return docs


def build_sources(ids: Sequence[int]) -> list[Doc]:
    from crimebook.register.models import Source

    docs = []
    for row in Source.objects.filter(pk__in=ids).values(
        "id", "compartment_id", "title", "description", "url", "kind", "received_on"
    ):
        start, end = _day_window(row["received_on"])
        docs.append(
            Doc(
                object_id=row["id"], compartment_id=row["compartment_id"], title=row["title"],
                body=[row["title"], row["description"], row["url"], row["kind"]],
                names=[row["title"]], start=start, end=end,
            )
        )  # fmt: skip
    return docs


def evidence_text_fields() -> list[str]:
    """The extra text fields of ``EvidenceItem`` that exist in this version of the model."""
    from crimebook.evidence.models import EvidenceItem

    present = {f.name for f in EvidenceItem._meta.get_fields()}
    return [name for name in EVIDENCE_TEXT_FIELDS if name in present]


def build_evidence(ids: Sequence[int]) -> list[Doc]:
    from crimebook.evidence.models import EvidenceItem

    extra = evidence_text_fields()
    links = _group(
        EvidenceItem.incidents.through.objects.filter(evidenceitem_id__in=ids).values_list(
            "evidenceitem_id", "incident_id"
        )
    )
    violations = _violations_of_incidents(sorted({i for v in links.values() for i in v}))
    docs = []
    for row in EvidenceItem.objects.filter(pk__in=ids).values(
        "id", "compartment_id", "original_name", "description", "media_type", "kind",
        "device_make", "device_model", "software", "captured_at", *extra,
    ):  # fmt: skip
        docs.append(
            Doc(
                object_id=row["id"], compartment_id=row["compartment_id"],
                title=row["original_name"],
                body=[row["original_name"], row["description"], row["media_type"], row["kind"],
                      row["device_make"], row["device_model"], row["software"],
                      *(str(row[name] or "") for name in extra)],
                names=[row["original_name"]],
                start=row["captured_at"], end=row["captured_at"],
                violations={t[0] for i in links.get(row["id"], []) for t in violations.get(i, [])},
            )
        )  # fmt: skip
    return docs


def build_submissions(ids: Sequence[int]) -> list[Doc]:
    """Metadata only. The report and its attachments are sealed; nothing is decrypted here."""
    from crimebook.intake.models import Submission

    docs = []
    for row in Submission.objects.filter(pk__in=ids).values(
        "id", "uuid", "kind", "insider", "received_on", "attachment_count", "receipt_id",
        "review__state",
    ):  # fmt: skip
        start, end = _day_window(row["received_on"])
        short = str(row["uuid"])[:8]
        words = [SUBMISSION_KIND_WORDS.get(row["kind"], row["kind"]), short, str(row["uuid"])]
        if row["insider"]:
            words.append("insider")
        words += [row["review__state"] or "new", row["receipt_id"] or "",
                  f"{row['attachment_count']} attachments"]  # fmt: skip
        docs.append(
            Doc(
                object_id=row["id"],
                title=f"{words[0]} {short}",
                body=words,
                names=[short],
                start=start,
                end=end,
            )
        )
    return docs


COMM_LANGUAGES = ("en", "ru", "be")


def _communication_kind_words() -> dict[str, list[str]]:
    """Each communication kind's label in English, Russian and Belarusian (distinct ones),
    so "перехват" finds an intercept whatever the writer's language was."""
    from django.utils import translation

    from crimebook.evidence.models import Communication

    out: dict[str, list[str]] = defaultdict(list)
    for language in COMM_LANGUAGES:
        with translation.override(language):
            for value, label in Communication.Kind.choices:
                if str(label) not in out[value]:
                    out[value].append(str(label))
    return out


def _no_phone(text: str) -> str:
    """The text, or nothing if it reads as a phone number. The services refuse such labels
    and summaries already (``commrules``); this keeps a row written around them (admin site,
    an old row, the place name, which is not checked) out of the index as well."""
    from crimebook.evidence.commrules import looks_like_phone

    return "" if not text or looks_like_phone(text) else text


def build_communications(ids: Sequence[int]) -> list[Doc]:
    """Calls, messages, intercepts: metadata an investigator reads on the record's page.
    Never the parties' phone digests, the record id (an operator's id may embed a number) or
    anything that names a subscriber."""
    from crimebook.evidence.models import Communication

    words = _communication_kind_words()
    docs = []
    for row in Communication.objects.filter(pk__in=ids).values(
        "id", "compartment_id", "kind", "start", "end", "place_name", "party_a", "party_b",
        "summary",
    ):  # fmt: skip
        kind_words = words.get(row["kind"]) or [row["kind"]]
        start = row["start"].astimezone(UTC)
        label = kind_words[0][:1].upper() + kind_words[0][1:]
        parties = [_no_phone(row["party_a"]), _no_phone(row["party_b"])]
        place = _no_phone(row["place_name"])
        docs.append(
            Doc(
                object_id=row["id"], compartment_id=row["compartment_id"],
                title=f"{label} #{row['id']}, {start:%Y-%m-%d %H:%M} UTC",
                body=[*kind_words, *parties, place, _no_phone(row["summary"])],
                names=[*parties, place], start=row["start"], end=row["end"], place=place,
            )
        )  # fmt: skip
    return docs


BUILDERS: dict[str, Callable[[Sequence[int]], list[Doc]]] = {
    Kind.INCIDENT: build_incidents,
    Kind.ACT: build_acts,
    Kind.PERSON: build_persons,
    Kind.UNIT: build_units,
    Kind.SOURCE: build_sources,
    Kind.EVIDENCE: build_evidence,
    Kind.SUBMISSION: build_submissions,
    Kind.COMMUNICATION: build_communications,
}


def model_of(kind: str) -> type[Model]:
    from crimebook.evidence.models import Communication, EvidenceItem
    from crimebook.intake.models import Submission
    from crimebook.register.models import Act, Incident, Person, Source, Unit

    models: dict[str, type[Model]] = {
        Kind.INCIDENT: Incident, Kind.ACT: Act, Kind.PERSON: Person, Kind.UNIT: Unit,
        Kind.SOURCE: Source, Kind.EVIDENCE: EvidenceItem, Kind.SUBMISSION: Submission,
        Kind.COMMUNICATION: Communication,
    }  # fmt: skip
    return models[kind]
