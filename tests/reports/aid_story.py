"""A household with everything the 扶贫手册 and the Excel round trip carry, made through the
registry/aid and procedure functions: two helpers (the first ended), plans of two years
with funds by source, incomes of two years, a yearly review, a member's death and a
newborn, and an exit through every step up to 退出公告 (with its 文号) and 销号."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from registry.aid import helpers, incomes, members, plans, review
from registry.models import Household, Member
from registry.procedure import notices
from registry.procedure.record import Actor, record
from registry.procedure.station import record_step
from registry.procedure.steps import STEPS
from registry.store import Store
from tests.registry.aid.flow import VOTES, registered

YEAR = 2020  # the last year with a 扶贫标准 in a new store
REF = "测扶贫〔2021〕8号"
ALL_MET = {"food_clothing": True, "education": True, "medical": True, "housing": True,
           "water": True}


@dataclass(frozen=True)
class Story:
    village: str
    exited: str  # through every exit step, 销号
    staying: str  # registered, with a helper
    exit_notice: str  # the 退出公示's number


def build(store: Store) -> Story:
    village, (a, b) = registered(store)
    actor = Actor(store.user, store.role)
    on = date.today() - timedelta(days=60)
    with store.transaction() as s:
        helpers.assign(s, actor, [a, b], {"name": "李帮扶", "unit": "县农业局", "title": "科员",
                                          "phone": "13800001111", "unit_kind": "1",
                                          "start_date": date(2019, 3, 1)})
        helpers.assign(s, actor, [a], {"name": "王干部", "unit": "县教育局", "title": "副局长",
                                       "phone": "13900002222", "unit_kind": "2",
                                       "start_date": date(2020, 1, 1)})
        plans.add_plan(s, actor, a, {"year": 2019, "measure": "4", "content": "发展养牛3头",
                                     "funds_fiscal": "5000", "funds_credit": "20000",
                                     "responsible": "李帮扶", "status": "3",
                                     "result": "年出栏2头,增收8000元"})
        plans.add_plan(s, actor, a, {"year": YEAR, "measure": "1", "content": "子女职业教育补助",
                                     "funds_fiscal": "3000", "funds_social": "1000",
                                     "responsible": "王干部", "status": "2"})
        h = s.get(Household, a)
        assert h is not None
        incomes.put_income(s, h, 2019, {"income_wage": Decimal(2000 * h.size)})
        incomes.put_income(s, h, YEAR, {"income_wage": Decimal(9000 * h.size)})
        review.open_year(s, actor, YEAR)
        review.set_review(s, actor, a, YEAR, ALL_MET, "exit", note="户主务工稳定")
    with store.transaction() as s:
        head = s.scalars(select(Member).where(Member.household_id == a,
                                              Member.relation != "01")).first()
        assert head is not None
        members.member_leaves(s, actor, a, head.id, "死亡", on - timedelta(days=30),
                              evidence="死亡医学证明(编号2020-0088)")
        members.member_joins(s, actor, a, {"name": "新宝宝", "relation": "05", "sex": "1",
                                           "birth_date": on - timedelta(days=20),
                                           "no_id_number": True, "ethnicity": "01",
                                           "health": "1"},
                             "新生儿", on - timedelta(days=20), evidence="出生医学证明")
        h = s.get(Household, a)
        assert h is not None
        incomes.put_income(s, h, YEAR, {"income_wage": Decimal(9000 * h.size)})
    with store.transaction() as s:
        record_step(s, actor, "拟退出", [a], on, facts={"year": YEAR})
        record_step(s, actor, "退出民主评议", [a], on, facts=VOTES)
        record_step(s, actor, "贫困户认可", [a], on, facts={"signed_by": "户主"})
        n = notices.open_notice(s, actor, notices.EXIT, village, [a], on)
        notices.close_notice(s, actor, n.number, on + timedelta(days=8))
        record_step(s, actor, "乡镇审核退出", [a], on + timedelta(days=9))
        by = ("县审核员", "county_review")
        record(s, None, STEPS["exit_decide"], [a], on + timedelta(days=10), by=by,
               facts={"文号": REF})
        record(s, None, STEPS["exit_announce"], [a], on + timedelta(days=11), by=by,
               facts={"文号": REF})
        record_step(s, actor, "销号", [a], on + timedelta(days=12), facts={"year": YEAR})
    return Story(village, a, b, n.number)
