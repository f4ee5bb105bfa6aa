"""What a refused Excel import shows: every bad cell (sheet, row, column, what is wrong) and
the marked copy of the workbook to open and correct."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.look import icon
from reports.excel.importing import ImportReport
from reports.excel.problems import CellProblem


def open_path(path: Path) -> bool:
    """Opens a file or folder with the system's program (Excel, the file manager)."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def _value_text(value: object) -> str:
    return "" if value is None else str(value)


class ImportProblemsDialog(QDialog):
    """Every bad cell of a refused import (sheet, row, column, what is wrong), and the
    marked copy of the workbook to open and correct."""

    def __init__(self, report: ImportReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report = report
        self.setObjectName("importProblems")
        self.setWindowTitle("从Excel导入 — 发现错误,未导入")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        # The report lists the first problems and counts the rest (reports/excel/limits.py).
        bad_rows = max(report.rows_with_problems,
                       len({(p.sheet, p.row) for p in report.problems}))
        heading = QLabel(f"“{report.source.name}”中有 {report.problem_count} 处错误,涉及 "
                         f"{bad_rows} 行。为保证数据完整,一户也没有导入。", self)
        heading.setProperty("role", "title")
        heading.setWordWrap(True)
        hint_text = "请按下表改正后重新导入。"
        if report.not_listed:
            hint_text += (f"下表列出前 {len(report.problems)} 处,另有 {report.not_listed} "
                          "处未列出(改正后重新导入时会再列出)。")
        if report.marked_copy:
            hint_text += (f"已另存一份标出错误单元格(红底,批注写明原因)的副本:"
                          f"{report.marked_copy}")
        elif report.marked_copy_note:
            hint_text += report.marked_copy_note
        hint = QLabel(hint_text, self)
        hint.setProperty("role", "hint")
        hint.setWordWrap(True)
        hint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.table = QTableWidget(len(report.problems), 5, self)
        self.table.setObjectName("problemTable")
        self.table.setHorizontalHeaderLabels(["工作表", "行", "列", "填写的内容", "问题"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)  # one line a problem; the tooltip has all of it
        self.table.verticalHeader().setDefaultSectionSize(26)
        for r, p in enumerate(report.problems):
            self._fill_row(r, p)
        header = self.table.horizontalHeader()
        for column, width in enumerate((70, 50, 150, 150)):
            self.table.setColumnWidth(column, width)
        header.setStretchLastSection(True)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)

        buttons = QDialogButtonBox(self)
        self.open_button = QPushButton(icon("excel"), "打开标记副本", self)
        self.folder_button = QPushButton("打开所在文件夹", self)
        for b in (self.open_button, self.folder_button):
            b.setEnabled(report.marked_copy is not None)
            buttons.addButton(b, QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        close.setDefault(True)
        close.setFocus()
        self.open_button.clicked.connect(self.open_marked_copy)
        self.folder_button.clicked.connect(self.open_folder)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(hint)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(900, 520)

    def _fill_row(self, r: int, p: CellProblem) -> None:
        column = f"{p.column}({p.header})" if p.header else p.column
        for c, text in enumerate((p.sheet, str(p.row), column, _value_text(p.value),
                                  p.message)):
            item = QTableWidgetItem(text)
            if c == 1:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                      | Qt.AlignmentFlag.AlignVCenter)
            item.setToolTip(text)
            self.table.setItem(r, c, item)

    def open_marked_copy(self) -> bool:
        return self.report.marked_copy is not None and open_path(self.report.marked_copy)

    def open_folder(self) -> bool:
        return self.report.marked_copy is not None and open_path(self.report.marked_copy.parent)
