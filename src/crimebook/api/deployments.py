"""/deployments: a unit present in an area during a time window, as a source says."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import AwareDatetime

from crimebook.api._bulk import add_bulk_route
from crimebook.api._common import (
    Input,
    Page,
    PageParams,
    Patch,
    UtcDatetime,
    caller,
    paginate,
    payload_dict,
    responses,
    to_data,
)
from crimebook.register.models import Deployment
from crimebook.register.selectors import deployment_get_for, deployments_for
from crimebook.register.services import DeploymentData, deployment_create, deployment_update
from crimebook.register.services.units import DEPLOYMENT_FIELDS

router = Router(tags=["deployments"])


class DeploymentIn(Input):
    compartment_id: int
    unit_id: int
    source_id: int = Field(..., description="A source in the same compartment.")
    start: AwareDatetime | None = Field(None, description="ISO 8601 with a UTC offset.")
    end: AwareDatetime | None = Field(None, description="ISO 8601 with a UTC offset.")
    precision: str = Field("range", description="minute, hour, part_of_day, day or range.")
    place_name: str = ""
    latitude: float | None = None
    longitude: float | None = None
    radius_m: float | None = Field(None, description="Uncertainty radius in metres.")
    note: str = ""


class DeploymentOut(Schema):
    id: int
    compartment_id: int
    unit_id: int
    source_id: int
    start: UtcDatetime | None
    end: UtcDatetime | None
    precision: str
    place_name: str
    latitude: float | None
    longitude: float | None
    radius_m: float | None
    note: str
    created_at: UtcDatetime


class DeploymentQuery(Schema):
    unit_id: int | None = None
    date_from: date | None = Field(None, description="Deployments ending on or after this day.")
    date_to: date | None = Field(None, description="Deployments starting on or before this day.")


def data_of(deployment: Deployment) -> DeploymentData:
    names = [n for n in DEPLOYMENT_FIELDS if n not in {"compartment", "unit", "source"}]
    return DeploymentData(
        compartment_id=deployment.compartment_id, unit_id=deployment.unit_id,
        source_id=deployment.source_id, **{n: getattr(deployment, n) for n in names},
    )  # fmt: skip


@router.get("", response=responses(Page[DeploymentOut]), summary="List deployments")
def list_deployments(
    request: HttpRequest, filters: Query[DeploymentQuery], page: Query[PageParams]
) -> dict[str, Any]:
    return paginate(deployments_for(caller(request), **filters.model_dump()), page)


@router.get("/{deployment_id}", response=responses(DeploymentOut), summary="Read a deployment")
def get_deployment(request: HttpRequest, deployment_id: int) -> Deployment:
    return deployment_get_for(caller(request), deployment_id)


@router.post("", response=responses(DeploymentOut, 201), summary="Record a deployment")
def create_deployment(request: HttpRequest, payload: DeploymentIn) -> Status[Deployment]:
    data = to_data(DeploymentData, payload_dict(payload))
    return Status(201, deployment_create(actor=caller(request), data=data))


@router.patch("/{deployment_id}", response=responses(DeploymentOut), summary="Change a deployment")
def patch_deployment(
    request: HttpRequest, deployment_id: int, payload: Patch[DeploymentIn]
) -> Deployment:
    user = caller(request)
    deployment = deployment_get_for(user, deployment_id)
    data = to_data(DeploymentData, payload, base=data_of(deployment))
    return deployment_update(actor=user, deployment=deployment, data=data)


add_bulk_route(
    router, DeploymentIn, DeploymentOut,
    lambda user, item: deployment_create(actor=user, data=to_data(DeploymentData, payload_dict(item))),
    "deployments",
)  # fmt: skip
