"""备份到U盘: a verified, still encrypted copy of the store and its key file in a folder (a
USB stick first), made in the DB worker while the program stays open."""

from __future__ import annotations

from datetime import datetime
from html import escape
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QPushButton, QWidget

from desktop.exchange.sync_dialog import STRETCH, SyncDialog
from desktop.widgets.drives import FolderPicker
from desktop.widgets.labels import hint
from desktop.workspace import Workspace
from registry import backup


def last_backup_text(store_path: Path) -> str:
    last = backup.last_backup(store_path)
    if last is None:
        return "本数据库还没有备份过。"
    days = (datetime.now() - last).days
    ago = "今天" if days == 0 else f"{days} 天前"
    return f"上次备份:{last:%Y-%m-%d %H:%M}({ago})。"


class BackupDialog(SyncDialog):
    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(workspace, "备份到U盘", parent)
        self.setObjectName("backupDialog")
        store = workspace.store
        self.made: backup.BackupResult | None = None
        self.folder = FolderPicker("backup_folder", self)
        remembered = backup.last_folder(store.path)
        if remembered is not None and remembered.is_dir() and not self.folder.combo.count():
            self.folder.set_folder(str(remembered))
        self.last = QLabel(last_backup_text(store.path), self)
        self.last.setObjectName("lastBackup")
        self.outcome = QLabel("", self)
        self.outcome.setObjectName("backupOutcome")
        self.outcome.setWordWrap(True)
        self.outcome.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.backup_button = QPushButton("开始备份", self)
        self.backup_button.setObjectName("startBackup")
        self.backup_button.setDefault(True)
        self.backup_button.clicked.connect(self.start)
        form = QFormLayout()
        form.addRow("保存到:", self.folder)
        self.arrange("备份到U盘", [
            hint("备份是数据库的完整副本,仍然加密,连同密钥文件(.keys)一起保存;程序不必关闭。"
                 "备份后程序会打开备份核对一遍。请把U盘存放在与电脑不同的地方,"
                 "至少每周备份一次。", self),
            self.last,
            form,
            self.outcome,
            STRETCH,
        ], actions=[self.backup_button], size=(680, 330))

    def set_busy(self, busy: bool) -> None:
        self.backup_button.setEnabled(not busy)

    def start(self) -> None:
        folder = self.folder.folder()
        if folder is None:
            return
        store = self.workspace.store
        self.outcome.setText("正在备份…")
        self.run("备份数据库", lambda p: backup.make_backup(store, folder, p), self._done,
                 cancellable=False, on_refused=self._refused)

    def _refused(self, error: BaseException) -> bool:
        self.outcome.setText(f"<span style='color:#c62f2f'>未备份:"
                             f"{escape(str(error))}</span>")
        return False  # and the usual warning

    def _done(self, result: backup.BackupResult) -> None:
        self.made = result
        store = self.workspace.store
        self.last.setText(last_backup_text(store.path))
        keys = ("<br>密钥文件:" + escape(result.keys_path.name)
                if result.keys_path is not None else
                "<br><b>注意:</b>本次是用恢复密钥登录的,没有密钥文件;恢复此备份需要恢复密钥。")
        self.outcome.setText(
            f"<p style='color:#1b7f3b'><b>备份完成,已核对无误。</b></p>"
            f"<p>{escape(str(result.path))}{keys}<br>"
            f"{escape(result.info.describe())},{result.info.size / 1024 ** 2:.1f} MB</p>"
            "<p>恢复时,备份文件与其 .keys 文件须放在一起。</p>")
