"""Workspace URLs, namespace ``web``. Record pages follow one pattern per resource:
``<thing>_list``, ``<thing>_create``, ``<thing>_detail``, ``<thing>_edit``."""

from django.urls import include, path

from crimebook.jobs import imports as job_imports
from crimebook.jobs import views as jobs
from crimebook.leads import views as leads
from crimebook.search.views import search_page
from crimebook.web import views
from crimebook.web.views import (
    acts,
    communications,
    deployments,
    evidence,
    incidents,
    maps,
    persons,
    posts,
    sources,
    tokens,
    units,
)
from crimebook.web.views.home import unit_attrition

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", search_page, name="search_page"),
    path("account/tokens/", tokens.token_list, name="token_list"),
    path("incidents/", incidents.incident_list, name="incident_list"),
    path("incidents/new/", incidents.incident_create, name="incident_create"),
    path("incidents/<int:pk>/", incidents.incident_detail, name="incident_detail"),
    path("incidents/<int:pk>/edit/", incidents.incident_edit, name="incident_edit"),
    path("incidents/<int:pk>/acts/new/", acts.act_create, name="act_create"),
    path("acts/", acts.act_list, name="act_list"),
    path("acts/<int:pk>/", acts.act_detail, name="act_detail"),
    path("acts/<int:pk>/edit/", acts.act_edit, name="act_edit"),
    path("acts/<int:pk>/involvements/new/", acts.involvement_create, name="involvement_create"),
    path("persons/", persons.person_list, name="person_list"),
    path("persons/new/", persons.person_create, name="person_create"),
    path("persons/<int:pk>/", persons.person_detail, name="person_detail"),
    path("persons/<int:pk>/edit/", persons.person_edit, name="person_edit"),
    path("persons/<int:pk>/reveal/", persons.person_reveal, name="person_reveal"),
    path("units/", units.unit_list, name="unit_list"),
    path("units/new/", units.unit_create, name="unit_create"),
    path("units/<int:pk>/", units.unit_detail, name="unit_detail"),
    path("units/<int:pk>/attrition/", unit_attrition, name="unit_attrition"),
    path("units/<int:pk>/edit/", units.unit_edit, name="unit_edit"),
    path("units/<int:pk>/parents/new/", units.unit_parent_add, name="unit_parent_add"),
    path("posts/new/", posts.post_create, name="post_create"),
    path("deployments/", deployments.deployment_list, name="deployment_list"),
    path("deployments/new/", deployments.deployment_create, name="deployment_create"),
    path("deployments/<int:pk>/", deployments.deployment_detail, name="deployment_detail"),
    path("deployments/<int:pk>/edit/", deployments.deployment_edit, name="deployment_edit"),
    path("sources/", sources.source_list, name="source_list"),
    path("sources/new/", sources.source_create, name="source_create"),
    path("sources/<int:pk>/", sources.source_detail, name="source_detail"),
    path("sources/<int:pk>/edit/", sources.source_edit, name="source_edit"),
    path("evidence/", evidence.evidence_list, name="evidence_list"),
    path("evidence/new/", evidence.evidence_create, name="evidence_create"),
    path("evidence/<int:pk>/", evidence.evidence_detail, name="evidence_detail"),
    path("evidence/<int:pk>/preview/", evidence.evidence_preview, name="evidence_preview"),
    path("evidence/<int:pk>/download/", evidence.evidence_download, name="evidence_download"),
    path("evidence/<int:pk>/link/", evidence.evidence_link, name="evidence_link"),
    path("evidence/<int:pk>/unlink/", evidence.evidence_unlink, name="evidence_unlink"),
    path("communications/", communications.communication_list, name="communication_list"),
    path(
        "communications/<int:pk>/",
        communications.communication_detail,
        name="communication_detail",
    ),
    path("map/", maps.map_page, name="map_page"),
    path("map/data/", maps.map_data, name="map_data"),
    path("cases/", include("crimebook.cases.urls")),  # names web:case_*
    path("jobs/", jobs.job_list, name="job_list"),
    path("jobs/<int:pk>/", jobs.job_detail, name="job_detail"),
    path("jobs/<int:pk>/retry/", jobs.job_retry, name="job_retry"),
    path("imports/new/", job_imports.import_create, name="import_create"),
    path("leads/", leads.lead_list, name="lead_list"),
    path("leads/<int:pk>/accept/", leads.lead_accept, name="lead_accept"),
    path("leads/<int:pk>/reject/", leads.lead_reject, name="lead_reject"),
]
