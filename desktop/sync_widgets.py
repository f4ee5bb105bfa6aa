"""Pieces the sync dialogs share: where removable drives are mounted, a folder chooser that
offers them, the large fingerprint read out by phone, a dialog base that runs one piece of
sync work in the DB worker with its own progress bar, and the table of import results."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSettings, QStorageInfo, Qt, Signal
from PySide6.QtGui import QBrush, QCloseEvent, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.workspace import Workspace
from registry.progress import Cancelled
from sync.merge import BUCKET_NAMES, BUCKETS
from sync.receive import APPLIED, REFUSED, REPLAY, WAITING, ImportResult

# What the tables of a bundle are called on screen.
TABLE_NAMES = {
    "village_group": "村民小组", "household": "贫困户", "member": "家庭成员",
    "helper": "帮扶责任人", "aid_plan": "帮扶计划", "procedure_event": "识别程序记录",
    "audit": "操作日志", "sync_receipt": "县级回执", "sync_duplicate": "重复登记核查",
    "sync_decision": "县级决定", "sync_key_event": "密钥变更", "poverty_line": "贫困线标准",
}
STATUS_NAMES = {APPLIED: "已导入", REPLAY: "已导入过", WAITING: "等待缺失包", REFUSED: "已拒绝"}
RED = QColor("#c62f2f")
RED_BACK = QColor("#fdecec")
AMBER = QColor("#9a6700")
GREEN = QColor("#1e7b34")


def table_name(name: str) -> str:
    return TABLE_NAMES.get(name, name)


# ---- removable drives -------------------------------------------------------------------
@dataclass(frozen=True)
class Drive:
    path: Path
    label: str


def _windows_removable(root: str) -> bool:
    """GetDriveTypeW: 2 is DRIVE_REMOVABLE (USB sticks, card readers)."""
    import ctypes
    windll = getattr(ctypes, "windll", None)
    if windll is None:
        return False
    return bool(windll.kernel32.GetDriveTypeW(root) == 2)


def removable_drives() -> list[Drive]:
    """Mounted removable drives: on Linux what is mounted under /media or /run/media, on
    Windows the drive letters Windows calls removable. Cheap: no probing of the drives."""
    drives: list[Drive] = []
    for volume in QStorageInfo.mountedVolumes():
        if not volume.isValid() or not volume.isReady() or volume.isReadOnly():
            continue
        root = volume.rootPath()
        if sys.platform == "win32":
            if not _windows_removable(root):
                continue
        elif not root.startswith(("/media/", "/run/media/")):
            continue
        name = volume.displayName() or root
        free = volume.bytesAvailable() / 1024 ** 3
        drives.append(Drive(Path(root), f"{name}(可移动磁盘,剩余 {free:.1f} GB)"))
    return drives


class FolderPicker(QWidget):
    """An editable list of folders: removable drives first, then the last folder used,
    with 浏览… and 刷新 (after a stick is plugged in)."""

    def __init__(self, settings_key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings_key = f"sync/{settings_key}"
        self.combo = QComboBox(self)
        self.combo.setEditable(True)
        self.combo.setMinimumWidth(360)
        self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        browse = QPushButton("浏览…", self)
        browse.clicked.connect(self.browse)
        rescan = QPushButton("刷新", self)
        rescan.setToolTip("插入U盘后点此重新查找")
        rescan.clicked.connect(self.rescan)
        self.hint = QLabel("", self)
        self.hint.setProperty("role", "hint")
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.combo, 1)
        row.addWidget(browse)
        row.addWidget(rescan)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addLayout(row)
        box.addWidget(self.hint)
        self.rescan()

    def rescan(self) -> None:
        current = self.combo.currentText().strip()
        self.combo.clear()
        drives = removable_drives()
        for d in drives:
            self.combo.addItem(d.label, str(d.path))
        last = str(QSettings().value(self.settings_key, "") or "")
        if last and not any(str(d.path) == last for d in drives):
            self.combo.addItem(last, last)
        self.hint.setText("已找到可移动磁盘(U盘),请确认后导出" if drives else
                          "未找到U盘:请插入U盘后点“刷新”,或点“浏览…”选择文件夹")
        if current:
            self.set_folder(current)

    def browse(self) -> None:
        start = self.folder_text() or str(Path.home())
        chosen = QFileDialog.getExistingDirectory(self, "选择文件夹", start)
        if chosen:
            self.set_folder(chosen)

    def set_folder(self, folder: str) -> None:
        index = self.combo.findData(folder)
        if index >= 0:
            self.combo.setCurrentIndex(index)
        else:
            self.combo.setEditText(folder)

    def folder_text(self) -> str:
        index = self.combo.currentIndex()
        text = self.combo.currentText().strip()
        if index >= 0 and text == self.combo.itemText(index):
            return str(self.combo.itemData(index))
        return text

    def folder(self) -> Path | None:
        """The chosen folder, or None (with a message) when it does not exist."""
        text = self.folder_text()
        if not text:
            QMessageBox.warning(self, "选择文件夹", "请先选择保存的文件夹或U盘。")
            return None
        path = Path(os.path.expanduser(text))
        if not path.is_dir():
            QMessageBox.warning(self, "选择文件夹", f"文件夹不存在:{path}")
            return None
        QSettings().setValue(self.settings_key, str(path))
        return path


def start_folder() -> str:
    """Where file dialogs open: the first removable drive, or the home folder."""
    drives = removable_drives()
    return str(drives[0].path if drives else Path.home())


# ---- fingerprint ------------------------------------------------------------------------
class FingerprintView(QFrame):
    """The 16-character fingerprint in four large groups, read out by phone."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fingerprint")
        self.setStyleSheet("#fingerprint { background: #ffffff; border: 2px solid #2f6fc6;"
                           " border-radius: 6px; }")
        self.caption = QLabel("", self)
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.caption.setStyleSheet("color: #1f2d3d; font-weight: bold;")
        row = QHBoxLayout()
        row.setSpacing(18)
        row.addStretch(1)
        self.groups: list[QLabel] = []
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.TypeWriter)
        font.setPointSize(26)
        font.setBold(True)
        for _ in range(4):
            label = QLabel("----", self)
            label.setFont(font)
            label.setStyleSheet("color: #1f4f8f; font-size: 26pt; letter-spacing: 3px;")
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            row.addWidget(label)
            self.groups.append(label)
        row.addStretch(1)
        box = QVBoxLayout(self)
        box.setContentsMargins(12, 8, 12, 10)
        box.addWidget(self.caption)
        box.addLayout(row)

    def show_fingerprint(self, fingerprint: str, caption: str) -> None:
        parts = fingerprint.split("-")
        for label, part in zip(self.groups, parts, strict=False):
            label.setText(part)
        self.caption.setText(caption)

    def text(self) -> str:
        return "-".join(g.text() for g in self.groups)


