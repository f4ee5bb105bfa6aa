"""Search as the user types, and the tree filtering the table."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from desktop.households.table_model import COL_SIZE, RowRole
from desktop.main_window import FIRST_ROWS, MainWindow
from registry import household_access
from registry import households as hh
from registry.derived import search_text


def _first_head(window: MainWindow) -> tuple[str, str, str]:
    row = window.model.index(0, 0).data(RowRole)
    with window.workspace.store.session() as s:
        members = hh.current_members(hh.get_household(s, row.id))
    head = next(m for m in members if m.relation == "01")
    return row.id, head.name, search_text(head.name, head.id_number)


def test_search_by_pinyin_initials_as_the_user_types(qtbot: QtBot,
                                                     main_window: MainWindow) -> None:
    household_id, name, key = _first_head(main_window)
    initials = key.split("|")[2]
    with qtbot.waitSignal(main_window.search_finished, timeout=5000):
        qtbot.keyClicks(main_window.search_box, initials)
    ids = main_window.model.ids()
    assert household_id in ids
    assert 0 < len(ids) < 300
    assert main_window.found_label.text() == f"找到 {len(ids)} 户"
    for row in range(min(len(ids), 20)):  # every hit has a member with those initials
        hit = main_window.model.index(row, 0).data(RowRole)
        with main_window.workspace.store.session() as s:
            members = hh.current_members(hh.get_household(s, hit.id))
        assert any(initials in search_text(m.name, m.id_number).split("|")[2]
                   for m in members)


def test_search_by_full_pinyin_name_and_id_fragment(qtbot: QtBot,
                                                    main_window: MainWindow) -> None:
    household_id, name, key = _first_head(main_window)
    _, full, _, number = key.split("|")
    for query in (full, number[-8:], name):
        with qtbot.waitSignal(main_window.search_finished, timeout=5000):
            main_window.search_box.setText(query)
        assert household_id in main_window.model.ids(), query
    with qtbot.waitSignal(main_window.search_finished, timeout=5000):
        main_window.search_box.setText("zzzzqqq")
    assert main_window.model.rowCount() == 0
    assert main_window.found_label.text() == "找到 0 户"


def test_tree_filters_the_table(qtbot: QtBot, main_window: MainWindow) -> None:
    root = main_window.tree.root
    assert root is not None
    village = root.child(0)
    count = int(village.text(1))
    with qtbot.waitSignal(main_window.search_finished, timeout=5000):
        main_window.tree.setCurrentItem(village)
    assert main_window.model.rowCount() == count
    names = {main_window.model.index(r, 0).data() for r in range(count)}
    assert names == {village.text(0)}
    group = village.child(0)
    with qtbot.waitSignal(main_window.search_finished, timeout=5000):
        main_window.tree.setCurrentItem(group)
    assert main_window.model.rowCount() == int(group.text(1))


def test_a_header_click_sorts_in_the_db_worker(qtbot: QtBot, main_window: MainWindow,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Sorting runs the window's search in the worker: a county's 200,000 ids are never
    read on the UI thread (the window is not frozen while they are)."""
    def on_the_ui_thread(*_args: object) -> list[str]:
        raise AssertionError("ids read on the UI thread")

    monkeypatch.setattr(main_window.workspace, "ids", on_the_ui_thread)
    header = main_window.table.horizontalHeader()
    x = header.sectionViewportPosition(COL_SIZE) + header.sectionSize(COL_SIZE) // 2
    with qtbot.waitSignal(main_window.search_finished, timeout=10000):
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    model = main_window.model
    assert model.sort_key == "size" and model.rowCount() == 300
    sizes = [model.index(r, 0).data(RowRole).size for r in range(model.rowCount())]
    assert sizes == sorted(sizes, reverse=model.descending) and len(set(sizes)) > 1
    assert main_window.found_label.text() == "共 300 户"


def test_a_long_list_shows_its_first_page_while_the_rest_is_read(
        qtbot: QtBot, main_window: MainWindow) -> None:
    model = main_window.model
    main_window.table.selectRow(3)
    chosen = main_window.selected_household_id()
    seen: list[tuple[str, int] | tuple[str, int, int]] = []
    model.modelReset.connect(lambda: seen.append(("shown", model.rowCount())))
    model.rowsInserted.connect(lambda _parent, a, b: seen.append(("added", a, b)))
    labels: list[str] = []
    model.rowsInserted.connect(lambda *_a: labels.append(main_window.found_label.text()))
    with qtbot.waitSignal(main_window.search_finished, timeout=10000):
        main_window.refresh()
    assert seen == [("shown", FIRST_ROWS), ("added", FIRST_ROWS, 299)]
    assert labels == [f"先列出前 {FIRST_ROWS} 户,正在读取其余…"]
    assert main_window.found_label.text() == "共 300 户"
    assert main_window.selected_household_id() == chosen  # kept through both steps


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts household_access.find_households is asked for (in the worker)."""
    asked: list[str] = []
    real = household_access.find_households

    def find(store: object, f: object, *args: object) -> object:
        asked.append(getattr(f, "text", ""))
        return real(store, f, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(household_access, "find_households", find)
    return asked


def test_a_refresh_reads_the_list_once(qtbot: QtBot, main_window: MainWindow,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Filling the tree chooses its item again without a search of its own (at a county
    each was a read of 200,000 ids)."""
    asked = _counting(monkeypatch)
    with qtbot.waitSignal(main_window.search_finished, timeout=10000):
        main_window.refresh()
    qtbot.waitUntil(lambda: main_window.workspace.worker.pending() == 0, timeout=10000)
    assert asked == [""]


def test_the_worker_skips_searches_the_user_typed_past(qtbot: QtBot, main_window: MainWindow,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    asked = _counting(monkeypatch)
    gate = threading.Event()
    main_window.op("占住", lambda _p: gate.wait(10)).run()  # the worker is busy meanwhile
    for text in ("z", "zh", "zha"):
        main_window.search_box.setText(text)
        main_window.run_search()
    with qtbot.waitSignal(main_window.search_finished, timeout=10000):
        gate.set()
    assert asked == ["zha"]
    assert main_window.found_label.text().startswith(("找到", "匹配太多"))
