"""The one database worker: every piece of long or store-touching work runs here, one at a
time, off the UI thread. Work comes only as a `StoreOp` (desktop.operations.store_op), which
says what to call back; the worker runs it, relays its progress, shows the delayed progress
dialog, and hands the result or the exception back on the UI thread.

The work gets a `registry.progress.Progress` callback; returning False from it (the user
pressed 取消) makes the work raise `Cancelled` and roll back. A progress dialog appears only
when the work is still running after `PROGRESS_DELAY_MS` (short work shows nothing).
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass, field
from itertools import count
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

if TYPE_CHECKING:
    from desktop.operations.store_op import StoreOp

PROGRESS_DELAY_MS = 500


@dataclass
class _Job:
    id: int
    op: StoreOp[Any]
    cancel_requested: threading.Event = field(default_factory=threading.Event)


class _Thread(QThread):
    finished_job = Signal(int, int, object)  # job id, ok (1/0), result or exception
    progressed = Signal(int, int, int)  # job id, done, total

    def __init__(self) -> None:
        super().__init__()
        self.jobs: queue.Queue[_Job | None] = queue.Queue()

    def run(self) -> None:
        while True:
            job = self.jobs.get()
            if job is None:
                return
            current = job

            def progress(done: int, total: int, job: _Job = current) -> bool:
                self.progressed.emit(job.id, done, total)
                return not job.cancel_requested.is_set()

            try:
                result = job.op.work(progress)
            except Exception as e:  # noqa: BLE001 - handed to the op's failure on the UI thread
                self.finished_job.emit(job.id, 0, e)
            else:
                self.finished_job.emit(job.id, 1, result)


class DbWorker(QObject):
    """Owns the worker thread; `start` (through `StoreOp.run`) from the UI thread only."""

    busy_changed = Signal(bool)

    def __init__(self, parent_widget: QWidget | None = None) -> None:
        super().__init__()
        self._parent_widget = parent_widget
        self._ids = count(1)
        self._jobs: dict[int, _Job] = {}
        self._dialogs: dict[int, QProgressDialog] = {}
        self._timers: dict[int, QTimer] = {}
        self._thread = _Thread()
        self._thread.finished_job.connect(self._finished, Qt.ConnectionType.QueuedConnection)
        self._thread.progressed.connect(self._progressed, Qt.ConnectionType.QueuedConnection)
        self._thread.start()

    def set_parent_widget(self, widget: QWidget | None) -> None:
        """The window that progress dialogs and failure messages belong to by default."""
        self._parent_widget = widget

    def parent_widget(self) -> QWidget | None:
        return self._parent_widget

    def start(self, op: StoreOp[Any]) -> int:
        """Queues `op`; returns its id. Called by `StoreOp.run()`."""
        job = _Job(next(self._ids), op)
        self._jobs[job.id] = job
        if op.progress_label:
            timer = QTimer(self)
            timer.setSingleShot(True)
            timer.timeout.connect(lambda job_id=job.id: self._show_progress(job_id))
            timer.start(PROGRESS_DELAY_MS)
            self._timers[job.id] = timer
        self.busy_changed.emit(True)
        self._thread.jobs.put(job)
        return job.id

    def pending(self) -> int:
        return len(self._jobs)

    def cancel(self, op_id: int) -> None:
        job = self._jobs.get(op_id)
        if job is not None:
            job.cancel_requested.set()

    def _show_progress(self, job_id: int) -> None:
        job = self._jobs.get(job_id)
        if job is None:
            return
        op = job.op
        dialog = QProgressDialog(op.progress_label, "取消" if op.cancellable else "",
                                 0, 0, op.parent_widget())
        dialog.setWindowTitle("请稍候")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        if op.cancellable:
            dialog.canceled.connect(lambda: self._user_cancelled(job_id))
        else:
            dialog.setCancelButton(None)
        dialog.show()
        self._dialogs[job_id] = dialog

    def _user_cancelled(self, job_id: int) -> None:
        self.cancel(job_id)
        dialog = self._dialogs.get(job_id)
        if dialog is not None:
            dialog.setLabelText("正在取消…(已做的部分将撤销)")

    def _progressed(self, job_id: int, done: int, total: int) -> None:
        dialog = self._dialogs.get(job_id)
        if dialog is not None and total > 0:
            dialog.setMaximum(total)
            dialog.setValue(min(done, total))
        job = self._jobs.get(job_id)
        if job is not None:
            job.op.progressed(done, total)

    def _finished(self, job_id: int, ok: int, payload: object) -> None:
        job = self._jobs.pop(job_id, None)
        timer = self._timers.pop(job_id, None)
        if timer is not None:
            timer.stop()
            timer.deleteLater()
        dialog = self._dialogs.pop(job_id, None)
        if dialog is not None:
            dialog.close()
            dialog.deleteLater()
        if not self._jobs:
            self.busy_changed.emit(False)
        if job is None:
            return
        if ok:
            job.op.succeeded(payload)
        else:
            assert isinstance(payload, BaseException)
            job.op.failed(payload)

    def stop(self) -> None:
        """Finishes the queued work, then ends the thread (on quit and logout)."""
        self._thread.jobs.put(None)
        self._thread.wait()

