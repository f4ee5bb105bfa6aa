"""The household calls the desktop makes on an open store (each its own session): search,
a page of rows, counts, one household in full, its head, save, delete."""

from __future__ import annotations

import pytest

from forms.validation import Invalid
from registry import household_access as ha
from registry.errors import NotFound
from registry.search import HouseholdFilter
from registry.store import Store
from tests.registry.samples import VILLAGE, household, idn, members


def test_save_find_detail_and_delete(station: Store) -> None:
    son = {"name": "张小明", "id_number": idn("51343120100601001"), "relation": "03",
           "ethnicity": "01", "health": "1"}
    new_id = ha.save_household(station, household(), members(son))
    hits = ha.find_households(station, HouseholdFilter(text="zxm"))
    assert hits.ids == [new_id] and not hits.capped
    [row] = ha.household_rows(station, [new_id])
    assert row.head_name == "张三" and row.size == 3
    assert ha.village_counts(station) == {(VILLAGE, 3): 1}

    detail = ha.household_detail(station, new_id)
    assert detail.facts["head_name"] == "张三" and detail.village_name == "尼日村"
    assert [m["name"] for m in detail.members] == ["张三", "李秀英", "张小明"]
    assert detail.departed == []
    head = ha.household_head(station, new_id)
    assert (head.head_name, head.village_code) == ("张三", VILLAGE)

    # Saved again by id, with a member less: the same household, the member gone.
    assert ha.save_household(station, detail.values, detail.members[:2], new_id) == new_id
    assert ha.household_detail(station, new_id).facts["size"] == 2

    ha.delete_household(station, new_id, "重复建档")
    assert ha.find_households(station, HouseholdFilter()).ids == []
    assert ha.household_detail(station, new_id).facts["deleted"] is True


def test_refusals_come_from_the_core_and_write_nothing(station: Store) -> None:
    first = ha.save_household(station, household(), members())
    with pytest.raises(Invalid, match="同一人不能重复登记"):
        ha.save_household(station, household(group_no=4), members())
    assert ha.find_households(station, HouseholdFilter()).ids == [first]
    with pytest.raises(NotFound):
        ha.household_detail(station, "no-such-household")
