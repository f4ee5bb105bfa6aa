"""One piece of store work, run in the DB worker: the only way the desktop runs store work
(Anki's QueryOp/CollectionOp).

    StoreOp(worker, "导出Excel", lambda progress: export(store, path, progress=progress))
        .success(show_report)                       # on the UI thread, with the result
        .failure(show_in_dialog)                    # optional: see below
        .with_progress("正在导出Excel…", cancellable=True)
        .run()

`doing` names the work in a fixed text without data (no names, no file names): it goes to
the log, and titles the default message. Every failure is logged once through
`registry.failures.report`. Without a failure callback the user sees the one error path's
message (desktop.errors.dialog.show_failure): a warning for a refusal, the 程序出错 dialog
for a bug. With one, the callback gets the exception and says it in its own place (beside a
field, in the dialog's label) with the text of `failures.user_message`, or hands the cases
it has nothing special to say about to `show_failure`.

`owner`: the screen the result is for (a dialog using its main window's ops). When the user
closed it before the work finished, its widgets are gone: the result and the progress are
dropped (a failure is still logged and shown over the window).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

import shiboken6
from PySide6.QtWidgets import QWidget

from desktop.errors.dialog import show_failure
from desktop.operations.worker import DbWorker
from registry import failures
from registry.progress import Progress

T = TypeVar("T")


class StoreOp(Generic[T]):
    def __init__(self, worker: DbWorker, doing: str, work: Callable[[Progress], T],
                 parent: QWidget | None = None, owner: QWidget | None = None) -> None:
        self.worker = worker
        self.doing = doing
        self.work = work
        self._parent = parent
        self._owner = owner
        self._on_success: Callable[[T], object] | None = None
        self._on_failure: Callable[[BaseException], object] | None = None
        self._on_progress: Callable[[int, int], object] | None = None
        self.progress_label = ""
        self.cancellable = False
        self.id: int | None = None  # set by run()

    # ---- what to do ---------------------------------------------------------------------
    def success(self, callback: Callable[[T], object]) -> StoreOp[T]:
        self._on_success = callback
        return self

    def failure(self, callback: Callable[[BaseException], object]) -> StoreOp[T]:
        """The op shows its failures itself (the failure is still logged)."""
        self._on_failure = callback
        return self

    def with_progress(self, label: str, cancellable: bool = False) -> StoreOp[T]:
        """A progress dialog with `label` when the work takes longer than half a second,
        with 取消 when `cancellable`."""
        self.progress_label = label
        self.cancellable = cancellable
        return self

    def on_progress(self, callback: Callable[[int, int], object]) -> StoreOp[T]:
        """`callback(done, total)` on the UI thread (a dialog's own progress bar)."""
        self._on_progress = callback
        return self

    def run(self) -> StoreOp[T]:
        self.id = self.worker.start(self)
        return self

    def cancel(self) -> None:
        """Asks the work to stop at its next progress report (it rolls back)."""
        if self.id is not None:
            self.worker.cancel(self.id)

    # ---- called by the worker on the UI thread --------------------------------------------
    def parent_widget(self) -> QWidget | None:
        """Where dialogs go: the op's parent while it exists, else the worker's window."""
        for widget in (self._parent, self.worker.parent_widget()):
            if widget is not None and shiboken6.isValid(widget):
                return widget
        return None

    def owner_gone(self) -> bool:
        """The screen the result was for has been closed and deleted."""
        return self._owner is not None and not shiboken6.isValid(self._owner)

    def progressed(self, done: int, total: int) -> None:
        if self._on_progress is not None and not self.owner_gone():
            self._on_progress(done, total)

    def succeeded(self, result: Any) -> None:
        if self._on_success is not None and not self.owner_gone():
            self._on_success(result)

    def failed(self, error: BaseException) -> None:
        message = failures.report(error, self.doing)
        if self._on_failure is not None and not self.owner_gone():
            self._on_failure(error)
        else:  # (also when the screen with its own place for it is gone)
            show_failure(error, message, self.doing, self.parent_widget())
