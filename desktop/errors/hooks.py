"""Exceptions nobody caught — a bug in a slot, a timer, a thread — go the way of a failed
StoreOp: logged without personal data, then the 程序出错 dialog. Never a traceback to a
console that a windowed program does not have.

    hooks.install()     # once the QApplication exists (desktop.shell.run)
"""

from __future__ import annotations

import sys
import threading
from types import TracebackType

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication

from desktop.errors.dialog import show_failure
from registry import failures

IN_THE_WINDOW = "界面操作"  # what the log says was being done
IN_A_THREAD = "后台线程"


class _Relay(QObject):
    """Brings a failure to the UI thread (queued when emitted from another thread)."""

    failed = Signal(object, str, str)  # exception, message, doing


_relay: _Relay | None = None
_previous: tuple[object, object] | None = None


def _show(error: BaseException, message: str, doing: str) -> None:
    show_failure(error, message, "操作未完成", QApplication.activeWindow())


def handle(kind: type[BaseException], error: BaseException | None,
           tb: TracebackType | None, doing: str = IN_THE_WINDOW) -> None:
    if error is None:
        error = kind()
    if isinstance(error, KeyboardInterrupt | SystemExit):
        sys.__excepthook__(kind, error, tb)
        return
    if error.__traceback__ is None:
        error = error.with_traceback(tb)
    try:
        message = failures.report(error, doing)
        if _relay is not None:
            _relay.failed.emit(error, message, doing)
    except Exception:  # noqa: BLE001 - the error path itself failed: the last resort
        if sys.stderr is not None:
            sys.__excepthook__(kind, error, tb)


def _handle_thread(args: threading.ExceptHookArgs) -> None:
    handle(args.exc_type, args.exc_value, args.exc_traceback, IN_A_THREAD)


def install() -> None:
    """Sends uncaught exceptions of the UI thread and of other threads to `handle`."""
    global _relay, _previous
    if _relay is None:
        _relay = _Relay()  # created on the UI thread, so its slot runs there
        _relay.failed.connect(_show)
    if _previous is None:
        _previous = (sys.excepthook, threading.excepthook)
    sys.excepthook = handle
    threading.excepthook = _handle_thread


def uninstall() -> None:
    """Puts the previous hooks back (tests)."""
    global _previous
    if _previous is not None:
        sys.excepthook, threading.excepthook = _previous  # type: ignore[assignment]
        _previous = None
