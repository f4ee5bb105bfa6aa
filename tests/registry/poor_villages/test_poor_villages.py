"""The 贫困村 core at the station: facts set per year within the form's ranges, figures
counted from households (贫困发生率 with 2 decimals, None without 农业户籍人口), the exit
checklist looked up by province and year, and the steps' order, roles and notice period."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from forms.validation import Invalid
from forms.village import NATIONAL, SICHUAN_ONE_LOW_SEVEN_HAVE, WEST, village_checklist_for
from registry import roles
from registry.errors import NotOwner, ProcedureRefused
from registry.models import AuditEntry, VillageFacts
from registry.poor_villages.actions import record_village_step
from registry.poor_villages.facts import facts_of, figures, incidence, set_facts
from registry.poor_villages.ids import facts_id
from registry.poor_villages.sheet import village_sheet
from registry.procedure.record import Actor
from registry.store import Store
from tests.conftest import COUNTY, PASSWORD
from tests.registry.aid.flow import registered
from tests.registry.procedure.applicants import first_village

YEAR = 2025
ON = date.today() - timedelta(days=30)


def _actor(store: Store, role: str | None = None) -> Actor:
    return Actor(store.user, role or store.role)


def test_incidence_is_a_percentage_with_two_decimals() -> None:
    assert incidence(7, 300) == Decimal("2.33")
    assert incidence(1, 200) == Decimal("0.50")
    assert incidence(1, 8) == Decimal("12.50")
    assert incidence(5, None) is None and incidence(5, 0) is None


def test_the_checklist_is_data_per_province() -> None:
    assert village_checklist_for("513431102200") is SICHUAN_ONE_LOW_SEVEN_HAVE
    assert village_checklist_for("520102001001", 2016) is WEST
    assert village_checklist_for("410102001001") is NATIONAL
    assert SICHUAN_ONE_LOW_SEVEN_HAVE.items[0].below == Decimal(3)
    assert NATIONAL.items[0].below == Decimal(2)
    assert len(SICHUAN_ONE_LOW_SEVEN_HAVE.items) == 8  # 一低七有


def test_facts_are_set_partially_checked_and_audited(station: Store) -> None:
    village = first_village(station)
    with station.transaction() as s:
        set_facts(s, _actor(station), village, YEAR,
                  {"people_agricultural": "1200", "road_hardened": "是"})
        set_facts(s, _actor(station), village, YEAR, {"collective_income": "8000.5"})
    with station.session() as s:
        row = facts_of(s, village, YEAR)
        assert row is not None and row.id == facts_id(village, YEAR)
        assert (row.people_agricultural, row.road_hardened, row.collective_income) == (
            1200, True, Decimal("8000.50"))
        assert s.query(AuditEntry).filter_by(entity="village", entity_id=village).count() == 2
    with pytest.raises(Invalid), station.transaction() as s:
        set_facts(s, _actor(station), village, YEAR, {"people_agricultural": "-3"})
    with pytest.raises(roles.NotAllowed), station.transaction() as s:
        set_facts(s, Actor("x", "county_review"), village, YEAR, {"clinic": "是"})
    with station.session() as s:
        assert s.query(VillageFacts).count() == 1


def test_figures_are_counted_from_households(station: Store) -> None:
    village, ids = registered(station, households=2)
    with station.session() as s:
        f = figures(s, village, YEAR)
        assert f.poor_households == 2 and f.poor_people > 0 and f.incidence is None
    with station.transaction() as s:
        set_facts(s, _actor(station), village, YEAR, {"people_agricultural": "400"})
    with station.session() as s:
        sheet = village_sheet(s, village, YEAR)
        people = sheet.figures.poor_people
        assert sheet.figures.incidence == incidence(people, 400)
        assert not sheet.checklist.passed
        assert sheet.as_json()["figures"]["incidence"] == str(incidence(people, 400))


def test_steps_keep_their_order_roles_and_notice_period(station: Store) -> None:
    village = first_village(station)

    def step(text: str, on: date, role: str | None = None, **kw: object) -> str:
        with station.transaction() as s:
            return record_village_step(s, _actor(station, role), text, village, on,
                                       today=date.today(), **kw)  # type: ignore[arg-type]

    with pytest.raises(ProcedureRefused, match="下一步是“申请”"):
        step("乡镇审核", ON)
    step("申请", ON)
    with pytest.raises(roles.NotAllowed):
        step("乡镇审核", ON, role=roles.ENTRY)
    with pytest.raises(ProcedureRefused, match="必须写明原因"):
        step("乡镇审核", ON, result="reject")
    with pytest.raises(ProcedureRefused, match="不能早于"):
        step("乡镇审核", ON - timedelta(days=1))
    step("township-review", ON)
    step("乡镇公示", ON + timedelta(days=1), facts={"days": 10})
    with pytest.raises(ProcedureRefused, match="起才能记录"):
        step("乡镇公示期满", ON + timedelta(days=10))
    step("乡镇公示期满", ON + timedelta(days=11))
    with pytest.raises(ProcedureRefused, match="县扶贫办"):
        step("公告", ON + timedelta(days=12))
    with pytest.raises(ProcedureRefused, match="没有步骤"):
        step("民主评议", ON + timedelta(days=12))
    with station.session() as s:
        sheet = village_sheet(s, village)
        assert sheet.stage == "40" and [x.name for x in sheet.steps] == [
            "申请", "乡镇审核", "乡镇公示", "乡镇公示期满"]


def test_the_county_cannot_edit_a_village(tmp_path: Path) -> None:
    store, _ = Store.create(tmp_path / "county.db", kind="county", region_code=COUNTY,
                            user="admin", password=PASSWORD)
    with store, pytest.raises(NotOwner), store.transaction() as s:
        set_facts(s, _actor(store), COUNTY + "102200", YEAR, {"clinic": "是"})
