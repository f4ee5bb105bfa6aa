"""Measures the real desktop in its own process, for benchmarks/bench_desktop.py (which may
not import Qt itself): login to a usable main window, search-as-you-type, memory.

    python -m desktop.probe STORE USER PASSWORD OUT.json [TYPING_S [login]]

STORE: a file, or a server's postgresql:// URL (FUPIN_SERVER_KEY set, as for the app).

Writes one JSON object. TYPING_S (default 2): the seconds between the login window
appearing and 登录 being pressed — the user types a password first, and the program loads
its code meanwhile (desktop/access/login.py `_warm_up`); 0 presses at once, as a script
would. `login` stops once the window is usable (the login figures only).

The figures go to a file, not to stdout: desktop/ writes nothing there (a windowed build
has none).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


SCREENS = 800  # screens scrolled at most
# Seconds from the login window to 登录: a password of eight or more characters, typed
# after the window is seen, takes a user at least this long.
TYPING_S = 2.0
POLL_MS = 50  # _wait's check besides the one after each event


def _wait(app: object, condition: object, timeout: float = 30.0) -> None:
    """Runs the event loop until `condition()` holds, as the app's own loop would: it
    sleeps between events, and `condition()` is checked after each event the UI thread
    handles (a paint, the worker's answer), and every POLL_MS besides. Polling every
    millisecond instead took the GIL from the DB worker a thousand times a second: the
    worker's search then waited for the UI thread to be scheduled, on a busy machine
    for tens of milliseconds, which the user's idle window never makes it do."""
    from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer
    from PySide6.QtWidgets import QApplication
    assert isinstance(app, QApplication) and callable(condition)
    if condition():
        return
    end = time.perf_counter() + timeout
    loop = QEventLoop()
    check = QTimer()  # a check after the event being handled has been handled
    check.setSingleShot(True)
    check.setInterval(0)

    def checked() -> None:
        if condition() or time.perf_counter() > end:
            loop.quit()

    check.timeout.connect(checked)

    class AfterEvents(QObject):
        def eventFilter(self, watched: QObject, _event: QEvent) -> bool:  # noqa: N802
            if watched is not check and not check.isActive():
                check.start()
            return False

    after = AfterEvents()
    app.installEventFilter(after)
    poll = QTimer()
    poll.setInterval(POLL_MS)
    poll.timeout.connect(checked)
    poll.start()
    loop.exec()
    poll.stop()
    check.stop()
    app.removeEventFilter(after)
    if not condition():
        raise TimeoutError("界面在限定时间内没有就绪")


def _idle(seconds: float) -> None:
    """Runs the event loop for `seconds` with nothing else to do (the user is typing)."""
    from PySide6.QtCore import QEventLoop, QTimer
    loop = QEventLoop()
    QTimer.singleShot(round(seconds * 1000), loop.quit)
    loop.exec()


def _paints(widget: object) -> list[int]:
    """[paints so far] of `widget`, counted as they happen (the probe waits for the one
    that shows new rows instead of painting again itself)."""
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QWidget
    assert isinstance(widget, QWidget)
    count = [0]

    class Counter(QObject):
        def eventFilter(self, _watched: QObject, event: QEvent) -> bool:  # noqa: N802
            if event.type() == QEvent.Type.Paint:
                count[0] += 1
            return False

    counter = Counter(widget)
    widget.installEventFilter(counter)
    return count


def main(argv: list[str]) -> int:
    # A file, or a server's URL (the province's store: Path would fold its //).
    store: Path | str = argv[0] if "://" in argv[0] else Path(argv[0])
    user, password, out = argv[1], argv[2], Path(argv[3])
    typing_s = float(argv[4]) if len(argv) > 4 else TYPING_S
    login_only = argv[5:6] == ["login"]
    started = time.perf_counter()
    import psutil

    from desktop.access.login import LoginDialog
    from desktop.shell import Shell, application

    app = application()
    shell = Shell(store, idle_ms=0)
    login = shell.start()
    assert isinstance(login, LoginDialog)
    app.processEvents()
    startup = time.perf_counter() - started

    if typing_s > 0:
        _idle(typing_s)
    login.user.setEditText(user)
    login.password.setText(password)
    t0, c0 = time.perf_counter(), time.process_time()
    login.try_login()
    _wait(app, lambda: shell.main_window is not None)
    window = shell.main_window
    assert window is not None
    window_s = time.perf_counter() - t0
    # A paint of the table after its rows changed: the rows are on the screen.
    paints = _paints(window.table.viewport())
    changed: list[int] = []
    window.model.modelReset.connect(lambda: changed.append(paints[0]))
    window.model.rowsInserted.connect(lambda *_a: changed.append(paints[0]))
    _wait(app, lambda: window.tree.root is not None)
    tree_s = time.perf_counter() - t0
    # Usable: the tree and the table's first screen (a long list's first page is shown
    # while the rest is read).
    _wait(app, lambda: window.model.rowCount() > 0 and bool(changed)
          and paints[0] > changed[0])
    login_s = time.perf_counter() - t0
    login_cpu_s = time.process_time() - c0  # every thread's: a loaded machine's wall is noise
    _wait(app, lambda: window.found_label.text().startswith("共")
          and window.workspace.worker.pending() == 0)
    login_all_s = time.perf_counter() - t0
    households = window.model.rowCount()
    figures: dict[str, object] = {
        "households": households, "startup_s": startup, "typing_s": typing_s,
        "login_s": login_s, "login_window_s": window_s, "login_tree_s": tree_s,
        "login_cpu_s": login_cpu_s, "login_all_s": login_all_s,
    }
    if login_only:
        out.write_text(json.dumps(figures) + "\n", encoding="utf-8")
        shell.close()
        return 0

    from desktop.main_window import SEARCH_DELAY_MS  # loaded by now (after the login)

    # Search as the user types: query → ids in the worker → model reset → rows painted
    # (by the window's own paint, as the user sees them), from the moment the search runs
    # (after the typing pause) to the rows on the screen.
    queries = ["z", "zh", "zha", "zhang", "zs", "wang", "wl", "ma", "5134", "19850",
               "张", "王", "李秀", "x", "jike", "ah"]
    times: list[float] = []
    cpu: list[float] = []
    found: list[int] = []
    for q in queries:
        # The search runs SEARCH_DELAY_MS after the last key: what the window was still
        # doing for the list before (a second paint after a reset) is done meanwhile.
        _idle(SEARCH_DELAY_MS / 1000)
        done: list[int] = []
        window.search_finished.connect(done.append)
        window.search_box.blockSignals(True)
        window.search_box.setText(q)
        window.search_box.blockSignals(False)
        t, c = time.perf_counter(), time.process_time()
        window.run_search()
        _wait(app, lambda d=done: bool(d) and paints[0] > changed[-1])
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
        window.search_finished.disconnect(done.append)
        found.append(done[0])

    # Scroll the whole list (every page fetched once), then memory.
    window.search_box.setText("")
    window.run_search()
    _wait(app, lambda: window.model.rowCount() == households
          and window.workspace.worker.pending() == 0)
    window.resize(1366, 768)
    for _ in range(5):
        app.processEvents()
    bar = window.table.verticalScrollBar()
    # Screen by screen to the end; over a longer list (a county), SCREENS screens spread
    # evenly from top to bottom, each on rows not fetched before.
    step = max(bar.pageStep(), -(-bar.maximum() // SCREENS))
    t = time.perf_counter()
    steps = 0
    while bar.value() < bar.maximum():
        bar.setValue(bar.value() + step)
        window.table.viewport().grab()
        steps += 1
    scroll_s = time.perf_counter() - t
    rss_mb = psutil.Process().memory_info().rss / 2**20

    out.write_text(json.dumps({
        **figures,
        "search_cpu_median_ms": statistics.median(cpu) * 1000,
        "search_cpu_max_ms": max(cpu) * 1000,
        "search_median_ms": statistics.median(times) * 1000,
        "search_max_ms": max(times) * 1000, "search_found": found,
        "search_ms": {q: round(t * 1000, 1) for q, t in zip(queries, times, strict=True)},
        "scroll_pages": steps, "scroll_s": scroll_s, "page_fetches": window.model.fetches,
        "rss_mb": rss_mb,
    }) + "\n", encoding="utf-8")
    shell.close()
    return 0


if __name__ == "__main__":
    if len(sys.argv) < 5:  # a developer's tool, but no traceback for a wrong call either
        sys.exit("用法:python -m desktop.probe STORE USER PASSWORD OUT.json [TYPING_S [login]]")
    sys.exit(main(sys.argv[1:]))
