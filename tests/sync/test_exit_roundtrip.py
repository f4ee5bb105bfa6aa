"""精准扶持 and 脱贫退出 end to end on real bundle files (issue 10's "Done when", no Qt): a
registered household's yearly review with its income and checklist, a member's death and a
newborn without an ID number, a helper, a plan, a village's team and plan, then the exit
steps to 乡镇审核退出 with the 退出公示; the county takes every new row, nothing held, decides
and announces the exit; the station records it from the return bundle, then 销号 (脱贫),
and the next bundle brings the 销号 to the county; a 返贫 with its evidence travels too.
Asserted on the stores reopened from disk."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from registry.aid import helpers, incomes, members, plans, review, teams
from registry.errors import ProcedureRefused
from registry.models import (
    AidPlan,
    Helper,
    Household,
    HouseholdIncome,
    Member,
    ProcedureEvent,
    TeamMember,
    VillagePlan,
    YearlyReview,
)
from registry.procedure import county as county_steps
from registry.procedure import notices
from registry.procedure.record import Actor
from registry.procedure.station import record_step
from registry.store import Store
from registry.sync_state import CountyDecision, Quarantined
from sync import export, receive
from tests.registry.aid.flow import VOTES, registered
from tests.sync.conftest import PASSWORD, TOWNSHIP, enroll_pair, make_county, make_station

YEAR = 2020  # the last year with a 扶贫标准 in a new store
REF = "昭扶发〔2026〕21号"
ALL_MET = {"food_clothing": True, "education": True, "medical": True, "housing": True,
           "water": True}
ON = date.today() - timedelta(days=30)  # the exit's first step; the county decides today
NEW_TABLES = ("household_income", "yearly_review", "helper", "aid_plan", "team_member",
              "village_plan")


@dataclass
class Offices:
    station: Store
    county: Store
    usb: Path

    def reopen(self) -> None:
        """Both stores closed and opened again from their files."""
        for name in ("station", "county"):
            store: Store = getattr(self, name)
            path = store.target
            store.close()
            setattr(self, name, Store.open(path, "admin", PASSWORD))


def make_offices(folder: Path) -> Offices:
    """A station with no households yet and its county, enrolled."""
    station = make_station(folder, households=0)
    county = make_county(folder)
    enroll_pair(station, county, folder)
    usb = folder / "usb"
    usb.mkdir()
    return Offices(station, county, usb)


@pytest.fixture
def offices(tmp_path: Path) -> Iterator[Offices]:
    o = make_offices(tmp_path)
    try:
        yield o
    finally:
        o.station.close()
        o.county.close()


def _actor(store: Store) -> Actor:
    return Actor(store.user, store.role)


def _send(o: Offices) -> receive.ImportResult:
    sent = export.export_station(o.station, o.usb)
    [r] = receive.import_files(o.county, [sent.path])
    assert r.status == "applied", r.message
    return r


def _back(o: Offices) -> receive.ImportResult:
    sent = export.export_return(o.county, TOWNSHIP, o.usb)
    [r] = receive.import_files(o.station, [sent.path])
    assert r.status == "applied", r.message
    return r


def _held(store: Store) -> list[tuple[str, str]]:
    with store.session() as s:
        return [(q.table_name, q.reason) for q in s.scalars(select(Quarantined))]


def aided(o: Offices, village: str, hid: str) -> dict[str, str]:
    """The year's work on one household at the station; returns the members' ids."""
    station, actor = o.station, _actor(o.station)
    with station.transaction() as s:
        h = s.get(Household, hid)
        assert h is not None
        head = next(m for m in h.members if m.relation == "01")
        other = next((m for m in h.members if m.relation != "01"), None)
        died = other or head
        members.member_leaves(s, actor, hid, died.id, "死亡", ON - timedelta(days=20),
                              evidence="死亡医学证明书")
        baby = members.member_joins(s, actor, hid, {
            "name": "阿木", "no_id_number": True, "sex": "2",
            "birth_date": (ON - timedelta(days=15)).isoformat(), "relation": "03",
            "ethnicity": "07", "health": "1"}, "新生儿", ON - timedelta(days=15),
            evidence="出生医学证明")
        helpers.assign(s, actor, [hid], {
            "name": "李明", "unit": "昭觉县农业局", "title": "科员", "unit_kind": "1",
            "affiliation": "04", "start_date": (ON - timedelta(days=60)).isoformat()})
        plans.add_plan(s, actor, hid, {"year": YEAR, "measure": "4", "content": "种植花椒",
                                       "funds_fiscal": "3000", "funds_credit": "5000",
                                       "status": "3", "result": "人均增收 2000 元"})
        teams.add_member(s, actor, village, {
            "name": "王强", "role": "1", "unit": "凉山州扶贫开发局",
            "start_date": (ON - timedelta(days=300)).isoformat()})
        plans.add_village_plan(s, actor, village, {
            "year": YEAR, "project": "村道硬化", "measure": "5", "funds_fiscal": "200000",
            "status": "2"})
        review.open_year(s, actor, YEAR)
        h = s.get(Household, hid)
        assert h is not None
        incomes.put_income(s, h, YEAR, {"income_wage": Decimal(20000 * max(h.size, 1))})
        review.set_review(s, actor, hid, YEAR, ALL_MET, "exit")
        return {"died": died.id, "baby": baby.id}


def _exit_to_township(o: Offices, village: str, hid: str) -> None:
    actor = _actor(o.station)
    with o.station.transaction() as s:
        record_step(s, actor, "拟退出", [hid], ON, facts={"year": YEAR})
        record_step(s, actor, "退出民主评议", [hid], ON, facts=VOTES)
        record_step(s, actor, "贫困户认可", [hid], ON + timedelta(days=1),
                    facts={"signed_by": "户主"})
        n = notices.open_notice(s, actor, notices.EXIT, village, [hid], ON + timedelta(days=2))
        notices.close_notice(s, actor, n.number, ON + timedelta(days=10))
        record_step(s, actor, "乡镇审核退出", [hid], ON + timedelta(days=11),
                    facts={"reviewer": "乡镇审核员"})


def _household(store: Store, hid: str) -> tuple[str, str, int | None]:
    with store.session() as s:
        h = s.get(Household, hid)
        assert h is not None
        return h.stage, h.poverty_status, h.exit_year


def _steps(store: Store, hid: str) -> list[str]:
    with store.session() as s:
        return list(s.scalars(select(ProcedureEvent.step).where(
            ProcedureEvent.household_id == hid, ProcedureEvent.deleted.is_(False))
            .order_by(ProcedureEvent.seq)))


def test_an_exit_with_evidence_travels_both_ways(offices: Offices) -> None:
    o = offices
    village, (hid, other) = registered(o.station)
    first = _send(o)
    assert _held(o.county) == []
    assert first.counts["household"]["inserted"] == 2
    _back(o)

    ids = aided(o, village, hid)
    _exit_to_township(o, village, hid)
    assert _household(o.station, hid)[0] == "87"
    r = _send(o)
    assert _held(o.county) == [], _held(o.county)
    assert all(r.counts[t]["quarantined"] == r.counts[t]["conflict"] == 0 for t in r.counts)
    for table in NEW_TABLES:
        assert r.counts[table]["inserted"] >= 1, (table, r.counts[table])
    o.reopen()

    # Every new row arrived, as the station holds it.
    with o.station.session() as s, o.county.session() as c:
        for model in (HouseholdIncome, YearlyReview, Helper, AidPlan, TeamMember, VillagePlan):
            mine = set(s.scalars(select(model.id)))
            theirs = set(c.scalars(select(model.id)))
            assert mine and mine == theirs, model.__tablename__
        baby = c.get(Member, ids["baby"])
        assert baby is not None and baby.id_number == "" and baby.no_id_number
        assert (baby.joined_reason, baby.change_evidence) == ("6", "出生医学证明")
        died = c.get(Member, ids["died"])
        assert died is not None and (died.change_reason, died.change_evidence) \
            == ("1", "死亡医学证明书")
        income = c.scalar(select(HouseholdIncome).where(HouseholdIncome.household_id == hid,
                                                        HouseholdIncome.year == YEAR))
        assert income is not None and income.income_wage is not None
        assert c.scalar(select(func.count()).select_from(CountyDecision)) == 0

    # The county's exit queue: 审定退出 under a 文号, then the 退出公告.
    county, officer = o.county, _actor(o.county)
    with county.session() as s:
        queue = county_steps.review_queue(s, track=county_steps.EXIT)
        assert [q.household_id for q in queue] == [hid]
        assert county_steps.review_queue(s) == []  # not on the identification queue
    with pytest.raises(ProcedureRefused, match="不在县审定退出队列"), \
            county.transaction() as s:
        county_steps.decide(s, officer, [other], True, REF, track=county_steps.EXIT)
    with county.transaction() as s:
        assert county_steps.decide(s, officer, [hid], True, REF, track=county_steps.EXIT) == 1
    with pytest.raises(ProcedureRefused, match="退出公告"), county.transaction() as s:
        county_steps.announce(s, officer, REF, date.today())  # an exit ref: 退出公告
    with county.transaction() as s:
        ann = county_steps.announce(s, officer, REF, date.today(), track=county_steps.EXIT)
        assert [a.household_id for a in ann.households] == [hid]
        assert ann.track == county_steps.EXIT
        assert county_steps.announcement(s, REF).track == county_steps.EXIT
        assert county_steps.refs(s, county_steps.EXIT) == [(REF, 1, True)]
        assert county_steps.review_queue(s, track=county_steps.EXIT) == []
    back = _back(o)
    assert "退出公告" in back.message, back.message

    o.reopen()
    assert _household(o.station, hid)[0] == "89"
    assert _steps(o.station, hid)[-2:] == ["exit_decide", "exit_announce"]
    with o.station.transaction() as s:
        record_step(s, _actor(o.station), "销号", [hid], date.today(), facts={"year": YEAR})
    assert _household(o.station, hid) == ("95", "2", YEAR)
    r = _send(o)
    assert _held(o.county) == []
    o.reopen()
    assert _household(o.county, hid) == ("95", "2", YEAR)
    assert _steps(o.county, hid)[-3:] == ["exit_decide", "exit_announce", "exit_close"]

    # 返贫, with its evidence, reaches the county the same way.
    with o.station.transaction() as s:
        record_step(s, _actor(o.station), "返贫", [hid], date.today(),
                    facts={"year": YEAR + 1, "evidence": "因病住院,医疗费用发票"})
    _send(o)
    o.reopen()
    assert _held(o.county) == []
    assert _household(o.county, hid) == ("80", "3", YEAR + 1)
    with o.county.session() as s:
        facts = s.scalar(select(ProcedureEvent.facts).where(
            ProcedureEvent.household_id == hid, ProcedureEvent.step == "relapse"))
    assert json.loads(facts or "{}")["evidence"] == "因病住院,医疗费用发票"


def test_the_county_returns_an_exit_with_its_reason(offices: Offices) -> None:
    o = offices
    village, (hid, _other) = registered(o.station)
    aided(o, village, hid)
    _exit_to_township(o, village, hid)
    _send(o)
    exit_track = county_steps.EXIT
    with o.county.transaction() as s:
        actor = _actor(o.county)
        [picked] = county_steps.sample(s, actor, 1.0, seed=1, track=exit_track)
        assert picked.household_id == hid
        county_steps.check_sample(s, actor, hid, False, "收入不实", track=exit_track)
        with pytest.raises(ProcedureRefused, match="抽查未通过"):
            county_steps.decide(s, actor, [hid], True, REF, track=exit_track)
        with pytest.raises(ProcedureRefused, match="写明原因"):
            county_steps.decide(s, actor, [hid], False, None, track=exit_track)
        county_steps.decide(s, actor, [hid], False, None, "收入核算有误", track=exit_track)
    _back(o)
    assert _household(o.station, hid)[0] == "86"  # back to 乡镇审核退出
    assert _steps(o.station, hid)[-2:] == ["exit_sample", "exit_decide"]
    # Sent again after a new 乡镇审核退出: a new case in the county's queue.
    with o.station.transaction() as s:
        record_step(s, _actor(o.station), "乡镇审核退出", [hid], date.today())
    _send(o)
    with o.county.session() as s:
        assert [q.household_id for q in county_steps.review_queue(
            s, track=county_steps.EXIT)] == [hid]


# (table, column, value, words of the reason): values no station program writes in the
# new tables, each in a copy of a genuine row under a new id.
HOSTILE = [
    ("household_income", "income_wage", -500, "工资性收入"),
    ("household_income", "year", 1999, "年度"),
    ("household_income", "household_id", "no-such-household", "所属农户不存在"),
    ("yearly_review", "proposal", "bogus", "调整意见"),
    ("yearly_review", "checklist", "[1, 2]", "两不愁三保障核查"),
    ("helper", "unit_kind", "99", "单位性质"),
    ("aid_plan", "funds_fiscal", -100, "财政专项资金"),
    ("aid_plan", "status", "已完成", "实施状态"),
    ("team_member", "role", "9", "队内职务"),
    ("team_member", "village_code", "513431101200", "不属于本乡镇"),
    ("village_plan", "funds_social", 10 ** 12, "社会帮扶资金"),
    ("member", "joined_reason", "1", "增员原因"),
    ("member", "no_id_number", 0, "身份证号码"),  # id_number "" without 暂无身份证号
    ("household_income", "id", None, "同一户同一年"),  # a second row for the same year
]


def test_hostile_rows_of_the_new_tables_are_held_one_by_one(offices: Offices) -> None:
    from uuid import uuid4

    from tests.sync.forge import Forger, counts_of, first_manifest

    o = offices
    village, (hid, _other) = registered(o.station)
    ids = aided(o, village, hid)
    forger = Forger(o.station, o.county)
    manifest, payload = forger.real(o.usb)
    genuine = counts_of(payload)
    planted: dict[str, tuple[str, str]] = {}
    for table, column, value, words in HOSTILE:
        section = payload["tables"][table]
        cols = section["columns"]
        source = section["rows"][0] if table != "member" else next(
            r for r in section["rows"] if r[cols.index("id")] == ids["baby"])
        row = list(source)
        row[cols.index("id")] = str(uuid4())
        if column != "id":
            row[cols.index(column)] = value
        if table == "member":  # a member of its own, not matched as a duplicate
            row[cols.index("name")] = "吉克"
        section["rows"].append(row)
        planted[row[cols.index("id")]] = (table, words)
    path = forger.seal({**first_manifest(manifest), "counts": counts_of(payload)}, payload,
                       o.usb / "hostile.fpb")
    [r] = receive.import_files(o.county, [path])
    assert r.status == "applied", r.message
    with o.county.session() as s:
        held = {q.record_id: q for q in s.scalars(select(Quarantined))}
        missed = [planted[i] for i in set(planted) - set(held)]
        assert set(held) == set(planted), missed
        for rid, (table, words) in planted.items():
            assert held[rid].table_name == table
            if words == "同一户同一年":
                assert held[rid].bucket == "conflict" and "年的收入已有另一条记录" \
                    in held[rid].reason, held[rid].reason
            else:
                assert words in held[rid].reason, (table, held[rid].reason)
        # The genuine rows were taken beside them.
        for model in (HouseholdIncome, YearlyReview, Helper, AidPlan, TeamMember, VillagePlan):
            n = s.scalar(select(func.count()).select_from(model))
            assert n == genuine[model.__tablename__] >= 1, model
