"""Villages on an open store, as the desktop's villages table reads and saves them: names
corrected and groups added in one transaction, all or nothing."""

from __future__ import annotations

import pytest

from registry.errors import StoreError
from registry.store import Store
from registry.villages import VillageEdit, load_villages, save_villages


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
