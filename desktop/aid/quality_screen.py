"""数据质量核查: choose the scope (a village or the township; at a county the county or a
township), run every rule of forms/quality.py in the DB worker with progress, see the
problems counted per rule × village (错误 for hard rules, 提醒 for soft ones) and listed
household by household. A click on a count shows only those problems; a double click on a
problem opens the household in the editor. 导出Excel / 导出PDF write the same report
through reports/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSettings,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.errors.dialog import show_failure
from desktop.main_window import MainWindow
from desktop.widgets.labels import hint
from desktop.widgets.tables import count_item, plain_table
from forms import quality as q
from registry import failures, quality_access
from registry.progress import Progress
from registry.quality import Problem, QualityReport
from registry.quality_access import Scope
from reports.excel.quality import write_quality_book
from reports.pdf.quality import print_quality

PROBLEM_HEADERS = ("行政村", "户主", "户主身份证号", "类别", "问题", "说明")
COL_VILLAGE, COL_HEAD, COL_ID, COL_SEVERITY, COL_RULE, COL_MESSAGE = range(6)
HARD_COLOR = QColor("#c62f2f")
SOFT_COLOR = QColor("#a86a00")
DIR_KEY = "quality/dir"
IdRole = Qt.ItemDataRole.UserRole + 1
_ROOT = QModelIndex()


def _severity_color(rule: str) -> QColor:
    return HARD_COLOR if q.RULE[rule].severity == q.HARD else SOFT_COLOR


class ProblemModel(QAbstractTableModel):
    """The problems shown (all, or those of one rule and/or village)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Problem] = []
        self.village_names: dict[str, str] = {}

    def set_rows(self, rows: list[Problem], village_names: dict[str, str]) -> None:
        self.beginResetModel()
        self._rows = rows
        self.village_names = village_names
        self.endResetModel()

    def problem(self, row: int) -> Problem:
        return self._rows[row]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(PROBLEM_HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return PROBLEM_HEADERS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        p = self._rows[index.row()]
        col = index.column()
        rule = q.RULE[p.rule]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return (self.village_names.get(p.village_code, p.village_code),
                    p.head_name or "(无户主)", p.head_id_number, rule.severity_name,
                    rule.title, p.message)[col]
        if role == Qt.ItemDataRole.ForegroundRole and col == COL_SEVERITY:
            return _severity_color(p.rule)
        if role == IdRole:
            return p.household_id
        return None


class QualityDialog(QDialog):
    """The 数据质量核查 window (one per main window: 帮扶管理 → 数据质量核查…)."""

    checked = Signal(object)  # the QualityReport shown
    exported = Signal(str)  # the file written

    def __init__(self, main: MainWindow, scopes: list[Scope], current: str | None = None
                 ) -> None:
        super().__init__(main)
        self.main = main
        self.store = main.workspace.store
        self.report: QualityReport | None = None
        self.filter: tuple[str | None, str | None] = (None, None)  # rule, village
        self.setObjectName("qualityDialog")
        self.setWindowTitle("数据质量核查")
        self.resize(1180, 720)

        self.scope = QComboBox(self)
        self.scope.setObjectName("qualityScope")
        self.scope.setMinimumWidth(220)
        for s in scopes:
            prefix = {"county": "全县:", "township": "全乡镇:" if s is scopes[0] else "乡镇:",
                      "village": "村:"}.get(s.level, "")
            self.scope.addItem(f"{prefix}{s.name}", s.code)
        if current:
            self.scope.setCurrentIndex(max(0, self.scope.findData(current)))
        self.run_button = QPushButton("开始核查", self)
        self.run_button.setObjectName("qualityRun")
        self.run_button.clicked.connect(self.run_check)
        self.summary = QLabel("选择范围后点“开始核查”。", self)
        self.summary.setObjectName("qualitySummary")
        top = QHBoxLayout()
        top.addWidget(QLabel("核查范围", self))
        top.addWidget(self.scope)
        top.addWidget(self.run_button)
        top.addSpacing(12)
        top.addWidget(self.summary, 1)

        self.counts = plain_table(self, ["问题", "类别", "合计"])
        self.counts.setObjectName("qualityCounts")
        self.counts.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.counts.cellClicked.connect(self._count_clicked)
        self.counts.setToolTip("点击数字,下面只列出这一类问题(或这个村的问题)")

        self.model = ProblemModel(self)
        self.problems = QTableView(self)
        self.problems.setObjectName("qualityProblems")
        self.problems.setModel(self.model)
        self.problems.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.problems.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.problems.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.problems.setAlternatingRowColors(True)
        self.problems.setWordWrap(False)
        self.problems.verticalHeader().setVisible(False)
        self.problems.verticalHeader().setDefaultSectionSize(24)
        header = self.problems.horizontalHeader()
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for col, width in ((COL_VILLAGE, 110), (COL_HEAD, 80), (COL_ID, 160),
                           (COL_SEVERITY, 44), (COL_RULE, 210)):
            self.problems.setColumnWidth(col, width)
        self.problems.doubleClicked.connect(self._open_problem)
        self.problems.activated.connect(self._open_problem)

        self.listing = QLabel("", self)
        self.listing.setObjectName("qualityListing")
        self.show_all = QPushButton("列出全部问题", self)
        self.show_all.setObjectName("qualityShowAll")
        self.show_all.clicked.connect(lambda: self.set_filter(None, None))
        self.show_all.setEnabled(False)
        listing_row = QHBoxLayout()
        listing_row.addWidget(self.listing, 1)
        listing_row.addWidget(self.show_all)

        lower = QWidget(self)
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addLayout(listing_row)
        lower_layout.addWidget(self.problems, 1)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.counts)
        split.addWidget(lower)
        # Every rule and the 合计 row in sight without scrolling.
        rows_height = (len(q.RULES) + 1) * 24 + self.counts.horizontalHeader().sizeHint(
            ).height() + 6
        self.counts.setMinimumHeight(min(rows_height, 200))
        split.setSizes([rows_height, 720 - rows_height])
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setChildrenCollapsible(False)

        self.excel_button = QPushButton("导出Excel…", self)
        self.excel_button.setObjectName("qualityExcel")
        self.excel_button.clicked.connect(lambda: self.export("xlsx"))
        self.pdf_button = QPushButton("导出PDF…", self)
        self.pdf_button.setObjectName("qualityPdf")
        self.pdf_button.clicked.connect(lambda: self.export("pdf"))
        for b in (self.excel_button, self.pdf_button):
            b.setEnabled(False)
        close = QPushButton("关闭", self)
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(hint("红色“错误”的数据必须改正;“提醒”请核实。双击一户打开该户修改。",
                               self), 1)
        buttons.addWidget(self.excel_button)
        buttons.addWidget(self.pdf_button)
        buttons.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        layout.addLayout(buttons)
        for b in self.findChildren(QPushButton):
            b.setAutoDefault(False)

    # ---- checking -------------------------------------------------------------------------
    def scope_code(self) -> str:
        return str(self.scope.currentData())

    def run_check(self) -> None:
        store, code = self.store, self.scope_code()
        self.run_button.setEnabled(False)
        self.summary.setText("正在核查…")

        def work(progress: Progress) -> QualityReport:
            return quality_access.quality_report(store, code, progress)

        def failed(error: BaseException) -> None:
            self.run_button.setEnabled(True)
            self.summary.setText("核查没有完成。")
            show_failure(error, failures.user_message(error), "数据质量核查", self)

        self.main.op("数据质量核查", work, owner=self).success(self.show_report).failure(
            failed).with_progress("正在进行数据质量核查…", cancellable=True).run()

    def show_report(self, report: QualityReport) -> None:
        self.report = report
        self.run_button.setEnabled(True)
        hard = report.hard()
        soft = len(report.problems) - hard
        households = len({p.household_id for p in report.problems})
        self.summary.setText(
            f"{report.scope_name}:核查 {report.households} 户,"
            + (f"发现问题 {len(report.problems)} 处(错误 {hard},提醒 {soft}),涉及 "
               f"{households} 户" if report.problems else "未发现问题")
            + f";核查日期 {report.checked_on:%Y-%m-%d}")
        self._fill_counts(report)
        for b in (self.excel_button, self.pdf_button):
            b.setEnabled(True)
        self.set_filter(None, None)
        self.checked.emit(report)

    def _villages(self, report: QualityReport) -> list[str]:
        """The villages with a problem: a column each (none when all is well)."""
        return sorted({p.village_code for p in report.problems})

    def _fill_counts(self, report: QualityReport) -> None:
        villages = self._villages(report)
        counts = report.counts()
        names = [report.village_names.get(v, v) for v in villages]
        table = self.counts
        table.clear()
        table.setColumnCount(3 + len(villages))
        table.setHorizontalHeaderLabels(["问题", "类别", *names, "合计"])
        table.setRowCount(len(q.RULES) + 1)
        self._count_columns = villages
        for r, rule in enumerate(q.RULES):
            title = QTableWidgetItem(rule.title)
            title.setData(IdRole, rule.key)
            table.setItem(r, 0, title)
            severity = QTableWidgetItem(rule.severity_name)
            severity.setForeground(_severity_color(rule.key))
            table.setItem(r, 1, severity)
            total = 0
            for c, v in enumerate(villages):
                n = counts.get((rule.key, v), 0)
                total += n
                item = count_item(n if n else "")
                if n:
                    item.setForeground(_severity_color(rule.key))
                table.setItem(r, 2 + c, item)
            table.setItem(r, 2 + len(villages), count_item(total if total else "0"))
        last = len(q.RULES)
        table.setItem(last, 0, QTableWidgetItem("合计"))
        table.setItem(last, 1, QTableWidgetItem(""))
        for c, v in enumerate(villages):
            table.setItem(last, 2 + c, count_item(sum(n for (_r, vv), n in counts.items()
                                                      if vv == v)))
        table.setItem(last, 2 + len(villages), count_item(len(report.problems)))
        for c in range(table.columnCount()):
            cell = table.item(last, c)
            if cell is not None:
                font = cell.font()
                font.setBold(True)
                cell.setFont(font)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        table.setColumnWidth(0, 230)
        table.setColumnWidth(1, 44)
        for c in range(2, table.columnCount()):
            table.resizeColumnToContents(c)
            table.setColumnWidth(c, max(64, table.columnWidth(c)))

    def _count_clicked(self, row: int, column: int) -> None:
        if self.report is None:
            return
        rule = q.RULES[row].key if row < len(q.RULES) else None
        villages = getattr(self, "_count_columns", [])
        village = villages[column - 2] if 2 <= column < 2 + len(villages) else None
        self.set_filter(rule, village)

    def set_filter(self, rule: str | None, village: str | None) -> None:
        """Lists the problems of `rule` in `village` (None: any)."""
        report = self.report
        if report is None:
            return
        self.filter = (rule, village)
        rows = [p for p in report.problems
                if (rule is None or p.rule == rule) and (village is None or
                                                         p.village_code == village)]
        self.model.set_rows(rows, report.village_names)
        parts = []
        if village is not None:
            parts.append(report.village_names.get(village, village))
        if rule is not None:
            parts.append(f"“{q.RULE[rule].title}”")
        what = "".join(parts)
        self.listing.setText(f"{what}问题 {len(rows)} 处" + ("(双击打开该户)" if rows else "")
                             if what else
                             f"全部问题 {len(rows)} 处" + ("(双击打开该户)" if rows else ""))
        self.show_all.setEnabled(rule is not None or village is not None)

    def _open_problem(self, index: QModelIndex) -> None:
        if index.isValid():
            self.main.open_household(self.model.problem(index.row()).household_id)

    # ---- exporting ------------------------------------------------------------------------
    def export(self, kind: str) -> None:
        report = self.report
        if report is None:
            return
        folder = Path(str(QSettings().value(DIR_KEY, str(Path.home()))))
        suggested = folder / f"{report.scope_name}数据质量核查_{report.checked_on:%Y%m%d}.{kind}"
        title = "导出Excel" if kind == "xlsx" else "导出PDF"
        filters = "Excel 工作簿 (*.xlsx)" if kind == "xlsx" else "PDF 文件 (*.pdf)"
        name, _ = QFileDialog.getSaveFileName(self, title, str(suggested), filters)
        if not name:
            return
        path = Path(name)
        if path.suffix.lower() != f".{kind}":
            path = path.with_name(f"{path.name}.{kind}")
        QSettings().setValue(DIR_KEY, str(path.parent))
        self.write(path)

    def write(self, path: Path) -> None:
        """Writes the report shown to `path` (.xlsx or .pdf) in the worker."""
        report = self.report
        assert report is not None

        def work(_p: Progress) -> Path:
            if path.suffix.lower() == ".xlsx":
                return write_quality_book(report, path)
            print_quality(report, path)
            return path

        def done(written: Path) -> None:
            self.exported.emit(str(written))
            box = QMessageBox(QMessageBox.Icon.Information, "数据质量核查",
                              f"核查结果已保存到:\n{written}", QMessageBox.StandardButton.Ok,
                              self)
            box.button(QMessageBox.StandardButton.Ok).setText("确定")
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()

        self.main.op("导出数据质量核查", work, owner=self).success(done).with_progress(
            "正在保存核查结果…").run()
