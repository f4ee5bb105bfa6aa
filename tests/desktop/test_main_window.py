"""The main window's registration point for other features, and keyboard paths."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from pytestqt.qtbot import QtBot

from desktop.main_window import MENUS, MainWindow


def test_other_features_add_their_actions(qtbot: QtBot, main_window: MainWindow) -> None:
    assert [m.title() for m in main_window.menuBar().findChildren(type(main_window.menu("打印")))
            if m.title() in MENUS] == list(MENUS)
    fired: list[bool] = []
    action = QAction("打印预览…", main_window)
    action.setShortcut("Ctrl+P")
    action.triggered.connect(lambda: fired.append(True))
    assert main_window.add_action("打印", action, toolbar=True) is action
    assert action in main_window.menu("打印").actions()
    assert action in main_window.toolbar.actions()
    qtbot.keyClick(main_window.table, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert fired == [True]
    main_window.lock()
    assert not action.isEnabled()  # locked: no feature runs
    with pytest.raises(KeyError):
        main_window.add_action("报表", QAction("x", main_window))


def test_search_box_down_key_goes_to_the_table_and_enter_edits(
        qtbot: QtBot, main_window: MainWindow) -> None:
    main_window.search_box.setFocus()
    with qtbot.waitSignal(main_window.search_finished, timeout=5000):
        qtbot.keyClick(main_window.search_box, Qt.Key.Key_Down)
    assert main_window.selected_household_id() is not None
    with qtbot.waitSignal(main_window.editor_opened, timeout=5000) as opened:
        qtbot.keyClick(main_window.table, Qt.Key.Key_Return)
    editor = opened.args[0]
    assert editor.household_id == main_window.selected_household_id()
    # 脱贫状态 and its year come from the exit steps (schema 4): shown, never typed.
    assert "poverty_status" not in editor.inputs and "exit_year" not in editor.inputs
    assert editor.derived["poverty_status"].text() in ("未脱贫", "脱贫", "返贫")


def test_alt_number_jumps_to_a_section(qtbot: QtBot, main_window: MainWindow) -> None:
    with qtbot.waitSignal(main_window.editor_opened, timeout=5000) as opened:
        main_window.new_action.trigger()
    editor = opened.args[0]
    qtbot.waitUntil(lambda: editor.focusWidget() is not None, timeout=3000)
    qtbot.keyClick(editor.focusWidget(), Qt.Key.Key_5, Qt.KeyboardModifier.AltModifier)
    assert editor.tabs.currentIndex() == 4
    assert editor.inputs["main_cause"].widget.isVisible()


def test_villages_dialog_renames_and_adds_groups(qtbot: QtBot, main_window: MainWindow
                                                 ) -> None:
    from desktop.households.village_editor import VillagesDialog

    dialog = VillagesDialog(main_window.workspace, main_window)
    qtbot.addWidget(dialog)
    dialog.accepted.connect(main_window.refresh)
    qtbot.waitUntil(lambda: dialog.save_button.isEnabled(), timeout=5000)  # villages read
    code = dialog.table.item(0, 0).text()  # type: ignore[union-attr]
    dialog.table.set_village(0, name="尼日新村", groups=12)
    dialog.table.set_village(1, name="")
    dialog.save()
    qtbot.waitUntil(lambda: dialog.error.text() == "村名不能为空", timeout=5000)
    from registry.villages import load_villages
    assert load_villages(main_window.workspace.store)[0].name != "尼日新村"  # all or nothing
    dialog.table.set_village(1, name="火洛村")
    with qtbot.waitSignal(main_window.search_finished, timeout=5000):
        dialog.save()
    main_window.tree.select_place(code, 12)
    assert main_window.tree.current_place() == (code, 12)
    assert main_window.tree.currentItem().parent().text(0) == "尼日新村"  # type: ignore[union-attr]
