"""The incident list's rows, written by ``{% incident_rows %}`` instead of a template loop
and with the violation types' labels from the reference cache instead of a prefetch of the
terms, are the HTML the loop wrote: the same markup, escaping, labels in the reader's
language, types in the terms' order."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Prefetch
from django.template import engines
from django.utils import translation

from crimebook.register.models import Incident, Term
from crimebook.web.templatetags.crimebook_web import incident_rows
from crimebook.web.views.incidents import attach_violation_type_labels
from tests import factories

pytestmark = pytest.mark.django_db

# the loop the tag replaced (web/incidents/list.html before it), kept as the reference
ROW_LOOP = """{% load crimebook_web %}{% for incident in page_obj %}<tr>
  <th scope="row"><a href="{% url 'web:incident_detail' incident.pk %}">{{ incident.title }}</a></th>
  <td>{{ incident|window_short }}</td><td>{{ incident|place }}</td>
  <td>{% for term in incident.violation_type_list %}{{ term.label }}{% if not forloop.last %}, {% endif %}{% endfor %}</td>
  <td>{{ incident|choice:"status" }}</td><td>{{ incident|choice:"verification" }}</td>
</tr>{% endfor %}"""


@pytest.mark.parametrize("language", ["en", "ru", "be"])
def test_the_rows_are_what_the_template_loop_wrote(compartment: Any, language: str) -> None:
    # GIVEN incidents with markup in their texts, several types, no place, no point
    factories.incident(
        compartment, title='<script>alert("x")</script> & co', place_name="Окрестина <b>",
        violation_types=("torture", "arbitrary_detention", "ill_treatment"),
    )  # fmt: skip
    factories.incident(
        compartment, place_name="", latitude=None, longitude=None, radius_m=None,
        start=None, end=None, violation_types=(),
    )  # fmt: skip
    factories.incident(compartment, precision="day", latitude=53.123456, radius_m=1234.5)
    types = Prefetch("violation_types", to_attr="violation_type_list")
    prefetched = list(Incident.objects.order_by("pk").prefetch_related(types))
    incidents = list(Incident.objects.order_by("pk"))
    with translation.override(language):
        # WHEN the rows are written by the loop (terms prefetched) and by the tag
        expected = engines["django"].from_string(ROW_LOOP).render({"page_obj": prefetched})
        attach_violation_type_labels(incidents)
        # THEN they are the same
        assert incident_rows(incidents) == expected
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co" in expected
    assert expected.count("<tr>") == 3


def test_a_term_the_cache_does_not_know_yet_is_read_from_the_database(compartment: Any) -> None:
    # GIVEN the cached terms, then a term written without the signals that renew the cache
    incident = factories.incident(compartment, violation_types=("torture",))
    attach_violation_type_labels([incident])
    vocabulary = Term.objects.get(vocabulary__code="violation_type", code="torture").vocabulary
    (new,) = Term.objects.bulk_create(
        [Term(vocabulary=vocabulary, code="aaa_new", label_en="New <type>", label_ru="Новый")]
    )
    if new.pk is None:  # SQLite before RETURNING: read it back
        new = Term.objects.get(vocabulary=vocabulary, code="aaa_new")
    incident.violation_types.through.objects.create(incident=incident, term=new)
    # WHEN the list's rows are labelled
    with translation.override("ru"):
        attach_violation_type_labels([incident])
    # THEN the new term is there, in the terms' order
    assert incident.violation_type_labels[0] == "Новый"
    assert len(incident.violation_type_labels) == 2
