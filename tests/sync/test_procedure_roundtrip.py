"""精准识别 end to end, at the core (issue 9's "Done when", no Qt): 30 households of one village
go from 农户申请 to 建档立卡 across a station and its county on real bundle files, with the
county's quota handed down first and two USB round trips (the county's 抽查 and 审定, then its
公告). On the way, what the procedure refuses is refused with nothing changed: a skipped step,
a 录入员 recording 民主评议, going over the quota without an override, a county edit of a
station household; and a role written into the key file grants nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from forms.idnumber import check_digit
from registry import roles
from registry.errors import NotOwner, ProcedureRefused, QuotaExceeded
from registry.households import delete_household, household_snapshot, save_household
from registry.models import Household, ProcedureEvent
from registry.procedure import county as county_steps
from registry.procedure import history, notices, quota
from registry.procedure.record import Actor
from registry.procedure.station import record_step
from registry.procedure.steps import REJECT, RETURN
from registry.procedure.tables import Notice, NoticeEntry, Objection
from registry.roles import NotAllowed
from registry.store import Store
from registry.sync_state import CountyDecision, Quarantined, Quota
from reports.pdf.notice import print_announcement
from sync import county as county_sync
from sync import export, receive
from tests.reports.test_pdf_support import pdf_text
from tests.sync.conftest import (
    PASSWORD,
    TOWNSHIP,
    Pair,
    content_hash,
    enroll_pair,
    make_county,
    make_station,
)

VILLAGE = "513431102200"  # 尼日村, of 竹核镇
REF = "昭扶发〔2025〕8号"
NAMES = [a + b for b in "木日古惹拉子" for a in "阿吉俄沙曲"]  # 30 names, no digits


def day(n: int) -> date:
    """The station's steps 40 days before today, when the county's 审定 is dated: today
    taken when asked, not when the module was imported (a run past midnight failed)."""
    return date.today() + timedelta(days=n - 40)


def _import(store: Store, path: Path) -> receive.ImportResult:
    [r] = receive.import_files(store, [path])
    assert r.status == "applied", r.message
    return r


def _actor(store: Store, name: str) -> Actor:
    """The user with the role the store records for them."""
    return Actor(name, dict(store.users())[name])


def _member(i: int) -> dict[str, Any]:
    first17 = f"513431{1950 + i:04d}0615{i:03d}"
    return {"name": NAMES[i], "id_number": first17 + check_digit(first17), "relation": "01",
            "ethnicity": "07", "health": "1"}


def _household(i: int) -> dict[str, Any]:
    return {"village_code": VILLAGE, "group_no": 1 + i % 5, "identification_standard": "1",
            "attribute": "1", "poverty_status": "1", "main_cause": "01",
            "income_wage": "2000"}


def _apply(store: Store, clerk: Actor, n: int) -> list[str]:
    """n households registered by the 录入员: each one's 农户申请."""
    with store.transaction() as s:
        return [save_household(s, clerk.user, _household(i), [_member(i)], role=clerk.role,
                               applied_on=day(0)).id for i in range(n)]


def _stages(store: Store, ids: list[str]) -> dict[str, str]:
    with store.session() as s:
        return dict(s.execute(select(Household.id, Household.stage)
                              .where(Household.id.in_(ids))).all())


def _refused(store: Store, error: type[Exception], words: str, act: Any) -> str:
    """`act(session)` is refused with `error` naming `words`, and nothing changed."""
    before = content_hash(store)
    with pytest.raises(error) as caught, store.transaction() as s:
        act(s)
    assert words in str(caught.value), str(caught.value)
    assert content_hash(store) == before
    return str(caught.value)


def _held(store: Store) -> int:
    with store.session() as s:
        return s.scalar(select(func.count()).select_from(Quarantined)) or 0


@pytest.fixture
def offices(tmp_path: Path) -> Iterator[Pair]:
    """A station with no households yet and its county, enrolled, each with its staff."""
    station = make_station(tmp_path, households=0)
    county = make_county(tmp_path)
    enroll_pair(station, county, tmp_path)
    station.add_user("clerk", PASSWORD, roles.ENTRY)
    station.add_user("reviewer", PASSWORD, roles.REVIEW)
    county.add_user("officer", PASSWORD, roles.COUNTY_REVIEW)
    usb = tmp_path / "usb"
    usb.mkdir()
    try:
        yield Pair(station, county, usb, tmp_path)
    finally:
        station.close()
        county.close()


