"""Search as the user types, and the tree filtering the table."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from desktop.households.table_model import RowRole
from desktop.main_window import MainWindow
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
