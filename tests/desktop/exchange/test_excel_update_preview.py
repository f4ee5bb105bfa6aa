"""从Excel导入并更新已登记的户 through the window: the station's own export with one phone
number changed; the dry run lists that household's change before anything is written;
取消 leaves the store as it was, 确认导入 updates it."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtWidgets import QApplication, QFileDialog
from pytestqt.qtbot import QtBot

from desktop.exchange.excel_actions import ExcelActions
from desktop.exchange.excel_preview import ImportPreviewDialog
from desktop.main_window import MainWindow
from desktop.shell import Shell
from registry import household_access
from registry.search import HouseholdFilter
from registry.store import Store
from reports.excel.columns import HOUSEHOLDS_SHEET
from reports.excel.export import export_households
from tests.conftest import PASSWORD
from tests.desktop.conftest import log_in, save_screen

VILLAGE = "513431102200"
NEW_PHONE = "13900001111"


def _workbook(station: Path, out: Path) -> str:
    """The village exported, the first household's phone changed; returns its id."""
    with Store.open(station, "admin", PASSWORD) as store:
        export_households(store, out, HouseholdFilter(village_code=VILLAGE))
    book = load_workbook(out)
    sheet = book[HOUSEHOLDS_SHEET]
    header_row = next(r for r in range(1, 6)
                      if "联系电话" in [c.value for c in sheet[r]])
    headers = [c.value for c in sheet[header_row]]
    sheet.cell(header_row + 1, headers.index("联系电话") + 1, NEW_PHONE)
    book.save(out)
    with Store.open(station, "admin", PASSWORD) as store:
        hits = household_access.find_households(store, HouseholdFilter(village_code=VILLAGE))
        return str(hits.ids[0])


def _phone(window: MainWindow, household_id: str) -> str | None:
    detail = household_access.household_detail(window.workspace.store, household_id)
    return detail.values.get("phone")


def test_update_import_lists_the_changes_then_commits_only_when_confirmed(
        qtbot: QtBot, station_copy: Path, shell_factory: list[Shell], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "更新.xlsx"
    _workbook(station_copy, path)
    shell = Shell(station_copy)
    shell_factory.append(shell)
    window = log_in(qtbot, shell)
    actions = window.findChild(ExcelActions)
    assert actions is not None
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *a, **k: (str(path), "")))

    def preview() -> ImportPreviewDialog:
        with qtbot.waitSignal(actions.preview_shown, timeout=60000) as shown:
            actions.update_action.trigger()
        dialog = shown.args[0]
        assert isinstance(dialog, ImportPreviewDialog)
        return dialog

    dialog = preview()
    items = [dialog.changes.topLevelItem(i) for i in range(dialog.changes.topLevelItemCount())]
    lines = [it.child(j).text(0) for it in items if it for j in range(it.childCount())]
    assert any(NEW_PHONE in line for line in lines), lines
    assert len(items) == 1  # only the changed household
    QApplication.processEvents()
    save_screen(dialog, tmp_path, "excel-update-preview")
    changed = [p for p in lines if NEW_PHONE in p]
    dialog.cancel_button.click()
    qtbot.waitUntil(lambda: window.workspace.worker.pending() == 0)
    ids = household_access.find_households(window.workspace.store,
                                           HouseholdFilter(village_code=VILLAGE)).ids
    assert all(_phone(window, i) != NEW_PHONE for i in ids[:40])

    dialog = preview()
    with qtbot.waitSignal(actions.imported, timeout=60000) as imported:
        dialog.confirm_button.click()
    report = imported.args[0]
    assert report.ok and not report.dry_run and len(report.changes) == 1
    assert changed
    assert any(_phone(window, i) == NEW_PHONE for i in ids[:40])
