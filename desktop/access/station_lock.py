"""Locking the main window: after the idle time or on 锁定 (Ctrl+L), open questions are
answered "no", the other windows are hidden (not closed: an editor keeps what was typed),
the window's actions are disabled and the cover asks for the password again.

    lock = StationLock(window, store)     # window.lock() and friends delegate to it
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QSettings
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QInputDialog, QMainWindow, QMessageBox, QWidget

from desktop.access.lock import DEFAULT_IDLE_MINUTES, IdleWatcher, LockCover
from registry.errors import WrongPassword
from registry.store import Store
from registry.unlock import confirm_user

IDLE_KEY = "lock/idle_minutes"


def idle_minutes() -> int:
    """Auto-lock after this many idle minutes (0: never); kept in the user's settings."""
    try:
        return max(0, int(str(QSettings().value(IDLE_KEY, DEFAULT_IDLE_MINUTES))))
    except ValueError:
        return DEFAULT_IDLE_MINUTES


class StationLock(QObject):
    def __init__(self, window: QMainWindow, store: Store, idle_ms: int | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.store = store
        self._hidden: list[QWidget] = []
        self._disabled: list[QAction] = []
        self.cover = LockCover(window, store.user, self.check_password)
        self.cover.unlocked.connect(self._unlocked)
        self.idle = IdleWatcher(idle_minutes() * 60_000 if idle_ms is None else idle_ms, self)
        self.idle.idle.connect(lambda: self.lock(idle=True))

    def is_locked(self) -> bool:
        return self.cover.isVisible()

    def lock(self, idle: bool = False) -> None:
        if self.is_locked():
            return
        self.idle.pause()
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        for w in app.topLevelWidgets():
            if isinstance(w, QMessageBox | QInputDialog) and w.isVisible():
                w.reject()  # a pending question is answered "no": nothing happens
        self._hidden = [w for w in app.topLevelWidgets()
                        if w is not self.window and w.isVisible()]
        for w in self._hidden:
            w.hide()  # hidden, not closed: an editor keeps what was typed
        self._disabled = [a for a in self.window.findChildren(QAction) if a.isEnabled()]
        for a in self._disabled:
            a.setEnabled(False)
        self.cover.cover("长时间未操作,为保护农户信息已自动锁定。" if idle else "")

    def check_password(self, password: str) -> str | None:
        """None when `password` is the logged-in user's, else the message to show."""
        try:
            confirm_user(self.store, password)
        except WrongPassword as e:
            return str(e)
        return None

    def _unlocked(self) -> None:
        for a in self._disabled:
            a.setEnabled(True)
        for w in self._hidden:
            w.show()
        self._hidden = []
        self.idle.restart()

    def set_idle_timeout(self, ms: int) -> None:
        self.idle.set_timeout(ms)

    def choose_idle_minutes(self) -> None:
        """文件 → 自动锁定时间: asked, remembered, applied at once."""
        minutes, ok = QInputDialog.getInt(self.window, "自动锁定",
                                          "无操作多少分钟后自动锁定(0 为不锁定):",
                                          idle_minutes(), 0, 240)
        if ok:
            QSettings().setValue(IDLE_KEY, minutes)
            self.set_idle_timeout(minutes * 60_000)

    def detach(self) -> None:
        """Stops watching the application's input (the window is closing)."""
        self.idle.detach()
