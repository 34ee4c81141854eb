"""A form renderer that writes Django's stock field, label, error-list, input, textarea and
select templates in Python: the same HTML (labels with ``for``, ids, ``aria-describedby``,
``aria-invalid``, error lists with their ids, help texts, escaping), without walking a
template per widget, per option and per attribute list. A filter form of six fields costs
about forty template renders through the template engine; here it is a handful of string
joins.

Only the template names in :data:`FAST` are written here, each a transcription of the
template of the installed Django (``django/forms/templates/django/forms/...``); any other
template (radio buttons, check-box lists, a project's own templates) goes to the template
engine as before. ``tests/web/test_form_rendering.py`` renders every workspace form through
this renderer and through the stock one and requires the same output, so a Django upgrade
that changes a template, or a project override of one, fails there instead of drifting.

Escaping follows the template engine exactly: every value goes through
:func:`_out` (``render_value_in_context``: localised, then ``conditional_escape``) and
``stringformat:'s'`` keeps the engine's rule that a safe input stays safe.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.template import Context
from django.template.base import render_value_in_context
from django.utils.html import escape
from django.utils.safestring import SafeData

__all__ = ["FAST", "FastRenderer"]

_CONTEXT = Context()  # autoescape on, localisation and time zone as the engine's default
_WIDGETS = "django/forms/widgets/"
_OPTION = _WIDGETS + "select_option.html"


def _out(value: Any) -> str:
    """``{{ value }}`` in an autoescaped template."""
    if type(value) is str:  # the common case, identical to the general one below
        return escape(value)
    return str(render_value_in_context(value, _CONTEXT))


def _formatted(value: Any) -> str:
    """``{{ value|stringformat:'s' }}``: the filter, then escaped unless the input was safe."""
    text = str(value) if isinstance(value, tuple) else value
    try:
        result = "%s" % text  # noqa: UP031 - the filter's own formatting, kept exactly
    except (ValueError, TypeError):
        result = ""
    if isinstance(value, SafeData):
        return result
    return escape(result)


def _attrs(attrs: Mapping[str, Any]) -> str:
    """``django/forms/attrs.html`` and ``django/forms/widgets/attrs.html``."""
    out = []
    for name, value in attrs.items():
        if value is not False:
            out.append(" " + _out(name))
            if value is not True:
                out.append('="' + _formatted(value) + '"')
    return "".join(out)


def _field(renderer: FastRenderer, context: Mapping[str, Any]) -> str:
    """``django/forms/field.html``."""
    field = context["field"]
    fieldset = field.use_fieldset
    if fieldset:
        describedby = field.aria_describedby
        aria = f' aria-describedby="{_out(describedby)}"' if describedby else ""
        head = f"\n  <fieldset{aria}>\n  " + (_out(field.legend_tag()) if field.label else "")
    else:
        head = "\n  " + (_out(field.label_tag()) if field.label else "")
    help_text = field.help_text
    helptext = ""
    if help_text:
        auto_id = field.auto_id
        id_attr = f' id="{_out(auto_id)}_helptext"' if auto_id else ""
        helptext = f'<div class="helptext"{id_attr}>{help_text!s}</div>'
    tail = "</fieldset>" if fieldset else ""
    text = f"{head}\n\n{helptext}\n{_out(field.errors)}\n{_out(field)}{tail}\n"
    return text.strip()


def _label(renderer: FastRenderer, context: Mapping[str, Any]) -> str:
    """``django/forms/label.html``."""
    label = _out(context["label"])
    if not context["use_tag"]:
        return label.strip()
    tag = _out(context["tag"])
    attrs = context["attrs"]
    attrs_html = _attrs(attrs) if attrs else ""
    return f"<{tag}{attrs_html}>{label}</{tag}>".strip()


def _errors(renderer: FastRenderer, context: Mapping[str, Any]) -> str:
    """``django/forms/errors/list/default.html`` (which includes ``ul.html``)."""
    errors = context["errors"]
    if not errors:
        return ""
    field_id = getattr(errors, "field_id", None)
    id_attr = f' id="{_out(field_id)}_error"' if field_id else ""
    items = "".join(f"<li>{_out(error)}</li>" for error in errors)
    return f'<ul class="{_out(context["error_class"])}"{id_attr}>{items}</ul>'.strip()


def _input(renderer: FastRenderer, context: Mapping[str, Any]) -> str:
    """``django/forms/widgets/input.html`` and the input templates that only include it."""
    widget = context["widget"]
    value = widget["value"]
    value_attr = f' value="{_formatted(value)}"' if value != None else ""  # noqa: E711 - as the template
    return (
        f'<input type="{_out(widget["type"])}" name="{_out(widget["name"])}"'
        f"{value_attr}{_attrs(widget['attrs'])}>"
    )


def _textarea(renderer: FastRenderer, context: Mapping[str, Any]) -> str:
    """``django/forms/widgets/textarea.html``."""
    widget = context["widget"]
    value = widget["value"]
    body = _out(value) if value else ""
    text = f'<textarea name="{_out(widget["name"])}"{_attrs(widget["attrs"])}>\n{body}</textarea>'
    return text.strip()


def _option(option: Mapping[str, Any]) -> str:
    """``django/forms/widgets/select_option.html`` (as included: with its final newline)."""
    return (
        f'<option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
        f"{_out(option['label'])}</option>\n"
    )


def _select(renderer: FastRenderer, context: Mapping[str, Any]) -> str:
    """``django/forms/widgets/select.html``."""
    widget = context["widget"]
    out = [f'<select name="{_out(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{_out(group_name)}">')
        for option in group_choices:
            out.append("\n  ")
            if option["template_name"] == _OPTION:
                out.append(_option(option))
            else:  # a custom option template: through the engine, as the include would
                included = {**context, "widget": option}
                out.append(renderer.get_template(option["template_name"]).render(included))
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out).strip()


#: template name → its transcription; the output is stripped, as the renderer does.
FAST: dict[str, Callable[[FastRenderer, Mapping[str, Any]], str]] = {
    "django/forms/field.html": _field,
    "django/forms/label.html": _label,
    "django/forms/errors/list/default.html": _errors,
    "django/forms/errors/list/ul.html": _errors,
    _WIDGETS + "textarea.html": _textarea,
    _WIDGETS + "select.html": _select,
    **{
        f"{_WIDGETS}{name}.html": _input
        for name in (
            "input", "text", "search", "number", "email", "url", "password", "hidden",
            "date", "datetime", "time", "tel", "color", "checkbox",
        )
    },
}  # fmt: skip


class FastRenderer(DjangoTemplates):
    """Django's template renderer with the templates of :data:`FAST` written in Python.
    Anything else, and any render with a request, goes to the template engine."""

    def render(self, template_name: str, context: Any, request: Any = None) -> str:
        fast = FAST.get(template_name)
        if fast is None or request is not None:
            return str(super().render(template_name, context, request=request))
        return fast(self, context)
