"""The exit as recorded steps at the station: refused below the line or with an unmet
checklist item, 脱贫 only through 销号, 返贫 with its evidence."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from registry.aid import incomes, review
from registry.errors import ProcedureRefused
from registry.models import Household, HouseholdIncome
from registry.procedure import notices
from registry.procedure.record import Actor, record
from registry.procedure.station import record_step
from registry.procedure.steps import STEPS
from registry.store import Store
from tests.registry.aid.flow import VOTES, registered

ALL_MET = {"food_clothing": True, "education": True, "medical": True, "housing": True,
           "water": True}


def _income(store: Store, hid: str, year: int, wage: str) -> None:
    with store.transaction() as s:
        h = s.get(Household, hid)
        assert h is not None
        incomes.put_income(s, h, year, {"income_wage": Decimal(wage)})


def test_exit_refused_below_the_line_and_for_an_unmet_item_then_done(station: Store) -> None:
    village, (a, b) = registered(station)
    actor = Actor(station.user, station.role)
    year = 2020  # the last year with a 扶贫标准 in a new store
    on = date.today() - timedelta(days=40)
    with station.transaction() as s:
        review.open_year(s, actor, year)
    with station.session() as s:
        size_a = s.get(Household, a).size  # type: ignore[union-attr]
    _income(station, a, year, str(100 * size_a))  # far below any line
    with station.transaction() as s:
        review.set_review(s, actor, a, year, ALL_MET, "exit")
    with pytest.raises(ProcedureRefused, match="人均纯收入.*低于或等于"), \
            station.transaction() as s:
        record_step(s, actor, "拟退出", [a], on, facts={"year": year})
    _income(station, a, year, str(20000 * size_a))
    with station.transaction() as s:
        review.set_review(s, actor, a, year, {**ALL_MET, "housing": False}, "exit")
    with pytest.raises(ProcedureRefused, match="住房安全有保障"), station.transaction() as s:
        record_step(s, actor, "拟退出", [a], on, facts={"year": year})
    with station.transaction() as s:
        review.set_review(s, actor, a, year, ALL_MET, "exit")
        record_step(s, actor, "拟退出", [a], on, facts={"year": year})
        record_step(s, actor, "退出民主评议", [a], on, facts=VOTES)
        record_step(s, actor, "贫困户认可", [a], on, facts={"signed_by": "户主"})
        n = notices.open_notice(s, actor, notices.EXIT, village, [a], on)
        notices.close_notice(s, actor, n.number, on + timedelta(days=8))
        record_step(s, actor, "乡镇审核退出", [a], on + timedelta(days=9))
        by = ("县审核员", "county_review")
        record(s, None, STEPS["exit_decide"], [a], on + timedelta(days=10), by=by)
        record(s, None, STEPS["exit_announce"], [a], on + timedelta(days=11), by=by)
        h = s.get(Household, a)
        assert h is not None and h.poverty_status == "1"  # not before 销号
        record_step(s, actor, "销号", [a], on + timedelta(days=12), facts={"year": year})
        assert (h.stage, h.poverty_status, h.exit_year) == ("95", "2", year)
    with pytest.raises(ProcedureRefused, match="证明材料"), station.transaction() as s:
        record_step(s, actor, "返贫", [a], date.today(), facts={"year": year})
    with station.transaction() as s:
        record_step(s, actor, "返贫", [a], date.today(),
                    facts={"year": year, "evidence": "因病住院,医疗费用发票"})
        h = s.get(Household, a)
        assert h is not None and (h.stage, h.poverty_status) == ("80", "3")
    with pytest.raises(ProcedureRefused, match="只有已脱贫销号"), station.transaction() as s:
        record_step(s, actor, "返贫", [b], date.today(), facts={"evidence": "x"})


def test_income_by_year_keeps_the_earlier_year(station: Store) -> None:
    _, (a, _b) = registered(station)
    with station.session() as s:
        h = s.get(Household, a)
        assert h is not None
        latest = (h.income_year, h.income_wage)  # the latest year the household holds
    assert latest[0] is not None and latest[0] > 2014
    _income(station, a, 2014, "9000")
    _income(station, a, 2013, "3000")
    with station.session() as s:
        years = {r.year: r.income_wage for r in s.scalars(
            select(HouseholdIncome).where(HouseholdIncome.household_id == a))}
        h = s.get(Household, a)
        assert h is not None
        assert years[2013] == Decimal("3000.00") and years[2014] == Decimal("9000.00")
        assert latest[0] in years  # the latest year kept too
        assert (h.income_year, h.income_wage) == latest  # an earlier year changes no row
