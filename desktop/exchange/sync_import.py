"""Importing bundle files, at the county (station bundles) or at a station (the county's
return bundles): pick one or many .fpb files, import them in the DB worker with a progress
bar, then a table says per file what happened. A refused file changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
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


@dataclass
class Imported:
    """What one import did: a result per file, the gaps still open, and per station what
    it newly kept for review (records held, audit chain findings: the CLI's exit 4)."""

    results: list[ImportResult]
    gaps: list[str]
    held: list[str] = field(default_factory=list)  # one line per station, in words
    held_peers: set[str] = field(default_factory=set)  # their codes


def _held_counts(store: Store) -> dict[str, tuple[int, int]]:
    return {p.code: (p.held, p.chain_findings) for p in status(store)}


def import_and_check(store: Store, files: list[Path], progress: Progress) -> Imported:
    """import_files, then what it kept for review, compared station by station with before
    (waiting bundles it released count too)."""
    before = _held_counts(store)
    results = import_files(store, files, progress)
    out = Imported(results, open_gaps(store))
    for p in status(store):
        held, findings = before.get(p.code, (0, 0))
        new_held, new_findings = p.held - held, p.chain_findings - findings
        if new_held <= 0 and new_findings <= 0:
            continue
        parts = [f"{new_held} 条记录未采用(冲突或被隔离)"] if new_held > 0 else []
        if new_findings > 0:
            parts.append(p.last_finding)
        out.held.append(f"乡镇 {p.name}:" + ";".join(parts))
        out.held_peers.add(p.code)
    return out


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
        self.imported: Imported | None = None
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
        self.held = QLabel("", self)
        self.held.setObjectName("importHeld")
        self.held.setWordWrap(True)
        self.held.setStyleSheet("color: #c62f2f; font-weight: bold;")
        self.held.hide()
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
        box.addWidget(self.held)
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

        self.run("导入数据包", lambda progress: import_and_check(store, files, progress),
                 self._show)

    def set_busy(self, busy: bool) -> None:
        self.choose_button.setEnabled(not busy)

    def _show(self, imported: Imported) -> None:
        results, gaps = imported.results, imported.gaps
        self.imported = imported
        self.results = results
        self.gaps.setText("仍缺少:" + ";".join(gaps) if gaps else "")
        self.gaps.setVisible(bool(gaps))
        self.held.setText("已导入,但有数据留待核查(详见“乡镇同步状况”):\n"
                          + "\n".join(imported.held) if imported.held else "")
        self.held.setVisible(bool(imported.held))
        self.table.show_results(results, imported.held_peers)
        alarming = imported.held or any(r.status == REFUSED for r in results)
        self.summary.setText(results_summary(results) +
                             (f";{len(imported.held)} 个乡镇有待核查的数据"
                              if imported.held else ""))
        self.summary.setStyleSheet("color: #c62f2f; font-weight: bold;" if alarming else
                                   "font-weight: bold;")
        if self.after is not None:
            self.after(results)