# ---- work in the DB worker --------------------------------------------------------------
class _Relay(QObject):
    """Carries progress from the worker thread to the dialog (a queued signal)."""

    progressed = Signal(int, int)


STRETCH = object()  # in SyncDialog.arrange: free space here
Part = QWidget | QLayout | object | tuple[QWidget | QLayout, int]


class SyncDialog(QDialog):
    """A dialog that runs sync work in the DB worker with its own progress bar and a
    取消 button; it cannot be closed while the work runs (its callbacks need it)."""

    work_done = Signal(object)  # the result, once shown (tests wait for it)
    work_failed = Signal(str)

    def __init__(self, workspace: Workspace, title: str, parent: QWidget | None = None
                 ) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.setWindowTitle(title)
        self.setWindowFlag(Qt.WindowType.WindowContextHelpButtonHint, False)
        self._op: int | None = None
        self._relay = _Relay(self)
        self._relay.progressed.connect(self._progressed)
        self.bar = QProgressBar(self)
        self.bar.setTextVisible(True)
        self.bar.hide()
        self.cancel_button = QPushButton("取消", self)
        self.cancel_button.hide()
        self.cancel_button.clicked.connect(self.cancel_work)

    def progress_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(self.bar, 1)
        row.addWidget(self.cancel_button)
        return row

    def arrange(self, title: str, parts: Sequence[Part],
                actions: Sequence[QWidget | tuple[QWidget, int]], size: tuple[int, int]
                ) -> None:
        """The layout every sync dialog shares: a title, the parts top to bottom (STRETCH
        for free space, (part, factor) for one that grows), the progress row, then the
        bottom row — pushed right unless one of its widgets grows — with 关闭 last."""
        box = QVBoxLayout(self)
        box.addWidget(set_title(QLabel(title, self)))
        for part in parts:
            item, factor = part if isinstance(part, tuple) else (part, 0)
            if item is STRETCH:
                box.addStretch(1)
            elif isinstance(item, QLayout):
                box.addLayout(item, factor)
            else:
                box.addWidget(item, factor)
        box.addLayout(self.progress_row())
        buttons = QHBoxLayout()
        if not any(isinstance(action, tuple) for action in actions):
            buttons.addStretch(1)
        for action in actions:
            widget, factor = action if isinstance(action, tuple) else (action, 0)
            buttons.addWidget(widget, factor)
        buttons.addWidget(close_button(self))
        box.addLayout(buttons)
        self.resize(*size)

    def busy(self) -> bool:
        return self._op is not None

    def run(self, fn: Callable[[Callable[[int, int], bool]], Any],
            on_done: Callable[[Any], None], cancellable: bool = True) -> None:
        """Runs fn(progress) in the DB worker; on_done(result) back on the UI thread;
        a failure is shown with its (Chinese) message."""
        if self.busy():
            return
        relay = self._relay

        def work(progress: Callable[[int, int], bool]) -> Any:
            def both(done: int, total: int) -> bool:
                relay.progressed.emit(done, total)
                return progress(done, total)
            return fn(both)

        def done(result: Any) -> None:
            self._finish()
            on_done(result)
            self.work_done.emit(result)

        self.bar.setRange(0, 0)
        self.bar.show()
        self.cancel_button.setVisible(cancellable)
        self.cancel_button.setEnabled(True)
        self.set_busy(True)
        self._op = self.workspace.worker.submit(work, done, self._failed,
                                                cancellable=cancellable)

    def set_busy(self, busy: bool) -> None:
        """Subclasses disable their buttons while work runs."""

    def _progressed(self, done: int, total: int) -> None:
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))

    def cancel_work(self) -> None:
        if self._op is not None:
            self.workspace.worker.cancel(self._op)
            self.cancel_button.setEnabled(False)
            self.bar.setFormat("正在取消…")

    def _finish(self) -> None:
        self._op = None
        self.bar.hide()
        self.bar.setFormat("%p%")
        self.cancel_button.hide()
        self.set_busy(False)

    def _failed(self, error: BaseException) -> None:
        self._finish()
        if isinstance(error, Cancelled):
            message = "已取消,未作任何改动。"
        else:
            message = str(error) or type(error).__name__
        self.show_error(message)
        self.work_failed.emit(message)

    def show_error(self, message: str) -> None:
        QMessageBox.warning(self, self.windowTitle(), message)

    def reject(self) -> None:
        if self.busy():
            return  # 取消 first: the worker's callbacks still need this dialog
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.busy():
            event.ignore()
            return
        super().closeEvent(event)


