"""``crimebook receipt verify`` checks a receipt file with the published key."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from typer.testing import CliRunner

from crimebook.cli.app import app
from crimebook.intake.receipts import public_key_text, receipt_sign


def test_receipt_verify_command(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    receipt = receipt_sign(key, sealed_sha256="0f" * 32, issued_on=date(2020, 8, 12))
    good = tmp_path / "receipt.json"
    good.write_text(receipt.to_json())
    published = public_key_text(key.public_key())
    result = CliRunner().invoke(app, ["receipt", "verify", str(good), "--public-key", published])
    assert result.exit_code == 0, result.output
    assert receipt.receipt_id in result.output and "2020-08-12" in result.output
    bad = tmp_path / "bad.json"
    bad.write_text(receipt.to_json().replace("2020-08-12", "2020-08-13"))
    result = CliRunner().invoke(app, ["receipt", "verify", str(bad), "--public-key", published])
    assert result.exit_code == 1
    assert "NOT valid" in result.output
