"""The 统计 screen: choose the level, the unit and the table; the table and its chart (the
same drawing as the 统计报告 PDF, rendered to an image by reports.statistics.view) are
loaded in the DB worker. 导出Excel writes the workbook, 打印统计报告 opens the report in the
print preview.

    install(window)   # adds 统计 → 统计分析…; window.findChild(StatisticsScreen) in tests
"""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.errors.dialog import show_failure
from desktop.look import icon
from desktop.main_window import MainWindow
from desktop.operations.store_op import StoreOp
from registry import failures, statistics
from registry.progress import Progress
from reports.statistics.tables import REPORT_ORDER, StatTable

if TYPE_CHECKING:  # the charts, the report, the workbook and the preview (reportlab,
    # openpyxl, pypdfium2) load when the screen opens, not with the main window
    from desktop.printing.preview import PreviewDialog
    from reports.statistics.report import ReportResult
    from reports.statistics.view import StatView, Unit

Index = QModelIndex | QPersistentModelIndex


class StatModel(QAbstractTableModel):
    """One statistics table (a few hundred rows at most: held whole)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table: StatTable | None = None

    def set_table(self, table: StatTable) -> None:
        from reports.statistics.report import cell_text

        self._cell_text = cell_text
        self.beginResetModel()
        self.table = table
        self._cells = table.cells()
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if self.table is None or parent.isValid() else len(self._cells)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if self.table is None or parent.isValid() else len(self.table.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        value = self._cells[index.row()][index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._cell_text(value)
        if role == Qt.ItemDataRole.TextAlignmentRole and isinstance(value, int | Decimal):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (self.table is not None and role == Qt.ItemDataRole.DisplayRole
                and orientation == Qt.Orientation.Horizontal):
            return self.table.columns[section]
        return None


class ChartLabel(QLabel):
    """The chart image, scaled down to the space it has (never up: that would blur)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("正在统计…", parent)
        self.image = QPixmap()

    def set_image(self, image: QPixmap) -> None:
        self.image = image
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        if self.image.isNull():
            return
        ratio = self.image.devicePixelRatio() or 1.0
        room = self.contentsRect().size() - QSize(8, 8)
        size = self.image.size() / ratio
        if size.width() <= room.width() and size.height() <= room.height():
            self.setPixmap(self.image)
            return
        scaled = self.image.scaled(room * ratio, Qt.AspectRatioMode.KeepAspectRatio,
                                   Qt.TransformationMode.SmoothTransformation)
        scaled.setDevicePixelRatio(ratio)
        self.setPixmap(scaled)


