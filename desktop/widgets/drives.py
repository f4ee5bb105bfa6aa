"""Where removable drives (USB sticks) are mounted, and a folder chooser that offers them
first: bundles, requests and answers travel on a stick."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSettings, QStorageInfo
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


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
