"""The 数据交换 menu's Excel commands driven through the real window: export of what the
table shows (read back with openpyxl), the template, a good import (households appear), a
bad one (the problem list and the marked copy, nothing imported), a malformed file."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QLabel, QMessageBox
from pytestqt.qtbot import QtBot

from desktop.exchange.excel_actions import ExcelActions, install
from desktop.exchange.excel_problems import ImportProblemsDialog
from desktop.main_window import MainWindow
from reports.excel.columns import HOUSEHOLDS_SHEET, MEMBERS_SHEET
from reports.excel.template import INSTRUCTIONS_SHEET
from tests.desktop.conftest import save_screen
from tests.reports.excel_fill import family, fill, household, idn, member


def _actions(window: MainWindow) -> ExcelActions:
    if window.findChild(ExcelActions) is None:  # the shell installs it; a bare window does not
        install(window)
    actions = window.findChild(ExcelActions)
    assert actions is not None
    return actions


def _choose(monkeypatch: pytest.MonkeyPatch, method: str, path: Path) -> None:
    monkeypatch.setattr(QFileDialog, method, lambda *_a, **_k: (str(path), ""))


def _shown_boxes(window: MainWindow) -> list[str]:
    return [b.text() for b in window.findChildren(QMessageBox) if b.isVisible()]


def _search(qtbot: QtBot, window: MainWindow, text: str) -> int:
    with qtbot.waitSignal(window.search_finished, timeout=10000) as found:
        window.search_box.setText(text)
        window.run_search()
    return int(found.args[0])


def test_export_writes_what_the_table_shows(qtbot: QtBot, main_window: MainWindow,
                                            tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    actions = _actions(main_window)
    root = main_window.tree.root
    assert root is not None
    village_item = root.child(0)
    assert village_item is not None
    with qtbot.waitSignal(main_window.search_finished, timeout=10000) as found:
        main_window.tree.setCurrentItem(village_item)
    shown = int(found.args[0])
    assert 0 < shown < 300
    _choose(monkeypatch, "getSaveFileName", tmp_path / "导出")  # .xlsx is added
    with qtbot.waitSignal(actions.exported, timeout=60000) as exported:
        actions.export_action.trigger()
    report = exported.args[0]
    path = tmp_path / "导出.xlsx"
    assert report.path == path and report.households == shown
    wb = load_workbook(path, read_only=True)
    rows = list(wb[HOUSEHOLDS_SHEET].iter_rows(min_row=2, values_only=True))
    assert len(rows) == shown
    assert {r[1] for r in rows} == {village_item.text(0)}  # 行政村 column: its name
    members = list(wb[MEMBERS_SHEET].iter_rows(min_row=2, values_only=True))
    assert len(members) == report.members > shown
    qtbot.waitUntil(lambda: any("已导出" in t for t in _shown_boxes(main_window)))


def test_template_is_saved_with_the_station_villages(qtbot: QtBot, main_window: MainWindow,
                                                     tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    actions = _actions(main_window)
    _choose(monkeypatch, "getSaveFileName", tmp_path / "模板.xlsx")
    with qtbot.waitSignal(actions.template_written, timeout=30000):
        actions.template_action.trigger()
    wb = load_workbook(tmp_path / "模板.xlsx")
    assert {INSTRUCTIONS_SHEET, HOUSEHOLDS_SHEET, MEMBERS_SHEET} <= set(wb.sheetnames)
    assert wb[HOUSEHOLDS_SHEET].max_row >= 1


def test_good_workbook_imports_and_the_households_appear(
        qtbot: QtBot, main_window: MainWindow, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    actions = _actions(main_window)
    before = _search(qtbot, main_window, "")
    # seq 40, 41: ID numbers the demo's random ones do not use
    people = family(1, 40) + family(2, 41)
    path = fill(tmp_path / "好的.xlsx", [household(1), household(2, 村民小组=3)], people)
    _choose(monkeypatch, "getOpenFileName", path)
    with qtbot.waitSignal(actions.imported, timeout=60000) as imported:
        actions.import_action.trigger()
    report = imported.args[0]
    assert report.ok and (report.households, report.members) == (2, 4)
    qtbot.waitUntil(lambda: main_window.found_label.text() == f"共 {before + 2} 户",
                    timeout=10000)
    assert any("已导入 2 户、4 人" in t for t in _shown_boxes(main_window))
    head = people[0]["姓名"]
    assert _search(qtbot, main_window, head) >= 1
    assert actions.problems is None


def test_bad_workbook_lists_the_problems_and_imports_nothing(
        qtbot: QtBot, main_window: MainWindow, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    actions = _actions(main_window)
    before = _search(qtbot, main_window, "")
    households = [household(1), household(2, 贫困户属性="特困户", 耕地面积="两亩")]
    people = (family(1, 42)
              + [member(2, "吉克木呷", idn("51343119700101091")[:17] + "0"),  # check digit
                 member(9, "无户", idn("51343119800101051"))])  # no such 户编号
    path = fill(tmp_path / "有错.xlsx", households, people)
    _choose(monkeypatch, "getOpenFileName", path)
    with qtbot.waitSignal(actions.problems_shown, timeout=60000) as shown:
        actions.import_action.trigger()
    dialog = shown.args[0]
    assert isinstance(dialog, ImportProblemsDialog)
    report = dialog.report
    assert not report.ok and report.households == 0
    assert dialog.table.rowCount() == len(report.problems) == 4
    table = dialog.table
    cells = [[getattr(table.item(r, c), "text", str)() for c in range(5)]
             for r in range(table.rowCount())]
    assert [row[:2] for row in cells] == [["农户", "3"], ["农户", "3"], ["家庭成员", "4"],
                                          ["家庭成员", "5"]]
    messages = " ".join(row[4] for row in cells)
    assert "不是贫困户属性的可选项" in messages and "校验位" in messages
    assert "没有户编号为“9”" in messages
    assert any(row[3] == "特困户" for row in cells)
    marked = tmp_path / "有错.errors.xlsx"
    assert report.marked_copy == marked and marked.exists()
    assert any(str(marked) in label.text() for label in dialog.findChildren(QLabel))
    opened: list[str] = []

    def open_url(url: QUrl) -> bool:
        opened.append(QUrl(url).toLocalFile())
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", open_url)
    assert dialog.open_button.isEnabled()
    dialog.open_button.click()
    dialog.folder_button.click()
    assert opened == [str(marked), str(tmp_path)]
    save_screen(dialog, tmp_path, "excel-import-problems")
    dialog.close()
    assert _search(qtbot, main_window, "") == before  # nothing imported


def test_not_a_workbook_gets_its_message(qtbot: QtBot, main_window: MainWindow,
                                         tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    actions = _actions(main_window)
    path = tmp_path / "名单.xlsx"
    path.write_text("户主,人口\n张三,3\n", encoding="utf-8")
    _choose(monkeypatch, "getOpenFileName", path)
    with qtbot.waitSignal(actions.failed, timeout=30000) as failed:
        actions.import_action.trigger()
    assert "名单.xlsx" in failed.args[0] and "没有导入任何数据" in failed.args[0]
    assert actions.problems is None
