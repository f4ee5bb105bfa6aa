"""Registering and correcting households: derived values, refusals, revs, tombstones."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from forms.validation import Invalid
from registry.households import delete_household, get_household, member_values, save_household
from registry.models import AuditEntry, Household, Member
from registry.store import Store
from registry.tracking import current_rev
from tests.registry.samples import household, idn, members


def _count(store: Store, model: type) -> int:
    with store.session() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_derived_values_are_computed_never_typed(station: Store) -> None:
    with station.transaction() as s:
        row = save_household(s, "admin", household(), members(
            {"name": "张小明", "id_number": idn("51343120100601001"), "relation": "03",
             "ethnicity": "01", "health": "1"}))
    with station.session() as s:
        h = get_household(s, row.id)
        assert h.size == 3
        assert h.head_name == "张三" and h.head_id_number == "11010519491231002X"
        assert h.income_transfer == Decimal("1200.00")
        assert h.net_income == Decimal("5900.00")  # 5000 + 1200 - 300
        assert h.net_income_per_capita == Decimal("1966.67")
        son = h.members[2]
        assert son.sex == "1" and son.birth_date.isoformat() == "2010-06-01"
        assert son.search_text.startswith("张小明|zhangxiaoming|zxm|")


def test_a_duplicate_id_number_is_refused_and_nothing_written(station: Store) -> None:
    with station.transaction() as s:
        save_household(s, "admin", household(), members())
    before = (_count(station, Household), _count(station, Member), _count(station, AuditEntry))
    other = [{"name": "张三", "id_number": "11010519491231002X", "relation": "01",
              "ethnicity": "01", "health": "1"}]
    with pytest.raises(Invalid) as caught, station.transaction() as s:
        save_household(s, "admin", household(group_no=5), other)
    (error,) = caught.value.errors
    assert error.field == "id_number" and error.row == 0
    assert "已登记在尼日村张三户" in error.message
    after = (_count(station, Household), _count(station, Member), _count(station, AuditEntry))
    assert after == before


def test_a_second_head_is_refused(station: Store) -> None:
    second = {"name": "王五", "id_number": idn("51343119700101003"), "relation": "01",
              "ethnicity": "01", "health": "1"}
    with pytest.raises(Invalid, match="一户只能有一名户主"), station.transaction() as s:
        save_household(s, "admin", household(), members(second))
    assert _count(station, Household) == 0


def test_an_unknown_village_is_refused(station: Store) -> None:
    with pytest.raises(Invalid, match="本站没有行政村"), station.transaction() as s:
        save_household(s, "admin", household(village_code="510104017001"), members())


def test_every_write_takes_a_new_rev_and_edits_keep_member_ids(station: Store) -> None:
    with station.transaction() as s:
        row = save_household(s, "admin", household(), members())
        first_rev = row.rev
    with station.session() as s:
        h = get_household(s, row.id)
        kept = [member_values(m) for m in h.members]
    kept[1]["name"] = "李秀兰"
    with station.transaction() as s:
        edited = save_household(s, "admin", household(income_wage="8000"), kept,
                                household_id=row.id, reason="核实收入")
    with station.session() as s:
        h = get_household(s, row.id)
        assert h.rev > first_rev
        assert h.rev <= current_rev(s)
        assert [m.id for m in h.members] == [m["id"] for m in kept]
        assert h.members[1].name == "李秀兰"
        assert h.net_income == Decimal("8900.00")
        assert edited.id == row.id
        entries = s.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
    assert [e.action for e in entries] == ["create", "update"]
    assert entries[1].reason == "核实收入" and "李秀英" in (entries[1].before or "")


def test_removing_a_member_is_a_tombstone(station: Store) -> None:
    with station.transaction() as s:
        row = save_household(s, "admin", household(), members())
    with station.session() as s:
        only_head = [member_values(get_household(s, row.id).members[0])]
    with station.transaction() as s:
        save_household(s, "admin", household(), only_head, household_id=row.id)
    with station.session() as s:
        h = get_household(s, row.id)
        assert h.size == 1
        assert [m.deleted for m in h.members] == [False, True]


def test_delete_keeps_a_tombstone_and_needs_a_reason(station: Store) -> None:
    with station.transaction() as s:
        row = save_household(s, "admin", household(), members())
    with pytest.raises(Invalid, match="删除必须填写原因"), station.transaction() as s:
        delete_household(s, "admin", row.id, " ")
    with station.transaction() as s:
        delete_household(s, "admin", row.id, "重复录入")
    with station.session() as s:
        h = get_household(s, row.id)
        assert h.deleted and all(m.deleted for m in h.members)
    # the same people may be registered again once the old record is deleted
    with station.transaction() as s:
        save_household(s, "admin", household(), members())
