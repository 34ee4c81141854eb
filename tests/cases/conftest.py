from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.cases.helpers import CaseWorld, build_case
from tests.evidence.helpers import use_vault


@pytest.fixture
def lead(make_user: Callable[..., Any], compartment: Any) -> Any:
    return make_user("legal_reviewer", (compartment,), username="lena")


@pytest.fixture
def world(compartment: Any, lead: Any, tmp_path: Path, settings: Any) -> CaseWorld:
    use_vault(tmp_path, settings)
    return build_case(compartment, lead)