def test_thirty_households_from_application_to_registration(offices: Pair) -> None:
    station, county, usb = offices.station, offices.county, offices.usb
    clerk, reviewer = _actor(station, "clerk"), _actor(station, "reviewer")
    officer, county_admin = _actor(county, "officer"), _actor(county, "admin")

    # The county hands down the township's 规模 at the start of the year.
    with county.transaction() as s:
        quota.set_township_quota(s, county_admin, TOWNSHIP, 25, 200, reason="2025年度规模")
    r = _import(station, export.export_return(county, TOWNSHIP, usb).path)
    assert r.counts["sync_quota"]["inserted"] == 1
    with station.session() as s:
        assert quota.usage(s, TOWNSHIP).quota_households == 25

    ids = _apply(station, clerk, 30)
    assert set(_stages(station, ids).values()) == {"10"}

    # Refused with nothing changed: a 录入员 recording 民主评议, a skipped step.
    _refused(station, NotAllowed, "录入员", lambda s: record_step(
        s, clerk, "民主评议", ids, day(4)))
    _refused(station, ProcedureRefused, "须先完成“民主评议”", lambda s: record_step(
        s, reviewer, "township-review", ids[:1], day(4)))

    failed, evaluated = ids[:2], ids[2:]
    votes = {"participants": 41, "votes_for": 38, "votes_against": 2, "votes_abstain": 1}
    with station.transaction() as s:
        record_step(s, reviewer, "evaluate", evaluated, day(4), facts=votes)
        record_step(s, reviewer, "evaluate", failed, day(4), result=REJECT,
                    reason="家庭收入高于扶贫标准",
                    facts={**votes, "votes_for": 3, "votes_against": 37})
        record_step(s, reviewer, "verify", evaluated, day(7),
                    facts={"checkers": "村两委、驻村工作队", "findings": "情况属实"})
        first = notices.open_notice(s, reviewer, notices.FIRST, VILLAGE, evaluated, day(9))
        first_number = first.number
    objected, noticed = evaluated[0], evaluated[1:]
    with station.transaction() as s:
        notices.add_objection(s, reviewer, first_number, objected, "群众反映该户新购轿车",
                              notices.RETURN_TO_VILLAGE, day(11), checking="入户核查属实")
        notices.close_notice(s, reviewer, first_number, day(16))
    returned, reviewed = noticed[0], noticed[1:]
    with station.transaction() as s:
        record_step(s, reviewer, "乡镇审核", [returned], day(19), result=RETURN,
                    reason="家庭成员信息不全")
    # 26 passing 乡镇审核 would make 26 of the 25 households allotted: refused without an
    # override, recorded with one.
    _refused(station, QuotaExceeded, "超出规模控制", lambda s: record_step(
        s, reviewer, "乡镇审核", reviewed, day(19)))
    with station.transaction() as s:
        record_step(s, reviewer, "乡镇审核", reviewed, day(19), override="县扶贫办同意追加规模",
                    facts={"reviewer": "乡镇审核组"})
        facts = json.loads(s.scalars(select(ProcedureEvent.facts).where(
            ProcedureEvent.household_id == reviewed[0],
            ProcedureEvent.step == "township_review")).one() or "{}")
        assert facts["超规模理由"] == "县扶贫办同意追加规模"
        second = notices.open_notice(s, reviewer, notices.SECOND, TOWNSHIP, reviewed, day(21))
        notices.close_notice(s, reviewer, second.number, day(28))
    stages = _stages(station, ids)
    assert [stages[h] for h in failed] == ["90", "90"]
    assert stages[objected] == stages[returned] == "10"
    assert {stages[h] for h in reviewed} == {"60"} and len(reviewed) == 26

    # ---- round trip 1: the households at 县复审 go up; 抽查 and 审定 come back -----------
    r = _import(county, export.export_station(station, usb).path)
    assert r.counts["notice"]["inserted"] == 2
    assert r.counts["notice_entry"]["inserted"] == 28 + 26
    assert r.counts["notice_objection"]["inserted"] == 1
    assert _held(county) == 0 and "审计链" not in r.message, r.message
    with county.transaction() as s:
        queue = county_steps.review_queue(s)
        assert sorted(q.household_id for q in queue) == sorted(reviewed)
        assert {q.station_code for q in queue} == {TOWNSHIP}
        sampled = county_steps.sample(s, officer, 0.1, seed=9)
        assert len(sampled) == 3  # 10 % of 26, rounded up
        for q in sampled:
            county_steps.check_sample(s, officer, q.household_id, True, "入户核查属实")
    # The county's used is 26 of 25 too: 审定 needs an override or a bigger quota.
    _refused(county, QuotaExceeded, "超出规模控制", lambda s: county_steps.decide(
        s, officer, reviewed, True, REF))
    # A county never edits a station's household: it sends it back instead.
    said = _refused(county, NotOwner, "请退回乡镇修改", lambda s: save_household(
        s, officer.user, {**_household(5), "group_no": 2}, [_member(5)],
        household_id=reviewed[0]))
    assert "县扶贫办不能修改" in said
    with county.transaction() as s:
        quota.set_township_quota(s, county_admin, TOWNSHIP, 26, 200, reason="追加规模")
        assert county_steps.decide(s, officer, reviewed, True, REF) == 26
        assert county_steps.review_queue(s) == []
    r = _import(station, export.export_return(county, TOWNSHIP, usb).path)
    assert "26 户由“县复审”变为“县审定”" in r.message, r.message
    assert "3 户经县抽查核查,仍为“县复审”" in r.message, r.message
    assert r.counts["sync_decision"]["inserted"] == 26 + 3
    assert r.counts["sync_quota"]["updated"] == 1
    assert set(_stages(station, reviewed).values()) == {"65"}
    with station.session() as s:
        assert s.scalar(select(Quota.households)) == 26
        assert quota.usage(s, TOWNSHIP).text().startswith("已用 26/26 户")

    # ---- round trip 2: 审定 goes up; the 公告 comes back; 建档立卡 at the station -----------
    r = _import(county, export.export_station(station, usb).path)
    assert _held(county) == 0, r.message
    assert r.counts["procedure_event"]["inserted"] == 26 + 3  # the decisions, mirrored
    with county.transaction() as s:
        assert county_steps.review_queue(s) == []  # mirrored decisions make no new case
        with pytest.raises(ProcedureRefused, match="早于审定日期"):
            county_steps.announce(s, officer, REF, day(39))
        announced = county_steps.announce(s, officer, REF, day(40))
    assert sorted(h.household_id for h in announced.households) == sorted(reviewed)
    assert announced.ref == REF and announced.on == day(40)
    assert {h.village_name for h in announced.households} == {"尼日村"}
    # The printed 公告 lists exactly the approved households, public columns only.
    poster = offices.folder / "gonggao.pdf"
    with county.session() as s:
        printed = print_announcement(s, REF, poster)
        heads = dict(s.execute(select(Household.id, Household.head_name)).all())
    text = pdf_text(poster).replace(" ", "")
    assert printed.households == 26 and REF.replace(" ", "") in text
    for hid, head in heads.items():
        assert (head in text) == (hid in reviewed), head
    assert "5134" not in text  # no ID number
    r = _import(station, export.export_return(county, TOWNSHIP, usb).path)
    assert "26 户由“县审定”变为“公告”" in r.message, r.message
    with station.transaction() as s:
        record_step(s, reviewer, "建档立卡", reviewed, day(45),
                    facts={"issued_on": day(45).isoformat()})
    assert set(_stages(station, reviewed).values()) == {"80"}
    # The next bundle brings the county the same: nothing lost on either side.
    r = _import(county, export.export_station(station, usb).path)
    assert _held(county) == 0, r.message
    assert _stages(county, ids) == _stages(station, ids)

    # ---- every step is in the history, with its user, role and date ----------------------
    steps = ["apply", "evaluate", "verify", "first_notice", "first_notice_end",
             "township_review", "second_notice", "second_notice_end", "county_decide",
             "announce", "register"]
    by = {"apply": clerk, "county_sample": officer, "county_decide": officer,
          "announce": officer}
    sampled_ids = {q.household_id for q in sampled}
    with station.session() as s:
        for hid in reviewed:
            events = list(s.scalars(select(ProcedureEvent).where(
                ProcedureEvent.household_id == hid).order_by(ProcedureEvent.seq)))
            want = list(steps)
            if hid in sampled_ids:
                want.insert(want.index("county_decide"), "county_sample")
            assert [e.step for e in events] == want
            assert [e.seq for e in events] == list(range(1, len(want) + 1))
            items = [i for i in history.timeline(s, hid) if i.kind == "step"]
            assert len(items) == len(events)
            for e, item in zip(events, items, strict=True):
                who = by.get(e.step or "", reviewer)
                assert (item.user, item.role, item.on) == (who.user, who.role, e.event_date)
                assert item.as_json()["role_name"] == roles.role_name(who.role)
            assert items[-1].stage == "80"
            assert any(REF in i.detail for i in items)
        trail = history.timeline(s, objected)
        assert [i.kind for i in trail].count("objection") == 1
        assert any("退回" in i.title for i in trail if i.kind == "step")
        assert s.scalar(select(func.count()).select_from(Objection)) == 1
    # The county holds the station's notices as the station does.
    with station.session() as s1, county.session() as s2:
        for model in (Notice, NoticeEntry, Objection):
            assert sorted(s1.scalars(select(model.id))) == sorted(s2.scalars(select(model.id)))
        decided = s2.scalars(select(CountyDecision.household_id).where(
            CountyDecision.kind == county_steps.APPROVE, CountyDecision.notice_no == REF))
        assert sorted(decided) == sorted(reviewed)


