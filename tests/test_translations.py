"""The Russian and Belarusian catalogs: complete, not fuzzy, placeholders intact, compiled
.mo files in step with the .po files, and pages that actually render in those languages.

When a test here fails after you added or changed a user-visible string, run
``make messages``, translate the new entries in ``src/crimebook/locale/{ru,be}/LC_MESSAGES/
django.po`` (no ``#, fuzzy`` left), run ``make messages`` again and commit the .po and .mo.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import polib
import pytest
from django.test import Client
from django.utils import translation

import crimebook

LANGUAGES = ("ru", "be")
PACKAGE_DIR = Path(crimebook.__file__).resolve().parent
LOCALE_DIR = PACKAGE_DIR / "locale"
PLURAL_FORMS = (
    "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
    "(n%100<10 || n%100>=20) ? 1 : 2);"
)

# %(name)s / %s / %d (python-format), {name} / {} (str.format), and HTML tags.
PLACEHOLDER = re.compile(r"%\([A-Za-z_]\w*\)[sdifr]|%[sdifr]|\{[A-Za-z_][\w.]*\}|\{\}")
TAG = re.compile(r"</?[A-Za-z][^>]*>")


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "django.po"


def load_po(lang: str) -> polib.POFile:
    return polib.pofile(str(po_path(lang)))


def live_entries(catalog: polib.POFile) -> list[polib.POEntry]:
    return [entry for entry in catalog if not entry.obsolete]


def forms(entry: polib.POEntry) -> list[str]:
    if entry.msgid_plural:
        return [entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


def markers(text: str) -> Counter[str]:
    text = text.replace("%%", "")
    return Counter(PLACEHOLDER.findall(text) + TAG.findall(text))


def translations(entries: Any) -> dict[tuple[str, str, str], tuple[str, ...]]:
    """(context, singular, plural) -> translated forms, for comparing a .po and a .mo."""
    table = {}
    for entry in entries:
        if not entry.msgid or entry.obsolete or "fuzzy" in entry.flags:
            continue
        key = (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")
        table[key] = tuple(forms(entry))
    return table


# -- the catalogs themselves -----------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_header(lang: str) -> None:
    catalog = load_po(lang)
    assert not catalog.metadata_is_fuzzy, "a fuzzy header is dropped by msgfmt"
    assert catalog.metadata["Language"] == lang
    assert catalog.metadata["Plural-Forms"] == PLURAL_FORMS
    assert "charset=UTF-8" in catalog.metadata["Content-Type"]
    assert len(live_entries(catalog)) > 500, "the catalog looks truncated"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_entry_is_translated_and_none_is_fuzzy(lang: str) -> None:
    catalog = load_po(lang)
    fuzzy = [e.msgid for e in live_entries(catalog) if "fuzzy" in e.flags]
    untranslated = [e.msgid for e in live_entries(catalog) if not all(forms(e))]
    wrong_plurals = [
        e.msgid for e in live_entries(catalog) if e.msgid_plural and len(e.msgstr_plural) != 3
    ]
    assert not fuzzy, f"fuzzy in {lang}: {fuzzy}"
    assert not untranslated, f"untranslated in {lang}: {untranslated}"
    assert not wrong_plurals, f"{lang} needs exactly 3 plural forms: {wrong_plurals}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_and_markup_are_kept(lang: str) -> None:
    problems = []
    for entry in live_entries(load_po(lang)):
        # Every plural form must carry the plural's placeholders: in Russian and Belarusian
        # form 0 also serves 21, 31, ... so it needs the number too.
        expected = markers(entry.msgid_plural or entry.msgid)
        for text in forms(entry):
            if markers(text) != expected:
                problems.append((entry.msgid, text))
    assert not problems, f"{lang}: placeholders or tags differ: {problems}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_committed_mo_is_up_to_date(lang: str, tmp_path: Path) -> None:
    catalog = load_po(lang)
    fresh_path = tmp_path / "django.mo"
    catalog.save_as_mofile(str(fresh_path))
    fresh = polib.mofile(str(fresh_path))
    committed_path = po_path(lang).with_suffix(".mo")
    assert committed_path.exists(), f"{committed_path} is missing: run `make messages`"
    committed = polib.mofile(str(committed_path))
    assert translations(committed) == translations(fresh), (
        f"{committed_path} is out of date with its .po: run `make messages` and commit both"
    )
    assert committed.metadata.get("Plural-Forms") == PLURAL_FORMS


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("ru", {1: "запись", 2: "записи", 5: "записей", 11: "записей", 21: "запись", 22: "записи"}),
        ("be", {1: "запіс", 3: "запісы", 7: "запісаў", 12: "запісаў", 31: "запіс", 104: "запісы"}),
    ],
)  # fmt: skip
def test_plural_forms_follow_the_language_rule(lang: str, expected: dict[int, str]) -> None:
    with translation.override(lang):
        for n, word in expected.items():
            text = translation.ngettext("%(counter)s record", "%(counter)s records", n)
            assert text % {"counter": n} == f"{n} {word}"


# -- rendered pages --------------------------------------------------------------------


class _VisibleText(HTMLParser):
    """The text a reader sees or hears: text nodes plus labelling attributes."""

    LABELS = ("aria-label", "title", "placeholder", "alt")

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        self.parts.extend(value for name, value in attrs if name in self.LABELS and value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def contains(text: str, phrase: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text) is not None


def english_leftovers(text: str, lang: str) -> list[str]:
    """Catalog strings (with no placeholder, and whose translation differs from the English)
    that appear on the page in English."""
    leftovers = []
    for entry in live_entries(load_po(lang)):
        source = entry.msgid
        if entry.msgid_plural or PLACEHOLDER.search(source) or entry.msgstr == source:
            continue
        if len(source) < 4 and source.islower():  # "day", "end", "any": too common to judge
            continue
        if contains(text, source):
            leftovers.append(source)
    return leftovers


# The base layout and list pages of the workspace, in English. Each must be on the English
# page (so this test notices when the layout changes) and gone from the translated ones.
WORKSPACE_ENGLISH = (
    "Overview",
    "Incidents",
    "Persons",
    "Units",
    "Sources",
    "Deployments",
    "Log out",
    "Skip to content",
    "Switch",
    "Crimebook — records are confidential. Do not copy identities out of this system.",
)
WORKSPACE_PAGES = ("/", "/incidents/", "/persons/", "/units/", "/sources/", "/incidents/new/")
WORKSPACE_TRANSLATED = {
    "ru": ("Обзор", "Инциденты", "Лица", "Подразделения", "Источники", "Выйти"),
    "be": ("Агляд", "Інцыдэнты", "Асобы", "Падраздзяленні", "Крыніцы", "Выйсці"),
}


@pytest.fixture
def k7(db: Any) -> Any:
    """A compartment whose name is no English word (it shows in the forms' choices)."""
    from crimebook.accounts.services import compartment_create

    return compartment_create(actor=None, name="K-7")


@pytest.fixture
def staff_client(make_user: Callable[..., Any], k7: Any) -> Client:
    client = Client()
    client.force_login(make_user("investigator", (k7,), username="translator"))
    return client


def get_page(client: Client, path: str, lang: str) -> str:
    response = client.get(path, HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200, (path, lang, response.status_code)
    html = response.content.decode()
    assert f'<html lang="{lang}"' in html, (path, lang)
    return html


@pytest.mark.parametrize("path", WORKSPACE_PAGES)
def test_workspace_pages_show_the_english_source_strings(staff_client: Client, path: str) -> None:
    text = visible_text(get_page(staff_client, path, "en"))
    assert [w for w in WORKSPACE_ENGLISH if not contains(text, w)] == []


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("path", WORKSPACE_PAGES)
def test_workspace_pages_are_translated(staff_client: Client, path: str, lang: str) -> None:
    text = visible_text(get_page(staff_client, path, lang))
    assert [w for w in WORKSPACE_ENGLISH if contains(text, w)] == []
    assert [w for w in WORKSPACE_TRANSLATED[lang] if not contains(text, w)] == []
    assert english_leftovers(text, lang) == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_login_page_is_translated(client: Client, db: Any, lang: str) -> None:
    text = visible_text(get_page(client, "/accounts/login/", lang))
    assert english_leftovers(text, lang) == []
    assert not contains(text, "Password")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_triage_queue_is_translated(make_user: Callable[..., Any], k7: Any, lang: str) -> None:
    client = Client()
    client.force_login(make_user("intake_reviewer", (k7,), username="triager"))
    text = visible_text(get_page(client, "/triage/", lang))
    assert english_leftovers(text, lang) == []
    assert not contains(text, "Intake queue")


# -- the public intake, under its own settings -----------------------------------------

INTAKE_ENGLISH = (
    "Report what happened",
    "Stay safe",
    "Check a receipt",
    "What happened?",
    "Send securely",
    "Your codename",
    "Continue",
    "Check",
)
INTAKE_PAGES = ("/{lang}/", "/{lang}/report/", "/{lang}/return/", "/{lang}/receipt/")


@pytest.fixture
def intake_client(settings: Any, tmp_path: Path, db: Any) -> Iterator[Client]:
    """The intake's settings over the test settings, as tests/intake/conftest.py does."""
    from pyrage import x25519

    from tests.intake import conftest as intake_setup

    module = intake_setup._intake_settings_module()
    for name in intake_setup.INTAKE_SETTING_NAMES:
        setattr(settings, name, getattr(module, name))
    settings.CRIMEBOOK_INTAKE_RECIPIENTS = [str(x25519.Identity.generate().to_public())]
    settings.CRIMEBOOK_INTAKE_STORE_DIR = tmp_path / "intake"
    settings.CRIMEBOOK_INTAKE_SIGNING_KEY_FILE = tmp_path / "intake" / "receipt-signing.key"
    settings.CRIMEBOOK_INTAKE_MAX_UPLOAD_BYTES = 8 * 1024 * 1024
    settings.ALLOWED_HOSTS = ["testserver"]
    intake_setup.clear_caches()
    yield Client()
    intake_setup.clear_caches()


def test_intake_pages_show_the_english_source_strings(intake_client: Client) -> None:
    text = " ".join(
        visible_text(get_page(intake_client, p.format(lang="en"), "en")) for p in INTAKE_PAGES
    )
    assert [w for w in INTAKE_ENGLISH if not contains(text, w)] == []


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("path", INTAKE_PAGES)
def test_intake_pages_are_translated(intake_client: Client, path: str, lang: str) -> None:
    text = visible_text(get_page(intake_client, path.format(lang=lang), lang))
    assert [w for w in INTAKE_ENGLISH if contains(text, w)] == []
    assert english_leftovers(text, lang) == []


# -- the catalog covers the source -----------------------------------------------------


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")
def test_catalog_has_every_string_of_the_source(tmp_path: Path) -> None:
    """makemessages over a copy of the package finds no msgid the committed catalog lacks.
    It runs without Django settings, so it can only write into the copy's own locale/."""
    copy = tmp_path / "crimebook"
    shutil.copytree(
        PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("locale", "__pycache__", "*.pyc")
    )
    (copy / "locale").mkdir()
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "ru", "--no-location",
         "--no-obsolete", "--ignore", "*/migrations/*", "--ignore", "migrations/*"],
        cwd=copy, env=env, check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    fresh = polib.pofile(str(copy / "locale" / "ru" / "LC_MESSAGES" / "django.po"))
    wanted = {(e.msgctxt or "", e.msgid, e.msgid_plural or "") for e in live_entries(fresh)}
    assert len(wanted) > 500, "makemessages found too few strings: is the copy complete?"
    for lang in LANGUAGES:
        have = {
            (e.msgctxt or "", e.msgid, e.msgid_plural or "") for e in live_entries(load_po(lang))
        }
        missing = sorted(wanted - have)
        assert not missing, f"{lang} catalog lacks {missing}: run `make messages` and translate"
