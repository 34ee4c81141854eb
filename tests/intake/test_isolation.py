"""The intake host holds only public keys (CONVENTIONS 7).

GIVEN a fresh Python process with the intake settings, WHEN it imports every intake module
and takes a report with an attachment, THEN no module that can decrypt organisation data is
loaded, no age identity is ever constructed and nothing is decrypted; and nothing the intake
host keeps (store, database, settings, receipt key, even the source's codename) opens a
stored submission — only the organisation's private key does.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyrage
import pytest
from pyrage import x25519

from crimebook.intake.codenames import codename_derive
from tests.intake._helpers import codename_of, minimal_report

INTAKE_DIR = Path(__file__).resolve().parents[2] / "src" / "crimebook" / "intake"
FORBIDDEN_MODULES = (
    "crimebook.core.keys",
    "crimebook.crypto",
    "crimebook.crypto.keyring",
    "crimebook.triage",
    "crimebook.triage.keys",
    "crimebook.audit.services",
    "crimebook.register",
    "crimebook.accounts",
)

PROBE = r"""
import json, os, sys
import pyrage
from pyrage import x25519
used = []
real_identity = x25519.Identity
class Tripwire:
    def __getattr__(self, name):
        used.append("Identity." + name)
        return getattr(real_identity, name)
x25519.Identity = Tripwire()
for name in ("decrypt", "decrypt_io", "decrypt_file"):
    real = getattr(pyrage, name)
    def wire(*a, _n=name, **k):
        used.append(_n)
        raise RuntimeError("decryption attempted on the intake host")
    setattr(pyrage, name, wire)

import django
django.setup()
import importlib, pkgutil
import crimebook.intake as pkg
for info in pkgutil.walk_packages(pkg.__path__, "crimebook.intake."):
    importlib.import_module(info.name)
importlib.import_module("crimebook.intake_settings")
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.test import Client
from django.core.files.uploadedfile import SimpleUploadedFile
client = Client()
photo = SimpleUploadedFile("p.jpg", b"secret photo bytes" * 100, "image/jpeg")
data = json.loads(os.environ["PROBE_REPORT"])
response = client.post("/ru/report/", {**data, "insider": "on", "attachments": [photo]})
admin_status = Client().get("/admin/").status_code
print(json.dumps({"status": response.status_code, "admin_status": admin_status, "modules": sorted(sys.modules),
                  "used": used, "html": response.content.decode()}))
"""


def test_static_scan_only_replykeys_may_touch_identities() -> None:
    for path in INTAKE_DIR.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        attrs = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
        imports = {
            (n.module or "") + "." + a.name
            for n in ast.walk(tree)
            if isinstance(n, ast.ImportFrom)
            for a in n.names
        } | {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        for module in FORBIDDEN_MODULES:
            assert not any(i == module or i.startswith(module + ".") for i in imports), (
                path,
                module,
            )
        if path.name != "replykeys.py":
            touched = (names | attrs) & {"Identity", "decrypt", "decrypt_io", "decrypt_file"}
            assert not touched, (path.name, touched)


def test_intake_process_loads_nothing_that_decrypts(tmp_path: Path) -> None:
    org = x25519.Identity.generate()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crimebook.intake_settings",
        "CRIMEBOOK_DATA_DIR": str(tmp_path),
        "CRIMEBOOK_DATABASE_URL": "",
        "CRIMEBOOK_INTAKE_RECIPIENTS": str(org.to_public()),
        "CRIMEBOOK_ALLOWED_HOSTS": "testserver",
        "PROBE_REPORT": json.dumps(minimal_report()),
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["status"] == 200
    loaded = set(result["modules"])
    for module in FORBIDDEN_MODULES:
        assert module not in loaded, f"{module} is loaded in the intake process"
    assert result["admin_status"] == 404  # no admin, no login pages
    assert result["used"] == [], "the intake constructed an identity or decrypted"

    # What the intake host keeps cannot open the submission ...
    codename = codename_of(result["html"])
    everything = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())
    assert b"AGE-SECRET-KEY" not in everything.upper()
    (report,) = list(tmp_path.rglob("report.age"))
    salt = (tmp_path / "intake" / "codename-salt").read_bytes()
    from crimebook.intake.replykeys import _identity

    source_key = _identity(codename_derive(codename, salt).reply_secret)
    with pytest.raises(pyrage.DecryptError):
        pyrage.decrypt(report.read_bytes(), [source_key])
    # ... and the organisation's key (in the workspace) does.
    document = json.loads(pyrage.decrypt(report.read_bytes(), [org]))
    assert document["report"]["where"] == minimal_report()["where"]


def test_intake_settings_refuse_to_start_without_recipients(tmp_path: Path) -> None:
    env: dict[str, Any] = {
        **os.environ,
        "CRIMEBOOK_DATA_DIR": str(tmp_path),
        "CRIMEBOOK_INTAKE_RECIPIENTS": "",
    }
    done = subprocess.run(
        [sys.executable, "-c", "import crimebook.intake_settings"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "CRIMEBOOK_INTAKE_RECIPIENTS" in done.stderr
