"""A source in Russian, in Debian's Chromium with JavaScript disabled, against a real intake
server (gunicorn, intake settings, loopback): report with a photo → codename → the workspace
replies → return with the codename and read it; then the stock ``age`` tool decrypts what
was stored and it matches byte for byte."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists() or shutil.which("age") is None,
        reason="needs Debian's chromium and age (apt-get install chromium age; `make deps-test`)",
    ),
]

REPLY_SCRIPT = """
import django; django.setup()
from crimebook.intake.models import IntakeSource, Reply
from crimebook.intake.replykeys import reply_seal
source = IntakeSource.objects.get()
Reply.objects.create(source=source, created_on=source.created_on,
                     sealed=reply_seal("Спасибо. Вы помните номер автозака?", source.reply_recipient))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, dict[str, str], Path]]:
    identity_file = tmp_path / "org-identity.txt"
    subprocess.run(["age-keygen", "-o", str(identity_file)], check=True, capture_output=True)
    public = subprocess.run(
        ["age-keygen", "-y", str(identity_file)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crimebook.intake_settings",
        "CRIMEBOOK_DATA_DIR": str(tmp_path / "data"),
        "CRIMEBOOK_DATABASE_URL": "",
        "CRIMEBOOK_INTAKE_RECIPIENTS": public,
        "CRIMEBOOK_ALLOWED_HOSTS": "127.0.0.1",
    }
    subprocess.run([sys.executable, "-m", "django", "migrate", "-v", "0"], env=env, check=True)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "crimebook.intake.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--access-logfile",
            "/dev/null",
        ],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/en/", timeout=1)  # noqa: S310 - loopback
                break
            except OSError:
                time.sleep(0.1)
        yield base, env, identity_file
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_source_reports_in_russian_without_javascript(
    server: tuple[str, dict[str, str], Path], tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    base, env, identity_file = server
    photo = tmp_path / "фото_задержания.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe1Exif\x00\x00GPS 53.90,27.55" + os.urandom(300_000))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(java_script_enabled=False, locale="ru-RU")
        page = context.new_page()
        page.goto(base + "/ru/report/")
        assert "Сообщить" in page.content() or page.locator("form").count() == 1
        page.fill("#id_what_happened", "Меня задержали у Стелы и избили в автозаке.")
        page.check("input[name=when_kind][value=part_of_day]")
        page.fill("#id_when_date", "2020-08-10")
        page.select_option("#id_when_part_of_day", "evening")
        page.fill("#id_where", "Стела, пр-т Победителей")
        page.check("input[name=violation_types][value=torture]")
        page.set_input_files("#id_attachments", str(photo))
        page.click("button[type=submit]")
        assert page.locator("#codename").count() == 1, page.content()[:3000]
        codename = page.inner_text("#codename").strip()
        assert len(codename.split()) == 7
        context.close()

        subprocess.run([sys.executable, "-c", REPLY_SCRIPT], env=env, check=True)

        context = browser.new_context(java_script_enabled=False, locale="ru-RU")
        page = context.new_page()
        page.goto(base + "/ru/return/")
        page.fill("#id_codename", codename)
        page.click("button[type=submit]")
        assert "Вы помните номер автозака?" in page.content(), page.inner_text("main")
        context.close()
        browser.close()

    (report,) = list((Path(env["CRIMEBOOK_DATA_DIR"]) / "intake" / "sealed").rglob("report.age"))

    def age_decrypt(path: Path) -> bytes:
        return subprocess.run(
            ["age", "-d", "-i", str(identity_file), str(path)],
            check=True,
            capture_output=True,
        ).stdout

    document = json.loads(age_decrypt(report))
    assert document["language"] == "ru"
    assert document["report"]["what_happened"] == "Меня задержали у Стелы и избили в автозаке."
    (attachment,) = document["attachments"]
    assert attachment["original_name"] == photo.name
    assert age_decrypt(report.parent / attachment["file"]) == photo.read_bytes()
