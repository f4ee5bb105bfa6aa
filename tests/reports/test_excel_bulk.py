"""registry.bulk: a batch of households is checked as a whole and written all or nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from forms.idnumber import check_digit
from registry.audit import verify_chain
from registry.bulk import BulkInvalid, register_households
from registry.households import get_household, save_household
from registry.models import AuditEntry, Household, Member
from registry.store import Store

VILLAGE = "513431102200"


def _idn(first17: str) -> str:
    return first17 + check_digit(first17)


def _item(seq: int, **changes: object) -> tuple[dict[str, object], list[dict[str, object]]]:
    household = {"village_code": VILLAGE, "group_no": 1, "identification_standard": "1",
                 "attribute": "1", "stage": "10", "poverty_status": "1", "main_cause": "01",
                 "income_wage": "3000"}
    household.update(changes)
    return household, [{"name": f"王{'一二三四五六七八九'[seq]}", "relation": "01",
                        "id_number": _idn(f"51343119600101{seq * 2 + 1:03d}"),
                        "ethnicity": "01", "health": "1"}]


def test_batch_matches_save_household(station: Store) -> None:
    with station.transaction() as s:
        result = register_households(s, "admin", [_item(1), _item(2)], reason="测试")
        single = save_household(s, "admin", *_item(3))
    with station.session() as s:
        bulk = get_household(s, result.household_ids[0])
        one = get_household(s, single.id)
        for name in ("size", "net_income", "net_income_per_capita", "stage", "attribute"):
            assert getattr(bulk, name) == getattr(one, name), name
        assert bulk.head_name == "王二" and bulk.head_id_number == bulk.members[0].id_number
        assert bulk.rev > 0 and bulk.members[0].search_text.startswith("王二|wanger|we|")
        assert bulk.members[0].sex == "1" and bulk.members[0].rev > 0
        creates = s.scalar(select(func.count()).select_from(AuditEntry)
                           .where(AuditEntry.action == "create"))
        assert creates == 3 and verify_chain(s) == []


def test_any_bad_household_writes_nothing(station: Store) -> None:
    with station.transaction() as s:
        register_households(s, "admin", [_item(1)])
    with pytest.raises(BulkInvalid) as caught, station.transaction() as s:
        register_households(s, "admin", [
            _item(2), _item(3, village_code="513431102999"), _item(4, attribute="9"),
            _item(1), _item(5)])
    found = {(e.item, e.error.field, e.error.row) for e in caught.value.item_errors}
    assert found == {(1, "village_code", None), (2, "attribute", None), (3, "id_number", 0)}
    with station.session() as s:
        assert s.scalar(select(func.count()).select_from(Household)) == 1
        assert s.scalar(select(func.count()).select_from(Member)) == 1
