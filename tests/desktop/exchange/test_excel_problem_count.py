"""The problem list of a refused import says how many problems there are in all, not how
many it lists (the import lists the first 1,000 and counts the rest)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from desktop.exchange.excel_problems import ImportProblemsDialog
from reports.excel.import_report import ImportReport
from reports.excel.problems import CellProblem


def test_the_heading_counts_the_problems_not_listed(qtbot: QtBot, tmp_path: Path) -> None:
    listed = [CellProblem("农户", row, "C", "户主姓名", None, "必填") for row in range(3, 1003)]
    report = ImportReport(tmp_path / "big.xlsx", problems=listed, not_listed=99_000,
                          rows_with_problems=20_000,
                          marked_copy_note="文件太大,没有另存标出错误的副本。")
    dialog = ImportProblemsDialog(report)
    qtbot.addWidget(dialog)
    texts = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert "100000 处错误" in texts and "涉及 20000 行" in texts
    assert "另有 99000 处未列出" in texts and "没有另存" in texts
    assert dialog.table.rowCount() == 1000
