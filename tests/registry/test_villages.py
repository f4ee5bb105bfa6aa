"""Villages on an open store, as the desktop's villages table reads and saves them: names
corrected and groups added in one transaction, all or nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, MetaData, String, Table, create_engine, select

from registry.errors import StoreError
from registry.store import Store
from registry.villages import VillageEdit, in_region, load_villages, save_villages


def test_names_and_groups_saved_together_or_not_at_all(station: Store) -> None:
    first, second = load_villages(station)[:2]
    assert first.groups == [] and first.name

    with pytest.raises(StoreError, match="村名不能为空"):
        save_villages(station, [VillageEdit(first.code, "尼日新村", 3),
                                VillageEdit(second.code, " ", 0)])
    assert load_villages(station)[0] == first  # the first edit was rolled back too

    save_villages(station, [VillageEdit(first.code, "尼日新村", 3),
                            VillageEdit(second.code, second.name, 0)])
    again = load_villages(station)
    assert again[0].name == "尼日新村" and [n for n, _ in again[0].groups] == [1, 2, 3]
    assert again[1] == second


@pytest.mark.parametrize(("region", "inside", "outside"), [
    ("5134", ["5134", "513431", "513499102001"], ["5133999", "5135", "51"]),
    ("513431102", ["513431102001", "513431102999"], ["513431101999", "513431103001"]),
    ("99", ["99", "990000", "999999"], ["98", "9"]),  # no code after it: no high bound
])
def test_in_region_is_the_code_prefix_as_a_range(region: str, inside: list[str],
                                                  outside: list[str]) -> None:
    places = Table("places", MetaData(), Column("code", String))
    with create_engine("sqlite://").begin() as conn:
        places.create(conn)
        conn.execute(places.insert(), [{"code": c} for c in inside + outside])
        found = conn.execute(select(places.c.code).where(in_region(places.c.code, region)))
        assert sorted(found.scalars()) == sorted(inside)
    assert all(c.startswith(region) for c in inside)
    assert not any(c.startswith(region) for c in outside)
