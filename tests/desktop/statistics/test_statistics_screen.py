"""The 统计 screen over the demo station (table and chart from the same definition as the
report, 导出Excel, 打印统计报告) and the county's tree county → township → village → group."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook
from pytestqt.qtbot import QtBot

from desktop.households.village_tree import PlaceRole
from desktop.main_window import MainWindow
from desktop.shell import Shell
from desktop.statistics.screen import StatisticsScreen
from registry import statistics
from registry.store import Store
from reports.statistics.tables import REPORT_ORDER
from tests.conftest import PASSWORD
from tests.desktop.conftest import log_in, save_screen
from tests.desktop.procedure.conftest import county_with_queue  # noqa: F401 (a fixture)


def open_screen(qtbot: QtBot, window: MainWindow) -> StatisticsScreen:
    action = next(a for a in window.menu("统计").actions() if a.text() == "统计分析…")
    action.trigger()
    screen = window.findChild(StatisticsScreen)
    assert screen is not None
    qtbot.addWidget(screen)
    qtbot.waitUntil(lambda: screen.view is not None, timeout=15000)
    return screen


def test_screen_shows_each_table_with_its_chart(qtbot: QtBot, main_window: MainWindow,
                                                station_copy: Path, tmp_path: Path) -> None:
    screen = open_screen(qtbot, main_window)
    for by, level, name in (("cause", "village", "stats-cause-village"),
                            ("attribute", "township", "stats-attribute"),
                            ("year", "township", "stats-year"),
                            ("measure", "village", "stats-measure")):
        with qtbot.waitSignal(screen.shown, timeout=15000):
            screen.choose(by=by, level=level)
            screen.reload()
        qtbot.waitUntil(lambda by=by: screen.view is not None and screen.view.table.by == by
                        and main_window.workspace.worker.pending() == 0, timeout=15000)
        assert screen.view is not None
        with Store.open(station_copy, "admin", PASSWORD) as store, store.session() as s:
            rows = statistics.stats(s, by, level)
        assert list(screen.view.table.rows) == rows
        assert screen.model.rowCount() == len(rows)
        assert screen.model.index(0, 4).data() == f"{rows[0].people:,}"
        pixmap = screen.chart.pixmap()
        assert not pixmap.isNull() and pixmap.width() > 400
        save_screen(screen, tmp_path, name)

    out = tmp_path / "stats.xlsx"
    with qtbot.waitSignal(screen.exported, timeout=30000):
        screen.export_to(out)
    assert len(load_workbook(out).worksheets) == len(REPORT_ORDER)

    with qtbot.waitSignal(screen.preview_opened, timeout=60000) as opened:
        screen.print_report()
    preview = opened.args[0]
    assert preview.windowTitle() and preview.isVisible()
    preview.resize(900, 1000)
    qtbot.waitUntil(lambda: {0, 1} <= set(preview.rendered_pages()), timeout=20000)
    preview.go_to(1)
    qtbot.waitUntil(lambda: 1 in preview.rendered_pages(), timeout=20000)
    save_screen(preview, tmp_path, "stats-report-preview")
    assert screen.preview is preview
    preview.close()


def test_county_tree_has_townships_with_counts(qtbot: QtBot, shell_factory: list[Shell],
                                              county_with_queue: Path,  # noqa: F811
                                              tmp_path: Path) -> None:
    shell = Shell(county_with_queue)
    shell_factory.append(shell)
    window = log_in(qtbot, shell)
    root = window.tree.root
    assert root is not None and root.text(1) == "20"
    townships = [root.child(i) for i in range(root.childCount())]
    assert all(len(t.data(0, PlaceRole)[0]) == 9 for t in townships)
    busy = [t for t in townships if t.text(1) != "0"]
    assert len(busy) == 1 and busy[0].text(1) == "20"
    villages = [busy[0].child(i) for i in range(busy[0].childCount())]
    assert sum(int(v.text(1)) for v in villages) == 20
    assert all(v.data(0, PlaceRole)[0].startswith(busy[0].data(0, PlaceRole)[0])
               for v in villages)
    with qtbot.waitSignal(window.search_finished, timeout=10000) as found:
        window.tree.setCurrentItem(busy[0])
    assert found.args == [20]
    assert window.tree.current_place() == (None, None)  # a township is not a village
    with qtbot.waitSignal(window.search_finished, timeout=10000) as found:
        window.tree.setCurrentItem(townships[0] if townships[0] is not busy[0]
                                   else townships[1])
    assert found.args == [0]
    busy[0].setExpanded(True)
    with qtbot.waitSignal(window.search_finished, timeout=10000):
        window.tree.setCurrentItem(busy[0])
    save_screen(window, tmp_path, "county-tree")
    screen = open_screen(qtbot, window)
    assert screen.unit.count() > 1 + len(townships)
    save_screen(screen, tmp_path, "stats-county")


