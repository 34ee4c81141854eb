"""What the intake does once instead of on every request must not change what a source sees
or what is stored: GIVEN the prepared fields, the blank form page rendered once per language,
the cached language links and the shared store, THEN pages, validation and storage behave as
if everything were built anew for each request."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from crimebook.intake import conf
from crimebook.intake.forms import ReportForm
from crimebook.intake.store import Store
from tests.intake._helpers import codename_of, minimal_report

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.mark.parametrize("language", ["en", "ru", "be"])
def test_the_blank_form_page_is_the_page_rendered_in_full(intake: Any, language: str) -> None:
    client = intake.client()
    first = client.get(f"/{language}/report/")
    second = client.get(f"/{language}/report/")
    assert first.status_code == second.status_code == 200
    with translation.override(language):
        full = render_to_string(
            "intake/report.html", {"form": ReportForm()}, request=second.wsgi_request
        )
    served = second.content.decode()
    assert TOKEN.sub("TOKEN", served) == TOKEN.sub("TOKEN", full)
    assert TOKEN.search(served), "every page view still carries a CSRF token"


def test_each_form_has_its_own_fields_and_its_language(intake: Any) -> None:
    with translation.override("en"):
        english, other = ReportForm(), ReportForm()
    with translation.override("ru"):
        russian = ReportForm()
    english.fields["where"].widget.attrs["data-x"] = "1"
    english.fields["where"].error_messages["required"] = "changed"
    english.fields["where"].validators.append(lambda value: None)
    assert "data-x" not in other.fields["where"].widget.attrs
    assert other.fields["where"].error_messages["required"] != "changed"
    assert len(other.fields["where"].validators) == len(english.fields["where"].validators) - 1
    assert english.fields["where"] is not other.fields["where"]
    assert english.fields["where"].widget is not other.fields["where"].widget

    def labels(form: ReportForm) -> dict[str, str]:
        return dict(form.fields["violation_types"].choices)  # type: ignore[attr-defined]

    assert labels(english)["torture"] != labels(russian)["torture"]
    assert list(ReportForm.base_fields) == list(english.fields)


def test_a_bound_form_keeps_what_was_typed_and_reports_errors(intake: Any) -> None:
    response = intake.client().post(
        "/en/report/", minimal_report(where="", perpetrators_unit="ОМОН, бортовой номер 17")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "ОМОН, бортовой номер 17" in html
    assert 'class="field invalid"' in html
    assert re.search(r'value="torture"[^>]*checked', html)


def test_language_links_on_pages_and_on_error_pages(intake: Any) -> None:
    client = intake.client()
    html = client.get("/be/report/").content.decode()
    assert 'href="/en/report/"' in html and 'href="/ru/report/"' in html
    missing = client.get("/ru/no-such-page/")
    assert missing.status_code == 404
    assert 'href="/en/no-such-page/"' not in missing.content.decode()  # unknown: left as is
    assert "<strong>Русский</strong>" in missing.content.decode()


def test_reports_keep_arriving_after_the_store_was_removed(intake: Any) -> None:
    """The store object is kept per process: a staging directory removed meanwhile (store
    restored from a backup, cleaned by hand) is made again by the next report."""
    client = intake.client()
    assert client.post("/en/report/", minimal_report()).status_code == 200
    assert conf.store() is conf.store()
    staging = Path(intake.store_dir) / "staging"
    assert not any(staging.iterdir())
    staging.rmdir()
    response = client.post("/en/report/", minimal_report())
    assert response.status_code == 200
    assert codename_of(response.content.decode())
    assert staging.is_dir()


def test_commit_target_is_a_direct_child_of_sealed(tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    target = store.commit_target("00000000-0000-4000-8000-000000000000")  # type: ignore[arg-type]
    assert target.parent == store.sealed_root
    with pytest.raises(ValueError, match="hexadecimal UUID"):
        store.commit_target("../../etc")  # type: ignore[arg-type]


def test_the_intake_server_keeps_no_access_log_and_trusts_no_forwarding_header() -> None:
    """The command line `serve --intake-only` execs (and the benchmark runs), as gunicorn
    reads it: no access log at all (not one written to /dev/null), no forwarded address."""
    from gunicorn.config import Config  # type: ignore[import-untyped]

    from crimebook.cli.intake import intake_server_argv

    argv = intake_server_argv(bind="127.0.0.1:8001", workers=2)
    assert argv[1:4] == ["-m", "gunicorn", "crimebook.intake.wsgi:application"]
    parsed = Config().parser().parse_args(argv[4:])
    assert parsed.accesslog is None
    assert parsed.forwarded_allow_ips == ""
    assert parsed.bind == ["127.0.0.1:8001"]
    assert (parsed.workers, parsed.threads) == (2, 4)
