"""Register services: every write goes through one of these (CONVENTIONS 1–2)."""

from crimebook.register.services.incidents import (
    ActData,
    IncidentData,
    InvolvementData,
    act_create,
    act_update,
    incident_create,
    incident_update,
    involvement_create,
)
from crimebook.register.services.persons import (
    PersonData,
    PersonIdentity,
    person_create,
    person_identity_reveal,
    person_update,
)
from crimebook.register.services.sources import (
    SourceData,
    dismissal_create,
    source_create,
    source_update,
    staffing_record_create,
)
from crimebook.register.services.units import (
    DeploymentData,
    PostData,
    UnitData,
    deployment_create,
    deployment_update,
    post_create,
    post_update,
    unit_create,
    unit_parent_add,
    unit_parent_end,
    unit_update,
)
from crimebook.register.services.vocab import vocabularies_load

__all__ = [
    "ActData",
    "DeploymentData",
    "IncidentData",
    "InvolvementData",
    "PersonData",
    "PersonIdentity",
    "PostData",
    "SourceData",
    "UnitData",
    "act_create",
    "act_update",
    "deployment_create",
    "deployment_update",
    "dismissal_create",
    "incident_create",
    "incident_update",
    "involvement_create",
    "person_create",
    "person_identity_reveal",
    "person_update",
    "post_create",
    "post_update",
    "source_create",
    "source_update",
    "staffing_record_create",
    "unit_create",
    "unit_parent_add",
    "unit_parent_end",
    "unit_update",
    "vocabularies_load",
]
