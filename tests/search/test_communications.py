"""Communications (calls, messages, intercepts) in the search index: found by the words of
their summary and by party labels, kept in step with the service, the admin-style ORM write
and the all-or-nothing CSV import, rebuilt by `crimebook search reindex`, never shown outside
the reader's compartments, and never holding a phone number or its digest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from typer.testing import CliRunner

from crimebook.accounts.services import api_token_create
from crimebook.cli.app import app
from crimebook.evidence.communications import (
    CommunicationData,
    communication_create,
    communication_update,
)
from crimebook.evidence.csvimport import communications_import
from crimebook.evidence.models import Communication
from crimebook.search.models import Kind, SearchDoc
from crimebook.search.selectors import SearchParams, search_for
from crimebook.search.signals import flush

pytestmark = pytest.mark.django_db
runner = CliRunner()
PHONE = "+375 00 555-12-34"  # fictitious: operator code 00 does not exist
T0 = datetime(2020, 8, 10, 21, 40, tzinfo=UTC)
SUMMARY = "Перехвачены переговоры о задержании протестующих у метро Пушкинская"


def _data(compartment: Any, **kw: Any) -> CommunicationData:
    values: dict[str, Any] = {
        "compartment_id": compartment.pk, "kind": "radio", "start": T0,
        "end": T0 + timedelta(minutes=3), "latitude": 53.9093, "longitude": 27.4955,
        "radius_m": 800.0, "place_name": "Cell sector Pushkinskaya-3",
        "party_a": "позывной Гранит", "party_b": "subscriber B", "summary": SUMMARY,
        "external_id": "INT-1",
    }  # fmt: skip
    values.update(kw)
    return CommunicationData(**values)


def _found(user: Any, q: str = "", **kw: Any) -> set[tuple[str, int]]:
    result = search_for(user, SearchParams(q=q, per_page=100, **kw))
    return {(h.kind, h.object_id) for h in result.hits}


def _index_text() -> str:
    """Every cell of the search tables, for a leak check."""
    out = []
    with connection.cursor() as cursor:
        for table in ("search_searchdoc", "search_searchtag"):
            cursor.execute(f"SELECT * FROM {table}")
            out += [str(v) for row in cursor.fetchall() for v in row]
    return "\n".join(out)


def _auth(user: Any) -> dict[str, str]:
    _, secret = api_token_create(actor=None, user=user, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_found_by_summary_words_party_labels_place_and_kind(
    compartment: Any, investigator: Any
) -> None:
    comm = communication_create(actor=investigator, data=_data(compartment))
    hit = ("comm", comm.pk)
    # "задержание" is not in the text ("задержании" is): Russian stem (PG) / prefix (SQLite)
    assert hit in _found(investigator, "задержание")
    assert hit in _found(investigator, "протестующих метро")
    assert hit in _found(investigator, "Гранит")  # a party label
    assert hit in _found(investigator, '"subscriber B"')
    assert hit in _found(investigator, "Pushkinskaya")  # the cell or place
    assert hit in _found(investigator, "перехват")  # the kind, in Russian
    assert hit in _found(investigator, "intercept", kinds=("comm",))
    doc = SearchDoc.objects.get(kind="comm", object_id=comm.pk)
    assert doc.title == f"Radio or intercept #{comm.pk}, 2020-08-10 21:40 UTC"
    assert doc.compartment_id == compartment.pk and doc.place == "Cell sector Pushkinskaya-3"
    assert (doc.start, doc.end) == (T0, T0 + timedelta(minutes=3))
    # the date facet: the span's days (in the site's time zone, as for every kind)
    day = timezone.localtime(T0).date()
    assert hit in _found(investigator, "", date_from=day, date_to=day)
    assert hit not in _found(investigator, "", date_from=day + timedelta(days=1))
    assert hit not in _found(investigator, "", date_to=day - timedelta(days=1))
    assert hit not in _found(investigator, "задержание", kinds=("evidence",))


def test_misspelt_party_label_is_found_by_similarity(compartment: Any, investigator: Any) -> None:
    comm = communication_create(
        actor=investigator, data=_data(compartment, party_a="callsign Granitov", summary="")
    )
    result = search_for(investigator, SearchParams(q="Granitow"))
    assert [(h.kind, h.object_id, h.fuzzy) for h in result.hits] == [("comm", comm.pk, True)]


def test_never_shown_to_another_compartment_page_or_api(
    compartment: Any, other_compartment: Any, investigator: Any, mallory: Any
) -> None:
    comm = communication_create(actor=investigator, data=_data(compartment))
    assert _found(mallory, "задержание") == set()
    assert _found(mallory, "Гранит") == set()
    everything = search_for(mallory, SearchParams(per_page=100))
    assert "comm" not in {v.value for v in everything.facets.get("kind", [])}
    client = Client()
    theirs = client.get("/api/v1/search", {"q": "Гранит"}, **_auth(mallory)).json()
    assert theirs["count"] == 0 and theirs["items"] == []
    ours = client.get("/api/v1/search", {"q": "Гранит", "kinds": "comm"}, **_auth(investigator))
    assert [(i["kind"], i["id"], i["ref"]) for i in ours.json()["items"]] == [
        ("comm", comm.pk, str(comm.pk))
    ]
    # a stale or tampered document claiming mallory's compartment is still not shown
    SearchDoc.objects.filter(kind="comm", object_id=comm.pk).update(
        compartment_id=other_compartment.pk
    )
    assert _found(mallory, "Гранит") == set()


def test_page_links_to_the_communication_and_offers_the_kind(
    compartment: Any, investigator: Any
) -> None:
    comm = communication_create(actor=investigator, data=_data(compartment))
    client = Client()
    client.force_login(investigator)
    page = client.get("/search/", {"q": "Гранит", "kind": "comm"})
    assert page.status_code == 200
    assert f'href="/communications/{comm.pk}/"'.encode() in page.content
    assert b'<option value="comm"' in page.content
    assert b"Communications (calls, messages, intercepts)" in page.content
    assert client.get(f"/communications/{comm.pk}/").status_code == 200


def test_an_edit_reindexes_and_a_delete_removes(compartment: Any, investigator: Any) -> None:
    comm = communication_create(actor=investigator, data=_data(compartment))
    communication_update(
        actor=investigator, communication=comm,
        data=_data(compartment, summary="Обсуждали колонну автозаков", party_a="позывной Кедр"),
    )  # fmt: skip
    hit = ("comm", comm.pk)
    assert hit in _found(investigator, "автозаков")
    assert hit in _found(investigator, "Кедр")
    assert hit not in _found(investigator, "задержание")
    assert hit not in _found(investigator, "Гранит")
    # no service deletes a communication; a delete through the ORM (admin site) still does
    Communication.objects.filter(pk=comm.pk).get().delete()
    flush()
    assert not SearchDoc.objects.filter(kind="comm", object_id=comm.pk).exists()


def test_a_rolled_back_write_leaves_no_document(compartment: Any, investigator: Any) -> None:
    from django.db import transaction

    def create_then_fail() -> None:
        with transaction.atomic():
            communication_create(actor=investigator, data=_data(compartment))
            raise RuntimeError("abort")

    with pytest.raises(RuntimeError):
        create_then_fail()
    flush()
    assert not SearchDoc.objects.filter(kind="comm").exists()


HEADER = (
    "communication_id,kind,start,end,latitude,longitude,radius_m,party_a,party_b,"
    "party_a_phone,summary\n"
)
GOOD = (
    "C-1,call,2020-08-10T22:05:00+03:00,2020-08-10T22:07:00+03:00,53.9093,27.4955,800,"
    f"абонент Ясень,абонент Б,{PHONE},Договорились о встрече у Стелы\n"
    "C-2,sms,2020-08-10T19:10:00Z,,53.91,27.50,1200,абонент В,абонент Ясень,,\n"
    "C-3,radio,2020-08-10T19:30:00Z,2020-08-10T19:31:00Z,,,,позывной Дуб,,,Перехват колонны\n"
)


def _csv(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "cdr.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_csv_import_indexes_its_rows_in_its_transaction(
    compartment: Any, investigator: Any, tmp_path: Path
) -> None:
    report = communications_import(
        actor=None, compartment_id=compartment.pk, path=_csv(tmp_path, GOOD)
    )
    assert report.committed and report.created == 3
    ids = dict(Communication.objects.values_list("external_id", "pk"))
    assert SearchDoc.objects.filter(kind="comm").count() == 3
    assert _found(investigator, "Ясень") == {("comm", ids["C-1"]), ("comm", ids["C-2"])}
    assert _found(investigator, "встреча стела") == {("comm", ids["C-1"])}
    assert _found(investigator, "колонна") == {("comm", ids["C-3"])}
    again = communications_import(
        actor=None, compartment_id=compartment.pk, path=_csv(tmp_path, GOOD)
    )
    assert again.skipped == 3 and SearchDoc.objects.filter(kind="comm").count() == 3


@pytest.mark.parametrize("dry_run", [False, True])
def test_a_failed_or_dry_run_import_leaves_no_document(
    compartment: Any, tmp_path: Path, dry_run: bool
) -> None:
    bad = "" if dry_run else "X,fax,2020-08-10T22:05:00Z,,53.9,27.5,800,a,b,,\n"
    report = communications_import(
        actor=None, compartment_id=compartment.pk, path=_csv(tmp_path, GOOD + bad),
        dry_run=dry_run,
    )  # fmt: skip
    assert not report.committed
    flush()
    assert not Communication.objects.exists()
    assert not SearchDoc.objects.filter(kind="comm").exists()


def test_reindex_rebuilds_the_communications(compartment: Any, investigator: Any) -> None:
    comm = communication_create(actor=investigator, data=_data(compartment))
    SearchDoc.objects.filter(kind="comm").delete()
    SearchDoc.objects.create(kind="comm", object_id=comm.pk + 1000, title="orphan")
    assert _found(investigator, "Гранит") == set()
    result = runner.invoke(app, ["search", "reindex", "--kind", Kind.COMMUNICATION])
    assert result.exit_code == 0, result.output
    assert _found(investigator, "Гранит") == {("comm", comm.pk)}
    assert list(SearchDoc.objects.filter(kind="comm").values_list("object_id", flat=True)) == [
        comm.pk
    ]
    everything = runner.invoke(app, ["search", "reindex"])
    assert everything.exit_code == 0 and "comm" in everything.output


def test_no_phone_number_or_digest_is_ever_indexed(
    compartment: Any, investigator: Any, tmp_path: Path
) -> None:
    comm = communication_create(
        actor=investigator, data=_data(compartment, party_a_phone=PHONE, party_b_phone=PHONE)
    )
    communications_import(actor=None, compartment_id=compartment.pk, path=_csv(tmp_path, GOOD))
    # written around the service's rules (admin site / an old row): a number as a label,
    # in the place name and in the summary
    Communication.objects.create(
        compartment=compartment, kind="call", start=T0, end=T0, party_a="+375 00 555 12 34",
        place_name="80005551234", summary="called 375005551234", external_id="375005551234",
    )  # fmt: skip
    flush()
    text = _index_text()
    digests = [d.split(":")[-1] for d in Communication.objects.values_list(
        "party_a_digest", flat=True) if d]  # fmt: skip
    assert comm.party_a_digest and digests
    for leaked in ("5551234", "555-12-34", "555 12 34", *digests):
        assert leaked not in text, leaked
    assert SearchDoc.objects.filter(kind="comm").count() == 5
