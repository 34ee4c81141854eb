"""Forms of the workspace. They only parse input; views build the services' dataclasses
and map ``ValidationFailed`` back onto the fields."""

from __future__ import annotations

from typing import Any

from django import forms

from crimebook.web.forms.rendering import FastRenderer

__all__ = ["UserForm"]

_RENDERER = FastRenderer()


class UserForm(forms.Form):
    """A form whose choices depend on who is asking. Rendered by :class:`FastRenderer`
    (``rendering.py``): Django's field, label, error and widget HTML without a template
    render per widget and per option."""

    required_css_class = "required"
    error_css_class = "has-error"
    default_renderer = _RENDERER

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    #: ``(legend, [field names])`` groups for the form page; empty means one plain group.
    fieldsets: tuple[tuple[Any, tuple[str, ...]], ...] = ()

    def groups(self) -> list[tuple[Any, list[forms.BoundField]]]:
        """Visible fields in their fieldsets, for the generic form template."""
        if not self.fieldsets:
            return [("", list(self.visible_fields()))]
        return [(legend, [self[name] for name in names]) for legend, names in self.fieldsets]
