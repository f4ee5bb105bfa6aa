"""The base of every sync dialog: it runs one piece of sync work in the DB worker with its
own progress bar and 取消, and lays itself out the same way as the others."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from PySide6.QtCore import Qt, Signal
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

from desktop.errors.dialog import show_failure
from desktop.operations.store_op import StoreOp
from desktop.widgets.labels import set_title
from desktop.workspace import Workspace
from registry import failures
from registry.progress import Progress

T = TypeVar("T")


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
        self._op: StoreOp[Any] | None = None
        self._on_refused: Callable[[BaseException], bool] | None = None
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

    def run(self, doing: str, work: Callable[[Progress], T], on_done: Callable[[T], None],
            cancellable: bool = True,
            on_refused: Callable[[BaseException], bool] | None = None) -> None:
        """Runs work(progress) in the DB worker with this dialog's progress bar; on_done(result)
        back on the UI thread; a failure is shown with its Chinese message, unless
        `on_refused(error)` says it in the dialog's own place and returns True. `doing`
        names the work for the log (no data)."""
        if self.busy():
            return
        self._on_refused = on_refused

        def done(result: T) -> None:
            self._finish()
            on_done(result)
            self.work_done.emit(result)

        self.bar.setRange(0, 0)
        self.bar.show()
        self.cancel_button.setVisible(cancellable)
        self.cancel_button.setEnabled(True)
        self.set_busy(True)
        self._op = StoreOp(self.workspace.worker, doing, work, parent=self).success(
            done).failure(self._failed).on_progress(self._progressed).run()

    def set_busy(self, busy: bool) -> None:
        """Subclasses disable their buttons while work runs."""

    def _progressed(self, done: int, total: int) -> None:
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))

    def cancel_work(self) -> None:
        if self._op is not None:
            self._op.cancel()
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
        message = failures.user_message(error)
        handled = self._on_refused is not None and self._on_refused(error)
        if not handled:
            show_failure(error, message, self.windowTitle(), self)
        self.work_failed.emit(message)

    def show_error(self, message: str) -> None:
        """A refusal the dialog itself finds (nothing selected, no reason given)."""
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
