"""文件 → 备份到U盘… / 从备份恢复…, and the reminder when the last backup is 7 days old or
more (a button in the status bar, and a question once after login).

    install(window, on_restored)   # on_restored() -> the login window the shell opens
    window.findChild(BackupActions)

A store on a PostgreSQL server has no file to copy: its operator backs it up (pg_dump, base
backups). There both menu entries say so and open nothing, and no reminder is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget

from desktop.backup.backup_dialog import BackupDialog
from desktop.backup.restore_dialog import RestoreDialog, choose_backup
from desktop.look import icon
from registry import backup
from registry.roles import Act

if TYPE_CHECKING:
    from desktop.main_window import MainWindow

MENU = "文件"
ON_SERVER = ("本数据库在服务器上(PostgreSQL),没有本地文件,不能在程序中备份到U盘或从备份恢复。"
             "备份和恢复由服务器管理员用 pg_dump 或基础备份完成,请与服务器管理员联系。")


class BackupActions(QObject):
    def __init__(self, window: MainWindow, on_restored: Callable[[], QWidget | None]) -> None:
        super().__init__(window)
        self.setObjectName("backupActions")
        self.window = window
        self.workspace = window.workspace
        self.on_restored = on_restored
        self.backup_dialog: BackupDialog | None = None
        self.restore_dialog: RestoreDialog | None = None
        self.reminder: QMessageBox | None = None

        self.on_server = self.workspace.store.server
        self.backup_action = QAction(icon("usb"), "备份到U盘…", window)
        self.backup_action.setObjectName("backupAction")
        self.restore_action = QAction(icon("refresh"), "从备份恢复…", window)
        self.restore_action.setObjectName("restoreAction")
        if self.on_server:
            for action in (self.backup_action, self.restore_action):
                action.setToolTip(ON_SERVER)
                action.setStatusTip(ON_SERVER)
                action.triggered.connect(lambda: self.explain_server())
        else:
            self.backup_action.triggered.connect(lambda: self.open_backup())
            self.restore_action.triggered.connect(lambda: self.open_restore())
            self.restore_action.setEnabled(self.workspace.store.can(Act.MANAGE_USERS))
            if not self.restore_action.isEnabled():
                self.restore_action.setToolTip("只有管理员可以从备份恢复")
        _insert_before_quit(window, [self.backup_action, self.restore_action])

        self.due_button = QPushButton("", window)
        self.due_button.setObjectName("backupDue")
        self.due_button.setFlat(True)
        self.due_button.setStyleSheet("color: #b35900; font-weight: bold;")
        self.due_button.clicked.connect(self.open_backup)
        self.due_button.hide()
        window.statusBar().addPermanentWidget(self.due_button)
        self.update_reminder(ask=True)

    # ---- the reminder ---------------------------------------------------------------------
    def due_days(self) -> int | None:
        store = self.workspace.store
        if self.on_server:  # the server's operator backs it up
            return None
        return backup.backup_due(store.path, store.info.created_at)

    def update_reminder(self, ask: bool = False) -> None:
        days = self.due_days()
        self.due_button.setVisible(days is not None)
        if days is None:
            return
        never = backup.last_backup(self.workspace.store.path) is None
        text = "从未备份" if never else f"已 {days} 天未备份"
        self.due_button.setText(f"⚠ {text},点此备份到U盘")
        if ask:  # once per login, after the window has appeared
            QTimer.singleShot(0, lambda: self._ask(text))

    def _ask(self, text: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, "备份提醒",
                          f"本数据库{text}。电脑硬盘损坏或丢失时,只有备份能找回全部农户信息。"
                          "\n\n现在插入U盘备份吗?(备份时程序可以继续使用)",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                          self.window)
        box.setObjectName("backupReminder")
        box.button(QMessageBox.StandardButton.Yes).setText("现在备份")
        box.button(QMessageBox.StandardButton.No).setText("以后再说")
        box.accepted.connect(self.open_backup)
        self.reminder = box
        box.open()

    # ---- dialogs ------------------------------------------------------------------------------
    def explain_server(self) -> QMessageBox:
        """On a server store: why there is no backup here, and who makes it."""
        box = QMessageBox(QMessageBox.Icon.Information, "备份与恢复", ON_SERVER,
                          parent=self.window)
        box.setObjectName("backupOnServer")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box

    def open_backup(self) -> BackupDialog:
        dialog = self.backup_dialog
        if dialog is not None and dialog.isVisible():
            dialog.raise_()
            return dialog
        dialog = BackupDialog(self.workspace, self.window)
        dialog.work_done.connect(lambda _r: self.update_reminder())
        self.backup_dialog = dialog
        dialog.show()
        return dialog

    def open_restore(self, path: Path | None = None) -> RestoreDialog | None:
        """Asks for the backup file first (tests pass it)."""
        store = self.workspace.store
        if path is None:
            path = choose_backup(self.window, backup.last_folder(store.path))
            if path is None:
                return None
        dialog = RestoreDialog(self.workspace.worker, store.path, store, self.window)
        dialog.restored.connect(self._restored)
        self.restore_dialog = dialog
        dialog.show()
        dialog.set_backup(path)
        return dialog

    def _restored(self, result: backup.RestoreResult) -> None:
        """The main window closes for the login; the message stays over the login."""
        if self.restore_dialog is not None:
            self.restore_dialog.accept()
        login = self.on_restored()
        aside = (f"\n\n原数据库已另存为:{result.replaced}" if result.replaced is not None
                 else "")
        box = QMessageBox(QMessageBox.Icon.Information, "从备份恢复",
                          f"已从备份恢复,{result.info.households} 户。请重新登录"
                          f"(用户和密码是备份当时的)。{aside}", parent=login)
        box.setObjectName("restoredMessage")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.show()


def _insert_before_quit(window: MainWindow, actions: list[QAction]) -> None:
    """Into 文件, above the separator before 退出 (add_action would put them after it)."""
    menu = window.menu(MENU)
    separators = [a for a in menu.actions() if a.isSeparator()]
    before = separators[-1] if separators else None
    if before is not None:
        menu.insertSeparator(before)
    for action in actions:
        if before is None:
            menu.addAction(action)
        else:
            menu.insertAction(before, action)
        window.addAction(action)


def install(window: MainWindow, on_restored: Callable[[], QWidget | None]) -> BackupActions:
    return BackupActions(window, on_restored)
