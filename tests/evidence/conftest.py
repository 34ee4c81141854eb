from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.evidence.helpers import use_vault


@pytest.fixture
def vault(tmp_path: Path, settings: Any) -> Path:
    """A temporary vault with its own identity (restored by pytest-django's settings)."""
    return use_vault(tmp_path, settings)
