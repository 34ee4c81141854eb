"""``crimebook keys rotate`` re-encrypts every identity, resumes after an interruption, and
never leaves a record readable only under a key the file lacks."""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

from crimebook.cli.app import app
from crimebook.core.keys import get_keyring, keys_add_active
from crimebook.register.models import Person
from crimebook.register.services import person_identity_reveal
from crimebook.register.services import rekey as rekey_module
from tests import factories as f

pytestmark = pytest.mark.django_db
runner = CliRunner()
NAMES = [f"Тэст Чалавек{i}" for i in range(7)]


def _names(actor: Any) -> list[str]:
    return [
        person_identity_reveal(actor=actor, person=p, reason="rotation check").full_name
        for p in Person.objects.order_by("pk")
    ]


def test_rotate_reencrypts_everything_and_retires_old_key(
    compartment: Any, investigator: Any
) -> None:
    for name in NAMES:
        f.person(compartment, name)
    result = runner.invoke(app, ["keys", "rotate", "--retire"])
    assert result.exit_code == 0, result.output
    assert get_keyring().active == "k2"
    assert set(get_keyring().data_keys) == {"k2"}
    assert all(p.full_name_enc.startswith("v1:k2:") for p in Person.objects.all())
    assert _names(investigator) == NAMES


def test_interrupted_rotation_resumes_and_loses_nothing(
    compartment: Any, investigator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in NAMES:
        f.person(compartment, name)
    real_bulk_update = Person.objects.bulk_update
    calls = {"n": 0}

    def crash_on_second_batch(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt("power cut")
        return real_bulk_update(*args, **kwargs)

    keys_add_active()
    monkeypatch.setattr(Person.objects, "bulk_update", crash_on_second_batch)
    with pytest.raises(KeyboardInterrupt):
        rekey_module.persons_rekey(batch=3)
    monkeypatch.undo()
    # GIVEN a half-done rotation: some records under k2, the rest still under k1
    keys = {p.full_name_enc.split(":")[1] for p in Person.objects.all()}
    assert keys == {"k1", "k2"}
    assert _names(investigator) == NAMES  # every identity still opens
    # WHEN the command is run again THEN it resumes without making a third key
    result = runner.invoke(app, ["keys", "rotate"])
    assert result.exit_code == 0, result.output
    assert "resuming" in result.output
    assert get_keyring().active == "k2"
    assert all(p.full_name_enc.startswith("v1:k2:") for p in Person.objects.all())
    assert _names(investigator) == NAMES


def test_keys_init_refuses_to_overwrite() -> None:
    result = runner.invoke(app, ["keys", "init"])
    assert result.exit_code == 1
    assert "refusing to overwrite" in result.output
