"""The item models with no view (Vorta's habit), and the DB worker."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.household_model import (
    COL_GROUP,
    COL_HEAD,
    COL_ID,
    COL_INCOME,
    COLUMNS,
    HouseholdTableModel,
    IdRole,
    RowRole,
    SortRole,
)
from desktop.member_model import MemberTableModel, column_of
from desktop.worker import DbWorker
from forms.idnumber import check_digit
from registry import search
from registry.progress import Cancelled
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


def test_member_model_derives_sex_and_age() -> None:
    model = MemberTableModel()
    row = model.add_row({"name": "张三", "relation": "01"})
    id_col = column_of("id_number")
    first17 = "51343119800101002"
    assert model.setData(model.index(row, id_col), first17 + check_digit(first17))
    assert model.index(row, column_of("sex")).data() == "女"
    assert model.index(row, column_of("birth_date")).data() == "1980-01-01"
    assert model.index(row, column_of("relation")).data() == "户主"
    assert not model.flags(model.index(row, column_of("age"))) & Qt.ItemFlag.ItemIsEditable
    assert not model.setData(model.index(row, column_of("age")), "5")
    model.set_errors({(row, "name"): "姓名中不能有数字"})
    assert model.index(row, column_of("name")).data(Qt.ItemDataRole.ToolTipRole) == \
        "姓名中不能有数字"
    assert model.raw_rows()[0]["relation"] == "01"


def test_worker_runs_in_order_and_reports_failures(qtbot: QtBot) -> None:
    worker = DbWorker()
    results: list[object] = []
    try:
        worker.submit(lambda p: "first", results.append)
        worker.submit(lambda p: 1 / 0, None, results.append)
        worker.submit(lambda p: "third", results.append)
        qtbot.waitUntil(lambda: len(results) == 3, timeout=5000)
        assert results[0] == "first" and isinstance(results[1], ZeroDivisionError)
        assert results[2] == "third" and worker.pending() == 0
    finally:
        worker.stop()


def test_worker_cancel_reaches_the_work(qtbot: QtBot) -> None:
    worker = DbWorker()
    outcome: list[object] = []

    def long_work(progress: object) -> str:
        import time
        assert callable(progress)
        for i in range(500):
            if not progress(i, 500):
                raise Cancelled()
            time.sleep(0.005)
        return "finished"

    try:
        op = worker.submit(long_work, outcome.append, outcome.append, label="演示",
                           cancellable=True)
        qtbot.wait(50)
        worker.cancel(op)
        qtbot.waitUntil(lambda: bool(outcome), timeout=5000)
        assert isinstance(outcome[0], Cancelled)
    finally:
        worker.stop()


def test_progress_dialog_only_for_long_work_and_its_cancel_button(qtbot: QtBot) -> None:
    import threading

    worker = DbWorker()
    outcome: list[object] = []
    release = threading.Event()
    try:
        worker.submit(lambda p: "quick", outcome.append, label="很快")
        qtbot.waitUntil(lambda: outcome == ["quick"], timeout=5000)
        qtbot.wait(600)
        assert worker._dialogs == {}  # short work shows nothing

        def long_work(progress: object) -> str:
            assert callable(progress)
            for i in range(1000):
                if not progress(i, 1000):
                    raise Cancelled()
                if release.wait(0.01):
                    break
            return "finished"

        worker.submit(long_work, outcome.append, outcome.append, label="正在导入…",
                      cancellable=True)
        qtbot.waitUntil(lambda: bool(worker._dialogs), timeout=3000)
        dialog = next(iter(worker._dialogs.values()))
        assert dialog.labelText() == "正在导入…" and dialog.isVisible()
        qtbot.waitUntil(lambda: dialog.value() > 0, timeout=3000)
        from PySide6.QtWidgets import QPushButton
        button = dialog.findChild(QPushButton)
        assert button is not None and button.text() == "取消"
        button.click()
        qtbot.waitUntil(lambda: len(outcome) == 2, timeout=5000)
        assert isinstance(outcome[1], Cancelled)
        assert worker._dialogs == {}
    finally:
        release.set()
        worker.stop()