def close_button(dialog: QDialog, text: str = "关闭") -> QPushButton:
    button = QPushButton(text, dialog)
    button.setAutoDefault(False)
    button.clicked.connect(dialog.reject)
    return button


def count_item(n: int | str) -> QTableWidgetItem:
    item = QTableWidgetItem(str(n))
    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def plain_table(parent: QWidget, headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(24)
    table.setWordWrap(False)
    table.horizontalHeader().setHighlightSections(False)
    return table


# ---- import results ---------------------------------------------------------------------
def table_totals(result: ImportResult) -> dict[str, int]:
    return {name: sum(b.values()) for name, b in result.counts.items()}


def received_text(result: ImportResult) -> str:
    """What a return bundle brought, in words: "县级回执 2,贫困线标准 1"."""
    parts = [f"{table_name(n)} {c}" for n, c in table_totals(result).items() if c]
    return ",".join(parts) or "无新内容"


class ResultTable(QTableWidget):
    """One row per imported file. At the county: the six buckets; at a station: what the
    return bundle brought. Refused files in red, waiting ones in amber."""

    def __init__(self, county: bool, parent: QWidget | None = None) -> None:
        self.county = county
        middle = [BUCKET_NAMES[b] for b in BUCKETS] if county else ["收到的内容"]
        headers = ["文件", "乡镇" if county else "来自", "编号", "结果", *middle, "说明"]
        super().__init__(0, len(headers))
        if parent is not None:
            self.setParent(parent)
        self.setObjectName("importResults")
        self.setHorizontalHeaderLabels(headers)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(24)
        self.setWordWrap(True)  # the 说明 of a refused or waiting file is read in full
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        widths = [200, 70, 44, 84] + ([64] * len(BUCKETS) if county else [240])
        for column, width in enumerate(widths):
            self.setColumnWidth(column, width)
        self.message_column = len(headers) - 1

    def show_results(self, results: list[ImportResult]) -> None:
        self.setRowCount(len(results))
        for row, r in enumerate(results):
            cells = [QTableWidgetItem(r.file), QTableWidgetItem(r.peer_name or r.peer),
                     count_item(r.seq if r.seq is not None else ""),
                     QTableWidgetItem(STATUS_NAMES.get(r.status, r.status))]
            if self.county:
                sums = {b: sum(c.get(b, 0) for c in r.counts.values()) for b in BUCKETS}
                cells += [count_item(sums[b] if r.counts else "") for b in BUCKETS]
            else:
                cells.append(QTableWidgetItem(received_text(r) if r.counts else ""))
            cells.append(QTableWidgetItem(r.message))
            detail = "\n".join(
                f"{table_name(n)}:" + ",".join(f"{BUCKET_NAMES[b]} {v}" for b, v in c.items()
                                               if v)
                for n, c in r.counts.items() if any(c.values()))
            for column, item in enumerate(cells):
                item.setToolTip(r.message + (f"\n\n{detail}" if detail else ""))
                if r.status == REFUSED:
                    item.setForeground(QBrush(RED))
                    item.setBackground(QBrush(RED_BACK))
                elif r.status == WAITING:
                    item.setForeground(QBrush(AMBER))
                elif column == 3:
                    item.setForeground(QBrush(GREEN))
                self.setItem(row, column, item)
        self.resizeRowsToContents()

    def row_color(self, row: int) -> QColor:
        item = self.item(row, 3)
        assert item is not None
        return item.foreground().color()


def results_summary(results: list[ImportResult]) -> str:
    counts = {s: sum(1 for r in results if r.status == s) for s in STATUS_NAMES}
    parts = [f"{STATUS_NAMES[s]} {n}" for s, n in counts.items() if n]
    return f"共 {len(results)} 个文件:" + ",".join(parts)


def set_title(label: QLabel) -> QLabel:
    label.setProperty("role", "title")
    return label


def hint(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setProperty("role", "hint")
    label.setWordWrap(True)
    return label
