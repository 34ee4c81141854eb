from __future__ import annotations

from typing import Any

import pytest

from tests.leads.helpers import Scene, build_scene


@pytest.fixture
def scene(compartment: Any) -> Scene:
    return build_scene(compartment)


@pytest.fixture
def analyst(make_user: Any, compartment: Any) -> Any:
    return make_user("analyst", (compartment,), username="ana")
