"""The household editor driven from the keyboard, errors beside fields, edit and save."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from desktop.households.editor import HouseholdEditor
from desktop.households.member_model import column_of
from desktop.main_window import MainWindow
from desktop.shell import Shell
from forms.idnumber import check_digit
from registry import households as hh
from registry.search import HouseholdFilter, search_households
from registry.store import Store
from tests.conftest import PASSWORD
from tests.desktop.conftest import log_in, save_screen

VILLAGE = "513431102200"  # 尼日村


def idn(first17: str) -> str:
    return first17 + check_digit(first17)


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def open_new_editor(qtbot: QtBot, window: MainWindow) -> HouseholdEditor:
    window.tree.select_place(VILLAGE, 2)
    with qtbot.waitSignal(window.editor_opened, timeout=5000) as opened:
        qtbot.keyClick(window.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    editor = opened.args[0]
    assert isinstance(editor, HouseholdEditor)
    qtbot.waitUntil(lambda: focused() is editor.inputs["village_code"].widget.lineEdit()
                    or focused() is editor.inputs["village_code"].widget)
    return editor


def type_member(qtbot: QtBot, editor: HouseholdEditor, name: str, id_number: str,
                relation: str, ethnicity: str) -> None:
    """Ctrl+M, then 姓名 Tab 身份证号 Tab 关系 Tab 民族 Tab — only the keyboard (Chinese goes
    in with insert(): qtbot cannot type non-ASCII keys)."""
    qtbot.keyClick(focused(), Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    name_editor = focused()
    assert isinstance(name_editor, QLineEdit)
    name_editor.insert(name)
    qtbot.keyClick(name_editor, Qt.Key.Key_Tab)
    qtbot.keyClicks(focused(), id_number)
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    qtbot.keyClicks(focused(), relation)
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    qtbot.keyClicks(focused(), ethnicity)
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)


def test_new_household_with_three_members_from_the_keyboard(
        qtbot: QtBot, main_window: MainWindow, station_copy: Path, tmp_path: Path) -> None:
    editor = open_new_editor(qtbot, main_window)
    assert editor.inputs["village_code"].raw() == VILLAGE
    assert editor.inputs["group_no"].raw() == "2"
    # 基本情况: Tab from the village to 组, 电话.
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    qtbot.keyClicks(focused(), "13800001111")
    assert editor.inputs["phone"].raw() == "13800001111"

    type_member(qtbot, editor, "吉克石一", idn("51343119800101001"), "01", "07")
    type_member(qtbot, editor, "阿苦莫", idn("51343119820202002"), "02", "07")
    type_member(qtbot, editor, "吉克小明", idn("51343120100303003"), "03", "07")
    rows = editor.members.raw_rows()
    assert [r["name"] for r in rows] == ["吉克石一", "阿苦莫", "吉克小明"]
    assert [r["relation"] for r in rows] == ["01", "02", "03"]
    assert [r["ethnicity"] for r in rows] == ["07", "07", "07"]
    # Derived values are shown, not typed.
    assert editor.members.index(2, column_of("sex")).data() == "男"
    assert editor.derived["household_size"].text() == "3"
    assert editor.derived["head_name"].text() == "吉克石一"

    # Saving without 主要致贫原因 is refused beside that field.
    qtbot.keyClick(focused(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert editor.isVisible()
    assert editor.errors["main_cause"].text() == "请选择主要致贫原因"
    assert focused() is editor.inputs["main_cause"].widget.lineEdit() or \
        focused() is editor.inputs["main_cause"].widget
    qtbot.keyClicks(focused(), "01")  # 因病, found by its code
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    qtbot.keyClicks(focused(), "")
    editor.inputs["income_wage"].widget.setFocus()
    qtbot.keyClicks(focused(), "6000")
    assert editor.derived["net_income_per_capita"].text() == "2,000.00"
    save_screen(editor, tmp_path, "editor")

    with qtbot.waitSignal(editor.saved, timeout=10000) as saved:
        qtbot.keyClick(focused(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    household_id = saved.args[0]
    qtbot.waitUntil(lambda: main_window.selected_household_id() == household_id, timeout=5000)

    main_window.workspace.store.close()
    with Store.open(station_copy, "admin", PASSWORD) as store, store.session() as s:
        row = hh.get_household(s, household_id)
        assert row.head_name == "吉克石一" and row.size == 3 and row.group_no == 2
        assert row.main_cause == "01" and row.phone == "13800001111"
        assert sorted(m.name for m in row.members) == ["吉克小明", "吉克石一", "阿苦莫"]


def test_invalid_id_number_is_shown_beside_its_cell(qtbot: QtBot, main_window: MainWindow
                                                    ) -> None:
    editor = open_new_editor(qtbot, main_window)
    type_member(qtbot, editor, "张三", "513431198001010019", "01", "01")  # wrong check digit
    qtbot.waitUntil(lambda: bool(editor.members.errors()), timeout=3000)
    error = editor.members.index(0, column_of("id_number")).data(Qt.ItemDataRole.ToolTipRole)
    assert "校验" in error or "身份证" in error
    assert "第1行 身份证号码" in editor.member_errors.text()
    assert editor.members.index(0, column_of("sex")).data() == ""
    # Household fields show their own messages as the user types.
    editor.tabs.setCurrentIndex(0)
    qtbot.keyClicks(editor.inputs["phone"].widget, "123")
    qtbot.waitUntil(lambda: editor.errors["phone"].isVisible(), timeout=3000)
    assert "联系电话" in editor.errors["phone"].text()
    # Saving is refused; the store is untouched.
    before = main_window.model.rowCount()
    editor.save()
    assert editor.isVisible()
    assert main_window.model.rowCount() == before


def test_edit_and_save_then_reopen(qtbot: QtBot, main_window: MainWindow, station_copy: Path,
                                   shell_factory: list[Shell]) -> None:
    main_window.table.setFocus()
    main_window.table.selectRow(0)
    household_id = main_window.selected_household_id()
    assert household_id
    with qtbot.waitSignal(main_window.editor_opened, timeout=5000) as opened:
        qtbot.keyClick(main_window.table, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    editor = opened.args[0]
    phone = editor.inputs["phone"].widget
    phone.setFocus()
    phone.selectAll()
    qtbot.keyClicks(phone, "13912345678")
    note = editor.inputs["note"].widget
    note.setFocus()
    note.insertPlainText("已核实住房情况")
    with qtbot.waitSignal(editor.saved, timeout=10000):
        qtbot.keyClick(note, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    shell_factory[0].close()

    reopened = Shell(station_copy)
    shell_factory.append(reopened)
    window = log_in(qtbot, reopened)
    qtbot.waitUntil(lambda: window.select_household(household_id), timeout=5000)
    with window.workspace.store.session() as s:
        row = hh.get_household(s, household_id)
        assert row.phone == "13912345678"
        assert row.note == "已核实住房情况"


def test_cancel_asks_before_discarding(qtbot: QtBot, main_window: MainWindow,
                                       monkeypatch: object) -> None:
    editor = open_new_editor(qtbot, main_window)
    qtbot.keyClick(focused(), Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    name = focused()
    assert isinstance(name, QLineEdit)
    name.insert("王五")
    qtbot.keyClick(name, Qt.Key.Key_Tab)
    asked: list[str] = []

    def keep(*args: object) -> QMessageBox.StandardButton:
        asked.append(str(args[2]))
        return QMessageBox.StandardButton.Cancel

    import pytest
    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.setattr(QMessageBox, "question", keep)
    editor.reject()
    assert asked and editor.isVisible()
    assert editor.members.raw_rows()[0]["name"] == "王五"
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a: QMessageBox.StandardButton.Discard)
    editor.reject()
    assert not editor.isVisible()
    with main_window.workspace.store.session() as s:
        assert not search_households(s, HouseholdFilter(text="王五"))


def test_editing_keeps_members_who_left(qtbot: QtBot, main_window: MainWindow) -> None:
    store = main_window.workspace.store
    with store.transaction() as s:
        household_id = next(
            h.id for h in search_households(s, HouseholdFilter(), limit=50) if h.size >= 3)
        row = hh.get_household(s, household_id)
        members = [hh.member_values(m) for m in hh.current_members(row)]
        leaver = next(m for m in members if m["relation"] != "01")
        leaver["change_reason"] = "1"  # 死亡
        hh.save_household(s, "admin", hh.household_values(row), members, household_id)
    main_window.refresh()
    qtbot.waitUntil(lambda: main_window.select_household(household_id), timeout=5000)
    with qtbot.waitSignal(main_window.editor_opened, timeout=5000) as opened:
        main_window.edit_action.trigger()
    editor = opened.args[0]
    assert leaver["name"] not in [r["name"] for r in editor.members.raw_rows()]
    editor.inputs["phone"].widget.setText("13700001111")
    with qtbot.waitSignal(editor.saved, timeout=10000):
        editor.save()
    with store.session() as s:
        row = hh.get_household(s, household_id)
        kept = next(m for m in row.members if m.id == leaver["id"])
        assert not kept.deleted and kept.change_reason == "1"
        assert row.phone == "13700001111"


def test_id_number_registered_elsewhere_is_refused_by_the_store(
        qtbot: QtBot, main_window: MainWindow) -> None:
    with main_window.workspace.store.session() as s:
        other = search_households(s, HouseholdFilter(), limit=1)[0]
    assert other.head_id_number
    editor = open_new_editor(qtbot, main_window)
    type_member(qtbot, editor, "李四", other.head_id_number, "01", "01")
    editor.inputs["main_cause"].set_value("01")
    editor.save()
    qtbot.waitUntil(lambda: not editor._saving, timeout=30000)
    assert editor.isVisible()
    message = editor.members.index(0, column_of("id_number")).data(
        Qt.ItemDataRole.ToolTipRole)
    assert "已登记" in message and "同一人不能重复登记" in message
    assert "第1行 身份证号码" in editor.member_errors.text()


def test_delete_asks_for_a_reason(qtbot: QtBot, main_window: MainWindow,
                                  monkeypatch: object) -> None:
    import pytest
    from PySide6.QtWidgets import QInputDialog
    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    main_window.table.selectRow(0)
    household_id = main_window.selected_household_id()
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("重复建档", True))
    with qtbot.waitSignal(main_window.search_finished, timeout=10000):
        main_window.delete_action.trigger()
    assert household_id not in main_window.model.ids()
    assert main_window.model.rowCount() == 299
