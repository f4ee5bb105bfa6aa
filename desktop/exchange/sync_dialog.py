"""The base of every sync dialog: it runs one piece of sync work in the DB worker with its
own progress bar and 取消, and lays itself out the same way as the others."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLayout,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.widgets.labels import set_title
from desktop.workspace import Workspace
from registry.progress import Cancelled


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
