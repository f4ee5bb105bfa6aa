"""Households brought to 建档立卡 through the real procedure functions (every step recorded),
for the 帮扶 and exit tests; and the station actor."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from registry.models import Household
from registry.procedure import notices
from registry.procedure.record import Actor, record
from registry.procedure.station import record_step
from registry.procedure.steps import STEPS
from registry.store import Store
from tests.registry.procedure.applicants import add_applicants, first_village

VOTES = {"participants": 30, "votes_for": 28, "votes_against": 1, "votes_abstain": 1}


def registered(store: Store, households: int = 2, seed: int = 5) -> tuple[str, list[str]]:
    """`households` registered households of the first village, steps a year back."""
    village = first_village(store)
    ids = add_applicants(store, village, households, seed=seed, applied_days_ago=400)
    actor = Actor(store.user, store.role)
    day = date.today() - timedelta(days=390)
    with store.transaction() as s:
        record_step(s, actor, "民主评议", ids, day, facts=VOTES)
        record_step(s, actor, "入户核实", ids, day)
        n1 = notices.open_notice(s, actor, notices.FIRST, village, ids, day)
        notices.close_notice(s, actor, n1.number, day + timedelta(days=8))
        record_step(s, actor, "乡镇审核", ids, day + timedelta(days=9), override="测试")
        n2 = notices.open_notice(s, actor, notices.SECOND, village[:9], ids,
                                 day + timedelta(days=10))
        notices.close_notice(s, actor, n2.number, day + timedelta(days=18))
        by = ("县审核员", "county_review")
        record(s, None, STEPS["county_decide"], ids, day + timedelta(days=20), by=by)
        record(s, None, STEPS["announce"], ids, day + timedelta(days=21), by=by)
        record_step(s, actor, "建档立卡", ids, day + timedelta(days=22))
        assert {h.stage for h in s.scalars(select(Household).where(
            Household.id.in_(ids)))} == {"80"}
    return village, ids