def test_a_role_written_into_the_key_file_grants_nothing(tmp_path: Path) -> None:
    station = make_station(tmp_path, households=0)
    station.add_user("clerk", PASSWORD, roles.ENTRY)
    ids = _apply(station, _actor(station, "clerk"), 2)
    path = station.path
    station.close()
    keys = Path(f"{path}.keys")
    data = json.loads(keys.read_text(encoding="utf-8"))
    for slot in data["slots"]:
        if slot["user"] == "clerk":
            slot["role"] = "admin"
    keys.write_text(json.dumps(data), encoding="utf-8")

    with Store.open(path, "clerk", PASSWORD) as clerk_store:
        assert clerk_store.role == roles.ENTRY  # from the encrypted store
        assert not clerk_store.can(roles.Act.VILLAGE_STEPS)
        me = Actor(clerk_store.user, clerk_store.role)
        _refused(clerk_store, NotAllowed, "录入员", lambda s: record_step(
            s, me, "民主评议", ids, day(4)))
        with pytest.raises(NotAllowed):
            clerk_store.add_user("friend", PASSWORD, roles.ADMIN)
        assert dict(clerk_store.users())["clerk"] == roles.ENTRY


def test_a_county_edit_is_refused_and_nothing_is_lost(pair: Pair) -> None:
    """The county's copy is the station's: an edit there is refused (请退回乡镇修改), and the
    station's next bundle, with its own edit, merges whole; the county's decision on that
    household reaches the station as it was made."""
    _import(pair.county, export.export_station(pair.station, pair.usb).path)
    with pair.station.session() as s:
        hid = s.scalars(select(Household.id).where(Household.deleted.is_(False))
                        .order_by(Household.id)).first()
        assert hid is not None
        h = s.get(Household, hid)
        assert h is not None
        values = household_snapshot(h)
        members = [{k: getattr(m, k) for k in ("id", "name", "id_number", "relation",
                                                "ethnicity", "health")}
                   for m in h.members if not m.deleted]
    _refused(pair.county, NotOwner, "请退回乡镇修改", lambda s: save_household(
        s, "admin", {**values, "phone": "13900001111"}, members, household_id=hid))
    _refused(pair.county, NotOwner, "请退回乡镇修改", lambda s: delete_household(
        s, "admin", hid, "县里认为不符合条件"))
    decision = county_sync.decide(pair.county, hid, TOWNSHIP, "correction",
                                  note="请核实家庭人口")

    with pair.station.transaction() as s:
        save_household(s, "admin", {**values, "phone": "13900002222"}, members,
                       household_id=hid, reason="更正电话")
    r = _import(pair.county, export.export_station(pair.station, pair.usb).path)
    assert r.counts["household"]["updated"] == 1 and _held(pair.county) == 0, r.message
    cols = [c.name for c in Household.__table__.columns if c.name != "rev"]
    with pair.station.session() as s1, pair.county.session() as s2:
        a, b = s1.get(Household, hid), s2.get(Household, hid)
        assert a is not None and b is not None and b.phone == "13900002222"
        assert [getattr(a, c) for c in cols] == [getattr(b, c) for c in cols]
    _import(pair.station, export.export_return(pair.county, TOWNSHIP, pair.usb).path)
    with pair.station.session() as s:
        row = s.get(CountyDecision, decision)
        assert row is not None and row.note == "请核实家庭人口"
