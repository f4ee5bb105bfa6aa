"""Guards against a binding bug seen in PySide6 6.12.0: every Signal.emit() from Python
dropped one reference to True, so the program aborted ("bool_dealloc") after a few hundred
signals — mid-session, not only at exit. pyproject.toml keeps PySide6 below 6.12."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from pytestqt.qtbot import QtBot


class _Emitter(QObject):
    number = Signal(int)
    nothing = Signal()


def test_emitting_signals_keeps_reference_counts(qtbot: QtBot) -> None:
    emitter = _Emitter()
    received: list[int] = []
    emitter.number.connect(received.append)
    emitter.nothing.connect(lambda: received.append(0))
    before = sys.getrefcount(True), sys.getrefcount(False)
    for i in range(50):
        emitter.number.emit(i)
        emitter.nothing.emit()
    assert len(received) == 100
    assert (sys.getrefcount(True), sys.getrefcount(False)) == before
