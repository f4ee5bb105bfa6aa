"""The step table at work on a station store: order, no skipping or repeating, dates,
reasons, a new round after 未通过 with the history kept, notices and their objections,
规模控制 with an override, and the county's steps refused at a station."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from registry.errors import ProcedureRefused, QuotaExceeded
from registry.households import save_household
from registry.models import Household, ProcedureEvent
from registry.procedure import county, history, notices, station
from registry.procedure.record import Actor
from registry.procedure.tables import NoticeEntry
from registry.store import Store
from registry.sync_state import Quota
from tests.conftest import PASSWORD, TOWNSHIP
from tests.registry.samples import VILLAGE, household, idn

ADMIN = Actor("admin", "admin")
D = date


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store, _ = Store.create(tmp_path / "s.db", kind="station", region_code=TOWNSHIP,
                            user="admin", password=PASSWORD)
    with store:
        yield store


def add(store: Store, n: int, village: str = VILLAGE) -> list[str]:
    ids = []
    with store.transaction() as s:
        for i in range(n):
            member = {"name": "王" + "一二三四五六七八九十"[i], "relation": "01",
                      "id_number": idn(f"{village[:6]}19800101{i:02d}{len(village) % 10}"),
                      "ethnicity": "01", "health": "1"}
            ids.append(save_household(s, "admin", household(village_code=village), [member],
                                      role="admin", applied_on=D(2026, 9, 1)).id)
    return ids


def stages(store: Store, ids: list[str]) -> list[str]:
    with store.session() as s:
        by = dict(s.execute(select(Household.id, Household.stage)).all())
    return [by[i] for i in ids]


def through_first_notice(store: Store, ids: list[str]) -> str:
    with store.transaction() as s:
        station.record_step(s, ADMIN, "evaluate", ids, D(2026, 9, 5))
        station.record_step(s, ADMIN, "verify", ids, D(2026, 9, 6))
        number = notices.open_notice(s, ADMIN, "first", VILLAGE, ids, D(2026, 9, 7)).number
        notices.close_notice(s, ADMIN, number, D(2026, 9, 14))
    return number


def test_steps_follow_their_order_and_refusals_write_nothing(store: Store) -> None:
    ids = add(store, 3)
    assert stages(store, ids) == ["10"] * 3
    with store.transaction() as s, pytest.raises(ProcedureRefused, match="须先完成“民主评议”"):
        station.record_step(s, ADMIN, "verify", ids, D(2026, 9, 5))
    with store.transaction() as s:
        station.record_step(s, ADMIN, "evaluate", ids[:2], D(2026, 9, 5))
    # One household already past the step: the whole batch is refused.
    with store.transaction() as s, pytest.raises(ProcedureRefused, match="已记录过"):
        station.record_step(s, ADMIN, "evaluate", ids, D(2026, 9, 6))
    with store.transaction() as s, pytest.raises(ProcedureRefused, match="不能早于"):
        station.record_step(s, ADMIN, "verify", ids[:2], D(2026, 9, 4))
    with store.transaction() as s, pytest.raises(ProcedureRefused, match="晚于今天"):
        station.record_step(s, ADMIN, "verify", ids[:2], D(2026, 9, 9), today=D(2026, 9, 8))
    assert stages(store, ids) == ["20", "20", "10"]
    with store.session() as s:
        assert s.query(ProcedureEvent).count() == 5  # 3 applications, 2 evaluations


def test_a_rejected_household_applies_again_and_keeps_its_history(store: Store) -> None:
    (hid,) = add(store, 1)
    with store.transaction() as s:
        with pytest.raises(ProcedureRefused, match="必须写明原因"):
            station.record_step(s, ADMIN, "evaluate", [hid], D(2026, 9, 5), "reject")
        station.record_step(s, ADMIN, "evaluate", [hid], D(2026, 9, 5), "reject",
                            reason="家有轿车")
    with store.transaction() as s, pytest.raises(ProcedureRefused, match="重新申请"):
        station.record_step(s, ADMIN, "verify", [hid], D(2026, 9, 6))
    # A new round: the household applies again next year.
    from registry.procedure.record import record
    from registry.procedure.steps import STEPS
    with store.transaction() as s:
        record(s, ADMIN, STEPS["apply"], [hid], D(2027, 3, 1))
        station.record_step(s, ADMIN, "evaluate", [hid], D(2027, 3, 5))
    with store.session() as s:
        titles = [i.title for i in history.timeline(s, hid) if i.kind == "step"]
    assert titles == ["农户申请", "民主评议 — 未通过", "农户申请", "民主评议 — 通过"]


def test_notices_list_their_households_and_objections_move_them(store: Store) -> None:
    ids = add(store, 4)
    with store.transaction() as s:
        station.record_step(s, ADMIN, "evaluate", ids, D(2026, 9, 5))
        station.record_step(s, ADMIN, "verify", ids, D(2026, 9, 6))
        with pytest.raises(ProcedureRefused, match="应在行政村公示"):
            notices.open_notice(s, ADMIN, "first", TOWNSHIP, ids, D(2026, 9, 7))
        notice = notices.open_notice(s, ADMIN, "first", VILLAGE, ids, D(2026, 9, 7), days=5)
        assert notice.end_date == D(2026, 9, 11)
        notices.add_objection(s, ADMIN, notice.number, ids[0], "有营业执照", "keep",
                              D(2026, 9, 8), objector="张某", checking="已注销")
        notices.add_objection(s, ADMIN, notice.number, ids[1], "长期外出", "return",
                              D(2026, 9, 8))
        notices.add_objection(s, ADMIN, notice.number, ids[2], "冒名", "cancel", D(2026, 9, 9))
        with pytest.raises(ProcedureRefused, match="已从公示"):
            notices.add_objection(s, ADMIN, notice.number, ids[2], "再次", "keep",
                                  D(2026, 9, 9))
        assert [n.number for n in notices.list_notices(s, due_only=True,
                                                       today=D(2026, 9, 12))] == ["2026-001"]
        notices.close_notice(s, ADMIN, notice.number, D(2026, 9, 12))
        with pytest.raises(ProcedureRefused, match="已于"):
            notices.add_objection(s, ADMIN, notice.number, ids[3], "晚了", "keep",
                                  D(2026, 9, 13))
        _, listed = notices.notice_households(s, notice.number)
        outcomes = dict(s.execute(select(NoticeEntry.household_id, NoticeEntry.outcome)).all())
    assert sorted(listed) == sorted(ids)
    assert [outcomes[i] for i in ids] == ["passed", "returned", "cancelled", "passed"]
    assert stages(store, ids) == ["35", "10", "90", "35"]


def test_township_review_over_quota_needs_a_reason(store: Store) -> None:
    ids = add(store, 3)
    through_first_notice(store, ids)
    with store.transaction() as s:
        s.add(Quota(township_code=TOWNSHIP, households=2, people=10, set_by="县"))
    with store.transaction() as s, pytest.raises(QuotaExceeded, match="超规模理由"):
        station.record_step(s, ADMIN, "township_review", ids, D(2026, 9, 20))
    assert stages(store, ids) == ["35"] * 3
    with store.transaction() as s:
        station.record_step(s, ADMIN, "乡镇审核", ids, D(2026, 9, 20),
                            override="地震灾后新增")
    with store.session() as s:
        facts = s.scalars(select(ProcedureEvent.facts)
                          .where(ProcedureEvent.step == "township_review")).all()
    assert all("地震灾后新增" in f for f in facts)


def test_the_county_steps_are_not_the_stations(store: Store) -> None:
    ids = add(store, 1)
    with store.transaction() as s:
        with pytest.raises(ProcedureRefused, match="不能在这里记录"):
            station.record_step(s, ADMIN, "county_decide", ids, D(2026, 9, 5))
        with pytest.raises(Exception, match="县"):
            county.decide(s, ADMIN, ids, True, "昭扶〔2026〕1号")
