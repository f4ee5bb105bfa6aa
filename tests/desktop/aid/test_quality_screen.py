"""数据质量核查 through the window, against a copy of the demo station: the demo checks clean;
with one problem planted per rule (the registry test's planting), the township's check counts
them per rule and village, a click on a count lists only those, a double click opens the
household in the editor, and both report files are written. Screenshots go to
/tmp/fupin-screens."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.aid.actions import AidActions
from desktop.aid.quality_screen import COL_HEAD, QualityDialog
from desktop.households.editor import HouseholdEditor
from desktop.main_window import MainWindow
from desktop.shell import Shell
from forms import quality as q
from registry.quality import QualityReport
from registry.store import Store
from tests.conftest import PASSWORD, TOWNSHIP
from tests.desktop.conftest import log_in
from tests.desktop.conftest import save_screen as _save_screen
from tests.registry.test_quality import _plant as plant


def save_screen(widget: object, tmp_path: Path, name: str) -> Path:
    QApplication.processEvents()
    return _save_screen(widget, tmp_path, name)


def idle(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: window.workspace.worker.pending() == 0, timeout=20000)


def open_quality(qtbot: QtBot, window: MainWindow) -> QualityDialog:
    actions = window.findChild(AidActions)
    assert actions is not None
    with qtbot.waitSignal(actions.opened, timeout=10000) as opened:
        actions.quality_action.trigger()
    dialog = opened.args[0]
    assert isinstance(dialog, QualityDialog)
    return dialog


def run(qtbot: QtBot, dialog: QualityDialog) -> QualityReport:
    with qtbot.waitSignal(dialog.checked, timeout=30000) as done:
        dialog.run_button.click()
    report = done.args[0]
    assert isinstance(report, QualityReport)
    return report


def test_the_demo_checks_clean(qtbot: QtBot, main_window: MainWindow, tmp_path: Path
                               ) -> None:
    dialog = open_quality(qtbot, main_window)
    assert dialog.scope.itemData(0) == TOWNSHIP and dialog.scope.count() > 2
    report = run(qtbot, dialog)
    assert report.problems == [] and report.households == 300
    assert "未发现问题" in dialog.summary.text()
    assert dialog.model.rowCount() == 0
    save_screen(dialog, tmp_path, "quality-01-demo-clean")


def test_planted_problems_are_counted_listed_and_opened(
        qtbot: QtBot, station_copy: Path, shell_factory: list[Shell], tmp_path: Path) -> None:
    with Store.open(station_copy, "admin", PASSWORD) as store:
        plants = plant(store)
    shell = Shell(station_copy)
    shell_factory.append(shell)
    window = log_in(qtbot, shell)
    dialog = open_quality(qtbot, window)
    report = run(qtbot, dialog)
    idle(qtbot, window)
    found = {p.rule for p in report.problems}
    assert found == set(plants) == set(q.RULE)
    assert dialog.model.rowCount() == len(report.problems)
    assert "错误" in dialog.summary.text() and "提醒" in dialog.summary.text()

    # The counts: one row per rule (and 合计), one column per village with a problem.
    counts = dialog.counts
    assert counts.rowCount() == len(q.RULES) + 1
    total_col = counts.columnCount() - 1
    assert counts.item(len(q.RULES), total_col).text() == str(len(report.problems))
    for r, rule in enumerate(q.RULES):
        assert counts.item(r, 1).text() == rule.severity_name
        assert int(counts.item(r, total_col).text()) == sum(
            1 for p in report.problems if p.rule == rule.key)
    dialog.resize(1280, 760)
    save_screen(dialog, tmp_path, "quality-02-planted")

    # A click on the no_helper row's total lists only those problems.
    row = [r.key for r in q.RULES].index("no_helper")
    counts.cellClicked.emit(row, total_col)
    assert dialog.model.rowCount() == len(plants["no_helper"])
    assert "没有帮扶责任人" in dialog.listing.text()
    assert dialog.show_all.isEnabled()
    save_screen(dialog, tmp_path, "quality-03-one-rule")

    # A double click opens that household in the editor.
    problem = dialog.model.problem(0)
    with qtbot.waitSignal(window.editor_opened, timeout=10000) as opened:
        dialog.problems.doubleClicked.emit(dialog.model.index(0, COL_HEAD))
    editor = opened.args[0]
    assert isinstance(editor, HouseholdEditor) and editor.household_id == problem.household_id
    editor.discard()
    idle(qtbot, window)

    dialog.show_all.click()
    assert dialog.model.rowCount() == len(report.problems)

    # Both report files.
    for suffix in ("xlsx", "pdf"):
        out = tmp_path / f"质量.{suffix}"
        with qtbot.waitSignal(dialog.exported, timeout=30000):
            dialog.write(out)
        assert out.stat().st_size > 0
    book = load_workbook(tmp_path / "质量.xlsx", read_only=True)
    assert len(book.sheetnames) >= 2
    assert (tmp_path / "质量.pdf").read_bytes().startswith(b"%PDF")
    idle(qtbot, window)


def test_a_village_is_checked_alone(qtbot: QtBot, main_window: MainWindow) -> None:
    dialog = open_quality(qtbot, main_window)
    dialog.scope.setCurrentIndex(1)
    village = dialog.scope_code()
    report = run(qtbot, dialog)
    assert report.scope == village and 0 < report.households < 300
