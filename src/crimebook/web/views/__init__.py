"""Workspace pages, one module per resource; shared helpers live in ``_common``."""

from crimebook.web.views.home import home

__all__ = ["home"]
