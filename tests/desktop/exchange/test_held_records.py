"""What the county kept for review shows in red: a station's audit chain cut and a row
changed behind the program's back (SQL with the data key, as tests/sync/test_audit_tamper.py
does), exported and imported at the county through the real dialogs. The import results
mark the bundle and name the finding; the per-station table turns the station's row red,
counts it under 待核查 and says why in the tooltip."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from desktop.errors.dialog import ErrorDialog
from desktop.exchange.sync_county import HELD, STATUS_HEADERS, StationsDialog
from desktop.exchange.sync_import import ImportDialog
from desktop.look import GREEN, RED, RED_BACK
from desktop.shell import Shell
from sync import export, receive
from tests.desktop.conftest import log_in
from tests.desktop.exchange.test_sync_roundtrip import (
    WAIT,
    cell,
    opened,
    pick_files,
    screen,
    settle,
    trigger,
)
from tests.sync.conftest import enroll_pair, make_county, make_station
from tests.sync.test_audit_tamper import _edit, _households, _raise_income, _sql

A, B = "513431100", "513431101"


@dataclass
class Tampered:
    county: Path
    honest: Path  # B's next bundle, nothing wrong with it
    tampered: Path  # A's bundle 2: its chain cut, a row changed in SQL
    raised: str  # the household whose income was raised


@pytest.fixture
def tampered(tmp_path: Path) -> Tampered:
    county = make_county(tmp_path)
    a = make_station(tmp_path, A, households=4, seed=1)
    b = make_station(tmp_path, B, households=4, seed=2)
    usb = tmp_path / "usb"
    usb.mkdir()
    try:
        for st in (a, b):
            enroll_pair(st, county, tmp_path)
        homes = _households(a, 2)
        for i, hid in enumerate(homes):
            _edit(a, hid, f"1390000000{i}")
        for st in (a, b):
            sent = export.export_station(st, usb)
            assert receive.import_files(county, [sent.path])[0].status == "applied"
        # The insider: the last synced audit entry deleted, a wage raised with no entry.
        _sql(a, "DELETE FROM audit WHERE seq = (SELECT max(seq) FROM audit)")
        _raise_income(a, homes[1])
        tampered = export.export_station(a, usb).path
        _edit(b, _households(b, 1)[0], "13700000000")
        honest = export.export_station(b, usb).path
        return Tampered(county.path, honest, tampered, homes[1])
    finally:
        for store in (a, b, county):
            store.close()


def test_held_records_and_chain_findings_are_red(qtbot: QtBot, tampered: Tampered,
                                                tmp_path: Path, shell_factory: list[Shell],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: pytest.fail(str(a)))
    monkeypatch.setattr(ErrorDialog, "open", lambda d: pytest.fail(d.message.text()))
    shell = Shell(tampered.county)
    shell_factory.append(shell)
    county = log_in(qtbot, shell)
    trigger(county, "syncStations")  # open during the import: it follows
    stations = opened(county, StationsDialog)
    settle(qtbot, stations)
    table = {cell(stations.table, r, 1): r for r in range(stations.table.rowCount())}
    a_row, b_row = table[A], table[B]
    assert cell(stations.table, a_row, HELD) == "" and stations.findings.isHidden()

    pick_files(monkeypatch, [tampered.tampered, tampered.honest])
    trigger(county, "syncImport")
    importing = opened(county, ImportDialog)
    settle(qtbot, importing)
    by_file = {r.file: r for r in importing.results}
    assert {r.status for r in importing.results} == {"applied"}
    assert importing.imported is not None and importing.imported.held_peers == {A}
    rows = {cell(importing.table, r, 0): r for r in range(importing.table.rowCount())}
    bad, good = rows[tampered.tampered.name], rows[tampered.honest.name]
    assert cell(importing.table, bad, 3) == "已导入(待核查)"
    assert importing.table.row_color(bad) == RED and importing.table.row_color(good) == GREEN
    quarantined = importing.table.columnCount() - 2  # the last bucket, before 说明
    assert int(cell(importing.table, bad, quarantined)) >= 1
    held_cell = importing.table.item(bad, quarantined)
    assert held_cell is not None and held_cell.background().color() == RED_BACK
    assert "审计链比县里已收到的短" in by_file[tampered.tampered.name].message
    assert importing.held.isVisible()
    assert "乡镇 新城镇:1 条记录未采用" in importing.held.text()
    assert "审计链比县里已收到的短" in importing.held.text()
    assert "1 个乡镇有待核查的数据" in importing.summary.text()
    screen(qtbot, importing, tmp_path, "sync-county-import-held")

    assert STATUS_HEADERS[HELD] == "待核查"
    # one record held, one chain finding
    qtbot.waitUntil(lambda: cell(stations.table, a_row, HELD) == "2", timeout=WAIT)
    settle(qtbot, stations)
    assert cell(stations.table, b_row, HELD) == ""
    for column in range(stations.table.columnCount()):
        item = stations.table.item(a_row, column)
        assert item is not None and item.background().color() == RED_BACK
        tip = item.toolTip()
        assert "未采用的记录 1 条" in tip and "审计链与县里已收到的不一致 1 次" in tip
        assert "最近一次:乡镇的审计链比县里已收到的短" in tip
        other = stations.table.item(b_row, column)
        assert other is not None and other.toolTip() == ""
    for column in (0, HELD):
        item = stations.table.item(a_row, column)
        assert item is not None and item.foreground().color() == RED
    assert "1 个有待核查的数据" in stations.summary.text()
    said = stations.findings.text()  # in the open, not only in the tooltip
    assert stations.findings.isVisible() and said.startswith("新城镇:留待核查")
    assert "最近一次:乡镇的审计链比县里已收到的短" in said and "城北镇" not in said
    screen(qtbot, stations, tmp_path, "sync-county-stations-held")
