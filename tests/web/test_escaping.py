"""The escaping used by markup written in Python equals Django's, for plain, lazy, safe and
non-string values."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import html as django_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from crimebook.web.escaping import conditional_escape, escape

VALUES: list[Any] = [
    "plain",
    "<script>alert('x')</script> & \"quoted\"",
    mark_safe("<b>safe</b>"),
    gettext_lazy("remove"),
    42,
    3.5,
    None,
    "",
]


@pytest.mark.parametrize("value", VALUES)
def test_same_text_as_django(value: Any) -> None:
    assert escape(value) == str(django_html.escape(value))
    assert conditional_escape(value) == str(django_html.conditional_escape(value))
