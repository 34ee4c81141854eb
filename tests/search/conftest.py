"""Builders for search tests: a small register in compartment A (and B for mallory)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from crimebook.register import services as s
from tests import factories as f


@pytest.fixture
def world(compartment: Any, other_compartment: Any) -> dict[str, Any]:
    """GIVEN in A: a torture incident in Okrestina with an act, a victim, a suspect in a riot
    police unit; a detention incident without suspect; in B: a look-alike incident."""
    src = f.source(compartment, title="Интервью с пострадавшим", received_on=date(2020, 8, 20))
    omon = f.unit(
        "omon-minsk", name="Minsk riot police (OMON)", name_ru="ОМОН ГУВД Мингорисполкома"
    )
    victim = f.person(compartment, "Алесь Тэставы")
    suspect = f.person(compartment, "Иван Соколов", is_perpetrator=True)
    torture = f.incident(
        compartment, title="Пытки в ЦИП на Окрестина",
        description="Задержанных избивали дубинками во дворе изолятора",
        place_name="Okrestina detention centre", violation_types=("torture",),
        start=datetime(2020, 8, 11, 20, tzinfo=UTC), end=datetime(2020, 8, 11, 23, tzinfo=UTC),
        status="verified", verification="verified", source_ids=(src.pk,),
    )  # fmt: skip
    act = f.act(torture, victim, description="Удары дубинкой по ногам")
    s.post_create(
        actor=None,
        data=s.PostData(
            person_id=suspect.pk, unit_id=omon.pk, rank="Major", start=date(2019, 1, 1)
        ),
    )
    s.involvement_create(
        actor=None,
        data=s.InvolvementData(
            act_id=act.pk, person_id=suspect.pk, degree="perpetrated", basis_source_ids=(src.pk,)
        ),
    )
    detention = f.incident(
        compartment, title="Detention at Pushkinskaya metro", description="Protesters detained",
        place_name="Pushkinskaya metro", violation_types=("arbitrary_detention",),
        start=datetime(2020, 8, 9, 12, tzinfo=UTC), end=datetime(2020, 8, 9, 13, tzinfo=UTC),
    )  # fmt: skip
    other = f.incident(
        other_compartment, title="Пытки в ЦИП на Окрестина (B)",
        description="Задержанных избивали дубинками", place_name="Okrestina detention centre",
    )  # fmt: skip
    return {"source": src, "unit": omon, "victim": victim, "suspect": suspect,
            "torture": torture, "act": act, "detention": detention, "other": other}  # fmt: skip
