"""The one database worker: every piece of long or store-touching work runs here, one at a
time, off the UI thread (Anki's QueryOp/CollectionOp idea).

    worker.submit(lambda progress: save(...), on_done=..., on_fail=..., label="正在保存…")

`fn` gets a `registry.progress.Progress` callback; returning False from it (the user pressed
取消) makes the work raise `Cancelled` and roll back. Results and errors come back to the UI
thread by signal and are handed to the callbacks there. A progress dialog appears only when
the work is still running after `PROGRESS_DELAY_MS` (short work shows nothing).
"""

from __future__ import annotations

import queue
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import count
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from registry.progress import Cancelled

PROGRESS_DELAY_MS = 500

Work = Callable[[Callable[[int, int], bool]], Any]


@dataclass
class Op:
    id: int
    fn: Work
    on_done: Callable[[Any], None] | None = None
    on_fail: Callable[[BaseException], None] | None = None
    label: str = ""
    cancellable: bool = False
    cancel_requested: threading.Event = field(default_factory=threading.Event)


class _Thread(QThread):
    finished_op = Signal(int, int, object)  # op id, ok (1/0), result or exception
    progressed = Signal(int, int, int)  # op id, done, total

    def __init__(self) -> None:
        super().__init__()
        self.jobs: queue.Queue[Op | None] = queue.Queue()

    def run(self) -> None:
        while True:
            op = self.jobs.get()
            if op is None:
                return
            current = op

            def progress(done: int, total: int, op: Op = current) -> bool:
                self.progressed.emit(op.id, done, total)
                return not op.cancel_requested.is_set()

            try:
                result = op.fn(progress)
            except BaseException as e:  # noqa: BLE001 - handed to the UI's on_fail
                if not isinstance(e, Cancelled | Exception):
                    raise
                e.__traceback_text__ = traceback.format_exc()  # type: ignore[attr-defined]
                self.finished_op.emit(op.id, 0, e)
            else:
                self.finished_op.emit(op.id, 1, result)


class DbWorker(QObject):
    """Owns the worker thread; `submit` from the UI thread only."""

    busy_changed = Signal(bool)

    def __init__(self, parent_widget: QWidget | None = None) -> None:
        super().__init__()
        self._parent_widget = parent_widget
        self._ids = count(1)
        self._ops: dict[int, Op] = {}
        self._dialogs: dict[int, QProgressDialog] = {}
        self._timers: dict[int, QTimer] = {}
        self._thread = _Thread()
        self._thread.finished_op.connect(self._finished, Qt.ConnectionType.QueuedConnection)
        self._thread.progressed.connect(self._progressed, Qt.ConnectionType.QueuedConnection)
        self._thread.start()

    def set_parent_widget(self, widget: QWidget | None) -> None:
        self._parent_widget = widget

    def submit(self, fn: Work, on_done: Callable[[Any], None] | None = None,
               on_fail: Callable[[BaseException], None] | None = None, *, label: str = "",
               cancellable: bool = False) -> int:
        op = Op(next(self._ids), fn, on_done, on_fail, label, cancellable)
        self._ops[op.id] = op
        if label:
            timer = QTimer(self)
            timer.setSingleShot(True)
            timer.timeout.connect(lambda op_id=op.id: self._show_progress(op_id))
            timer.start(PROGRESS_DELAY_MS)
            self._timers[op.id] = timer
        self.busy_changed.emit(True)
        self._thread.jobs.put(op)
        return op.id

    def pending(self) -> int:
        return len(self._ops)

    def cancel(self, op_id: int) -> None:
        op = self._ops.get(op_id)
        if op is not None:
            op.cancel_requested.set()

    def _show_progress(self, op_id: int) -> None:
        op = self._ops.get(op_id)
        if op is None:
            return
        dialog = QProgressDialog(op.label, "取消" if op.cancellable else "",
                                 0, 0, self._parent_widget)
        dialog.setWindowTitle("请稍候")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        if op.cancellable:
            dialog.canceled.connect(lambda: self._user_cancelled(op_id))
        else:
            dialog.setCancelButton(None)
        dialog.show()
        self._dialogs[op_id] = dialog

    def _user_cancelled(self, op_id: int) -> None:
        self.cancel(op_id)
        dialog = self._dialogs.get(op_id)
        if dialog is not None:
            dialog.setLabelText("正在取消…(已做的部分将撤销)")

    def _progressed(self, op_id: int, done: int, total: int) -> None:
        dialog = self._dialogs.get(op_id)
        if dialog is not None and total > 0:
            dialog.setMaximum(total)
            dialog.setValue(min(done, total))

    def _finished(self, op_id: int, ok: int, payload: object) -> None:
        op = self._ops.pop(op_id, None)
        timer = self._timers.pop(op_id, None)
        if timer is not None:
            timer.stop()
            timer.deleteLater()
        dialog = self._dialogs.pop(op_id, None)
        if dialog is not None:
            dialog.close()
            dialog.deleteLater()
        if not self._ops:
            self.busy_changed.emit(False)
        if op is None:
            return
        if ok:
            if op.on_done is not None:
                op.on_done(payload)
        elif op.on_fail is not None:
            assert isinstance(payload, BaseException)
            op.on_fail(payload)
        else:
            traceback_text = getattr(payload, "__traceback_text__", str(payload))
            print(traceback_text)  # an unhandled failure still leaves a trace

    def stop(self) -> None:
        """Finishes the queued work, then ends the thread (on quit and logout)."""
        self._thread.jobs.put(None)
        self._thread.wait()
