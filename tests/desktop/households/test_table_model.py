"""The household table model with no view (Vorta's habit): pages fetched lazily, sorted
and filtered in SQL."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt

from desktop.households.table_model import (
    COL_GROUP,
    COL_HEAD,
    COL_ID,
    COL_INCOME,
    COL_SIZE,
    COLUMNS,
    HouseholdTableModel,
    IdRole,
    RowRole,
    SortRole,
)
from registry import search
from registry.search import HouseholdFilter, HouseholdRow
from registry.store import Store


class Source:
    """The store behind the model, counting what it was asked for."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.row_requests: list[int] = []

    def ids(self, f: HouseholdFilter, sort: str, descending: bool) -> list[str]:
        with self.store.session() as s:
            return search.household_ids(s, f, sort=sort, descending=descending)

    def rows(self, ids: Sequence[str]) -> list[HouseholdRow]:
        self.row_requests.append(len(ids))
        with self.store.session() as s:
            return search.household_rows(s, ids)


def test_household_model_fetches_pages_lazily(demo_store: Store) -> None:
    source = Source(demo_store)
    model = HouseholdTableModel(source, page_size=50)
    model.refresh()
    assert model.rowCount() == 300 and model.columnCount() == len(COLUMNS)
    assert source.row_requests == []  # ids only, no rows yet
    first = model.index(0, COL_HEAD).data()
    assert first and source.row_requests == [50]
    model.index(49, COL_HEAD).data()
    assert source.row_requests == [50]  # same page
    model.index(250, COL_HEAD).data()
    assert source.row_requests == [50, 50]
    row = model.index(3, 0).data(RowRole)
    assert isinstance(row, HouseholdRow) and model.index(3, 0).data(IdRole) == row.id
    assert "*" in model.index(3, COL_ID).data()  # ID numbers are masked in the list


def test_household_model_sorts_and_filters_in_sql(demo_store: Store) -> None:
    source = Source(demo_store)
    model = HouseholdTableModel(source)
    model.refresh()
    assert model.headerData(COL_INCOME, Qt.Orientation.Horizontal, SortRole) == "per_capita"
    model.sort(COL_INCOME, Qt.SortOrder.DescendingOrder)
    incomes = [model.index(r, COL_INCOME).data(RowRole).net_income_per_capita
               for r in range(model.rowCount())]
    known = [i for i in incomes if i is not None]
    assert known == sorted(known, reverse=True)
    model.sort(COL_ID)  # not sortable: nothing changes
    assert model.sort_key == "per_capita"
    village = model.index(0, 0).data(RowRole).village_code
    model.set_filter(HouseholdFilter(village_code=village, group_no=1))
    assert 0 < model.rowCount() < 300
    assert {model.index(r, COL_GROUP).data() for r in range(model.rowCount())} == {"1组"}


def test_sorting_asks_the_owner_to_query_again(demo_store: Store) -> None:
    """With `requery` (the window: its search in the DB worker) a sort never reads ids
    itself; the owner hands them back through set_ids."""
    source = Source(demo_store)
    asked: list[tuple[str, bool]] = []
    model = HouseholdTableModel(source, requery=lambda: asked.append(
        (model.sort_key, model.descending)))
    model.sort(0)  # the order it already has: nothing to ask
    model.sort(COL_SIZE, Qt.SortOrder.DescendingOrder)
    assert asked == [("size", True)] and model.rowCount() == 0 and source.row_requests == []


def test_a_long_list_grows_in_place(demo_store: Store) -> None:
    """The window shows a long list's first page, then the whole list: rows are appended
    (the view keeps its place and selection) unless the list changed meanwhile."""
    source = Source(demo_store)
    model = HouseholdTableModel(source, page_size=50)
    with demo_store.session() as s:
        every = search.household_ids(s, HouseholdFilter())
    model.set_ids(every[:50])
    first = model.index(0, COL_HEAD).data()
    resets: list[int] = []
    inserted: list[tuple[int, int]] = []
    model.modelReset.connect(lambda: resets.append(model.rowCount()))
    model.rowsInserted.connect(lambda _parent, a, b: inserted.append((a, b)))
    model.extend_ids(every)
    assert (resets, inserted) == ([], [(50, 299)]) and model.ids() == every
    assert model.index(0, COL_HEAD).data() == first and source.row_requests == [50]
    model.extend_ids(every[::-1])  # not the list shown: shown anew
    assert resets == [300] and model.ids() == every[::-1]
