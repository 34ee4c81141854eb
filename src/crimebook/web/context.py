"""Template context shared by every workspace page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from crimebook.accounts.models import Compartment


def workspace(request: HttpRequest) -> dict[str, Any]:
    """The fictitious-data banner shows whenever the demo compartment exists."""
    demo = Compartment.objects.filter(name__startswith="DEMO").exists()
    return {"demo_data": demo}