class StatisticsScreen(QDialog):
    shown = Signal(object)  # the StatView on screen
    exported = Signal(str)  # the workbook written
    preview_opened = Signal(object)  # the PreviewDialog of the report

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("statisticsScreen")
        self.window_ = window
        self.store = window.workspace.store
        self.setWindowTitle(f"统计分析 — {self.store.info.region_name}")
        self.resize(1180, 720)
        self.view: StatView | None = None
        self.preview: PreviewDialog | None = None
        self._generation = 0

        self.level = QComboBox(self)
        self.level.setObjectName("statLevel")
        # The levels below the store's own: a county by township, a station by village.
        own = len(self.store.info.region_code)
        for key, name in statistics.LEVEL_NAMES.items():
            if statistics.LEVELS[key] >= own:
                self.level.addItem(f"按{name}", key)
        self.level.setCurrentIndex(min(1, self.level.count() - 1))
        self.unit = QComboBox(self)
        self.unit.setObjectName("statUnit")
        self.unit.setMinimumWidth(200)
        self.by = QComboBox(self)
        self.by.setObjectName("statTable")
        for key in REPORT_ORDER:
            self.by.addItem(statistics.BY[key], key)
        self.export_button = QPushButton(icon("excel"), "导出Excel…", self)
        self.print_button = QPushButton(icon("print"), "打印统计报告…", self)
        self.export_button.clicked.connect(self.ask_export)
        self.print_button.clicked.connect(self.print_report)

        bar = QHBoxLayout()
        for label, combo in (("统计单位", self.level), ("范围", self.unit), ("统计表", self.by)):
            bar.addWidget(QLabel(label, self))
            bar.addWidget(combo)
        bar.addStretch(1)
        bar.addWidget(self.export_button)
        bar.addWidget(self.print_button)

        self.model = StatModel(self)
        self.grid = QTableView(self)
        self.grid.setObjectName("statGrid")
        self.grid.setModel(self.model)
        self.grid.verticalHeader().setVisible(False)
        self.grid.setAlternatingRowColors(True)
        self.grid.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.grid.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.grid.horizontalHeader().setStretchLastSection(False)
        self.grid.horizontalHeader().setMinimumSectionSize(72)
        self.chart = ChartLabel(self)
        self.chart.setObjectName("statChart")
        self.chart.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.chart.setMinimumSize(480, 260)
        self.chart.setStyleSheet("#statChart { background: #ffffff; border: 1px solid #c8ced6; }")
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.chart)
        split.addWidget(self.grid)
        split.setSizes([340, 340])
        self.note = QLabel("", self)

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(split, 1)
        layout.addWidget(self.note)

        self.level.currentIndexChanged.connect(lambda _i: self.reload())
        self.unit.currentIndexChanged.connect(lambda _i: self.reload())
        self.by.currentIndexChanged.connect(lambda _i: self.reload())
        self._load_units()

    # ---- choices ------------------------------------------------------------------------
    def chosen(self) -> tuple[str, str, str | None]:
        return self.by.currentData(), self.level.currentData(), self.unit.currentData()

    def choose(self, by: str | None = None, level: str | None = None,
               code: str | None = None) -> None:
        """Sets the choices (tests, and callers opening the screen on a place)."""
        for combo, value in ((self.level, level), (self.unit, code), (self.by, by)):
            if value is not None:
                combo.setCurrentIndex(max(0, combo.findData(value)))

    def _load_units(self) -> None:
        from reports.statistics.view import units

        store = self.store

        def done(found: list[Unit]) -> None:
            self.unit.blockSignals(True)
            self.unit.clear()
            for u in found:
                self.unit.addItem("    " * u.depth + u.name, u.code)
            self.unit.blockSignals(False)
            self.reload()

        self._op("读取区划", lambda _p: units(store)).success(done).run()

    def _op(self, doing: str, work: Any) -> StoreOp[Any]:
        return StoreOp(self.window_.workspace.worker, doing, work, parent=self)

    # ---- the table and its chart ----------------------------------------------------------
    def reload(self) -> None:
        self._generation += 1
        generation = self._generation
        from reports.statistics.view import load_view

        by, level, code = self.chosen()
        store = self.store
        ratio = self.devicePixelRatioF() or 1.0

        def done(view: StatView) -> None:
            if generation != self._generation:
                return
            self.view = view
            self.model.set_table(view.table)
            pixmap = QPixmap()
            pixmap.loadFromData(view.chart_png)
            pixmap.setDevicePixelRatio(ratio)
            self.chart.set_image(pixmap)
            units_shown = len({r.code for r in view.table.rows})
            self.note.setText(f"{view.table.title}:{len(view.table.rows)} 行,"
                              f"{units_shown} 个{statistics.LEVEL_NAMES[level]};"
                              "数据取自此刻的登记记录")
            self.shown.emit(view)

        self._op("统计", lambda _p: load_view(store, by, level, code, dpi=96 * ratio)
                 ).success(done).run()

    # ---- 导出Excel and 打印统计报告 ------------------------------------------------------
    def ask_export(self) -> None:
        name = f"统计表-{self.store.info.region_name}.xlsx"
        path, _ = QFileDialog.getSaveFileName(self, "导出统计表", name, "Excel 工作簿 (*.xlsx)")
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        """Every table for the chosen level and unit, one sheet each."""
        from reports.statistics.workbook import write_workbook

        _by, level, code = self.chosen()
        store = self.store

        def done(sheets: int) -> None:
            self.note.setText(f"已导出 {sheets} 张统计表到 {path}")
            self.exported.emit(str(path))

        self._op("导出统计表", lambda _p: write_workbook(store, path, level, code)).success(
            done).failure(lambda e: self._fail("导出统计表", e)).with_progress(
            "正在导出统计表…").run()

    def print_report(self) -> None:
        from desktop.printing.preview import PreviewDialog
        from reports.statistics.report import write_report

        _by, level, code = self.chosen()
        store = self.store
        folder = tempfile.TemporaryDirectory(prefix="fupin-stats-")
        out = Path(folder.name) / "统计报告.pdf"

        def work(progress: Progress) -> ReportResult:
            return write_report(store, out, level, code, progress=progress)

        def done(result: ReportResult) -> None:
            title = "统计报告"
            try:
                dialog = PreviewDialog(result.path, title, self, owned_dir=folder,
                                       summary=f"{title}:{result.tables} 张表,共 {result.pages} 页")
            except Exception as e:  # noqa: BLE001 - an unreadable PDF is shown, not raised
                folder.cleanup()
                self._fail("打印统计报告", e)
                return
            self.preview = dialog
            dialog.destroyed.connect(lambda _o=None: setattr(self, "preview", None))
            dialog.show()
            self.preview_opened.emit(dialog)

        def fail(error: BaseException) -> None:
            folder.cleanup()
            self._fail("打印统计报告", error)

        self._op("生成统计报告", work).success(done).failure(fail).with_progress(
            "正在生成统计报告…", cancellable=True).run()

    def _fail(self, title: str, error: BaseException) -> None:
        show_failure(error, failures.user_message(error), f"{title} — 未完成", self)


def install(window: MainWindow) -> None:
    screen: dict[str, StatisticsScreen] = {}

    def open_screen() -> None:
        current = screen.get("open")
        if current is not None and current.isVisible():
            current.raise_()
            return
        screen["open"] = StatisticsScreen(window)
        screen["open"].show()

    action = QAction(icon("excel"), "统计分析…", window)
    action.setObjectName("statisticsAction")
    action.triggered.connect(open_screen)
    window.add_action("统计", action, toolbar=False)
