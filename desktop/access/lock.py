"""Auto-lock: an idle watcher over the whole application's input, and the cover that hides
the main window until the password is typed again. Locking hides the other windows (an open
editor) without closing them, so nothing typed is lost."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.look import icon

DEFAULT_IDLE_MINUTES = 10

_ACTIVITY = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
             QEvent.Type.Wheel, QEvent.Type.TouchBegin}


class IdleWatcher(QObject):
    idle = Signal()

    def __init__(self, timeout_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.idle.emit)
        self.set_timeout(timeout_ms)
        app = QApplication.instance()
        assert app is not None
        app.installEventFilter(self)

    def set_timeout(self, timeout_ms: int) -> None:
        """0 turns auto-lock off."""
        self._timeout = timeout_ms
        self.restart()

    def restart(self) -> None:
        if self._timeout > 0:
            self._timer.start(self._timeout)
        else:
            self._timer.stop()

    def pause(self) -> None:
        self._timer.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY and self._timer.isActive():
            self._timer.start(self._timeout)
        return False

    def detach(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self._timer.stop()


class LockCover(QFrame):
    """Covers its parent window completely; `check(password)` returns an error message or
    None when the password is right."""

    unlocked = Signal()

    def __init__(self, parent: QWidget, user: str, check: Callable[[str], str | None]) -> None:
        super().__init__(parent)
        self.setObjectName("lockCover")
        self.setAutoFillBackground(True)
        self._check = check
        picture = QLabel(self)
        picture.setPixmap(icon("lock").pixmap(56, 56))
        picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title = QLabel("工作站已锁定", self)
        title.setProperty("role", "title")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._user = user
        who = QLabel("", self)
        who.setAlignment(Qt.AlignmentFlag.AlignCenter)
        who.setWordWrap(True)
        self.why = who
        self.password = QLineEdit(self)
        self.password.setObjectName("unlockPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("密码")
        self.password.setFixedWidth(220)
        self.password.returnPressed.connect(self.try_unlock)
        button = QPushButton("解锁", self)
        button.clicked.connect(self.try_unlock)
        self.error = QLabel("", self)
        self.error.setObjectName("unlockError")
        self.error.setProperty("role", "error")
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.password)
        row.addWidget(button)
        row.addStretch(1)
        box = QVBoxLayout(self)
        box.addStretch(2)
        box.addWidget(picture)
        box.addWidget(title)
        box.addWidget(who)
        box.addSpacing(8)
        box.addLayout(row)
        box.addWidget(self.error, 0, Qt.AlignmentFlag.AlignCenter)
        box.addStretch(3)
        parent.installEventFilter(self)
        self.hide()

    def cover(self, why: str = "") -> None:
        self.why.setText(f"{why}请用户“{self._user}”输入密码继续。")
        parent = self.parentWidget()
        assert parent is not None
        self.setGeometry(parent.rect())
        self.password.clear()
        self.error.clear()
        self.show()
        self.raise_()
        self.password.setFocus()

    def try_unlock(self) -> None:
        message = self._check(self.password.text())
        if message:
            self.error.setText(message)
            self.password.selectAll()
            self.password.setFocus()
            return
        self.hide()
        self.unlocked.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and self.isVisible():
            parent = self.parentWidget()
            if parent is not None:
                self.setGeometry(parent.rect())
        return False
