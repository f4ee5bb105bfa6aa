"""Importing bundle files, at the county (station bundles) or at a station (the county's
return bundles): pick one or many .fpb files, import them in the DB worker with a progress
bar, then a table says per file what happened. A refused file changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.exchange.sync_dialog import SyncDialog, close_button
from desktop.exchange.sync_results import ResultTable, results_summary
from desktop.widgets.drives import start_folder
from desktop.widgets.labels import hint, set_title
from desktop.workspace import Workspace
from registry.progress import Progress
from registry.store import Store
from sync.names import REFUSED
from sync.receive import ImportResult, import_files
from sync.status import status

FILTER = "数据包 (*.fpb);;所有文件 (*)"


def open_gaps(store: Store) -> list[str]:
    """Every chain still missing bundles, named (waiting ones apply once they come)."""
    county = store.info.kind == "county"
    return [f"乡镇 {p.name}: 第 {p.missing} 号数据包缺失" if county else
            f"{p.name}: 第 {p.missing} 号回传数据包缺失"
            for p in status(store) if p.missing]


def choose_bundles(parent: QWidget, title: str) -> list[Path]:
    files, _ = QFileDialog.getOpenFileNames(parent, title, start_folder(), FILTER)
    return [Path(f) for f in files]


class ImportDialog(SyncDialog):
    def __init__(self, workspace: Workspace, parent: QWidget | None = None,
                 after: Callable[[list[ImportResult]], None] | None = None) -> None:
        county = workspace.store.info.kind == "county"
        title = "导入乡镇数据包" if county else "导入县级数据包"
        super().__init__(workspace, title, parent)
        self.setObjectName("syncImportDialog")
        self.county = county
        self.after = after
        self.results: list[ImportResult] = []
        heading = set_title(QLabel(title, self))
        explain = hint("从U盘选择一个或多个数据包(.fpb)。每个数据包先核验签名和完整性,"
                       "核验不通过的整包拒绝,不写入任何数据;缺号的数据包先保存,"
                       "补齐后自动导入。" if county else
                       "选择县扶贫办发回的回传数据包(.fpb):其中有县里的回执、重复登记裁定、"
                       "县级决定、密钥变更和贫困线标准。", self)
        self.table = ResultTable(county, self)
        self.summary = QLabel("", self)
        self.summary.setObjectName("importSummary")
        self.gaps = QLabel("", self)
        self.gaps.setObjectName("importGaps")
        self.gaps.setWordWrap(True)
        self.gaps.setStyleSheet("color: #9a6700; font-weight: bold;")
        self.gaps.hide()
        self.choose_button = QPushButton("选择数据包…", self)
        self.choose_button.clicked.connect(self.choose)
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary, 1)
        buttons.addWidget(self.choose_button)
        buttons.addWidget(close_button(self))
        box = QVBoxLayout(self)
        box.addWidget(heading)
        box.addWidget(explain)
        box.addWidget(self.table, 1)
        box.addWidget(self.gaps)
        box.addLayout(self.progress_row())
        box.addLayout(buttons)
        self.resize(1080 if county else 900, 420)

    def choose(self) -> None:
        files = choose_bundles(self, "选择要导入的数据包")
        if files:
            self.start(files)

    def start(self, files: list[Path]) -> None:
        store = self.workspace.store
        self.summary.setText(f"正在导入 {len(files)} 个文件…")

        def work(progress: Progress) -> tuple[list[ImportResult], list[str]]:
            return import_files(store, files, progress), open_gaps(store)
        self.run("导入数据包", work, self._show)

    def set_busy(self, busy: bool) -> None:
        self.choose_button.setEnabled(not busy)

    def _show(self, outcome: tuple[list[ImportResult], list[str]]) -> None:
        results, gaps = outcome
        self.results = results
        self.gaps.setText("仍缺少:" + ";".join(gaps) if gaps else "")
        self.gaps.setVisible(bool(gaps))
        self.table.show_results(results)
        refused = sum(1 for r in results if r.status == REFUSED)
        self.summary.setText(results_summary(results))
        self.summary.setStyleSheet("color: #c62f2f; font-weight: bold;" if refused else
                                   "font-weight: bold;")
        if self.after is not None:
            self.after(results)
