"""registry.procedure.access: the store-level calls the desktop makes, each one session, as
the logged-in user and role."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from registry.procedure import access
from registry.roles import NotAllowed
from registry.store import Store
from tests.conftest import PASSWORD, TOWNSHIP
from tests.registry.procedure.applicants import add_applicants, first_village


def ago(n: int) -> date:
    return date.today() - timedelta(days=n)


def test_a_village_through_its_first_notice(tmp_path: Path) -> None:
    store, _ = Store.create(tmp_path / "s.db", kind="station", region_code=TOWNSHIP,
                            user="admin", password=PASSWORD)
    with store:
        village = first_village(store)
        ids = add_applicants(store, village, 5)
        rows = access.village_batch(store, village)
        assert [r.stage for r in rows] == ["10"] * 5
        assert all("*" in r.head_id_number for r in rows)  # masked
        assert len(access.village_batch(store, TOWNSHIP[:9])) == 0  # an exact village code

        access.record_step(store, "民主评议", ids, ago(20), facts={"participants": 9})
        access.record_step(store, "verify", ids, ago(19))
        n = access.open_notice(store, "first", village, ids, ago(18))
        assert (n.number, n.households, n.end_date) == (f"{ago(18).year}-001", 5, ago(12))
        assert [i.number for i in access.list_notices(store, due_only=True)] == [n.number]
        assert access.list_notices(store, due_only=True)[0].households == 5
        assert access.count_due(store, date.today()) == 1
        assert access.count_due(store, ago(12)) == 0  # its last day: not due yet

        access.add_objection(store, n.number, ids[0], "收入较高", "return", ago(15))
        d = access.notice_detail(store, n.number)
        assert {h.household_id: h.outcome_name for h in d.households}[ids[0]] == "退回重新评议"
        assert d.objections[0].objector == "" and d.objections[0].outcome_name == "退回重新评议"

        assert access.close_notice(store, n.number, ago(5)) == 4
        assert access.list_notices(store, due_only=True) == []
        assert access.count_due(store, date.today()) == 0
        lines = access.quota_usage(store, [TOWNSHIP, village])
        assert [line.region_code for line in lines] == [TOWNSHIP, village]
        assert all("未下达规模" in line.text and not line.over for line in lines)

        titles = [i.title for i in access.household_history(store, ids[1])]
        assert titles[:4] == ["农户申请", "民主评议 — 通过", "入户核实 — 通过", "第一次公示"]

        # A second notice: each notice's detail counts its own households and objections.
        more = add_applicants(store, village, 3)
        access.record_step(store, "民主评议", more, ago(4), facts={"participants": 9})
        access.record_step(store, "verify", more, ago(3))
        second = access.open_notice(store, "first", village, more, ago(2))
        first_info = access.notice_detail(store, n.number).info
        second_info = access.notice_detail(store, second.number).info
        assert (first_info.households, first_info.objections) == (5, 1)
        assert (second_info.number, second_info.households, second_info.objections) == (
            second.number, 3, 0)

        store.add_user("clerk", PASSWORD, "entry")
    with Store.open(tmp_path / "s.db", "clerk", PASSWORD) as clerk, \
            pytest.raises(NotAllowed, match="录入员"):
        access.record_step(clerk, "township_review", ids[1:], ago(1))
