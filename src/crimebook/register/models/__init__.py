"""Register models, one module per resource."""

from crimebook.register.models.common import Confidentiality, Precision
from crimebook.register.models.incidents import Act, Incident, Involvement, MedicalGrade
from crimebook.register.models.people import Person, PersonIndex
from crimebook.register.models.snapshots import StatsBucket, StatsSnapshot
from crimebook.register.models.sources import Dismissal, Source, StaffingRecord
from crimebook.register.models.units import Deployment, Post, Unit, UnitRelation
from crimebook.register.models.vocab import Term, Vocabulary

__all__ = [
    "Act",
    "Confidentiality",
    "Deployment",
    "Dismissal",
    "Incident",
    "Involvement",
    "MedicalGrade",
    "Person",
    "PersonIndex",
    "Post",
    "Precision",
    "Source",
    "StaffingRecord",
    "StatsBucket",
    "StatsSnapshot",
    "Term",
    "Unit",
    "UnitRelation",
    "Vocabulary",
]
