"""The county window with two townships' bundles made through the API: several files at
once (one waits for a missing bundle, named in the result), the gap filled later, the
per-station table, and the duplicates review with a ruling."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtWidgets import QInputDialog, QMessageBox
from pytestqt.qtbot import QtBot

from benchmarks.bench_sync import plant_duplicates
from desktop.errors.dialog import ErrorDialog
from desktop.exchange.sync_county import StationsDialog
from desktop.exchange.sync_duplicates import DuplicatesDialog
from desktop.exchange.sync_import import ImportDialog
from desktop.look import AMBER, RED
from desktop.main_window import MainWindow
from desktop.shell import Shell
from registry import demo
from registry.sync_state import DuplicateFlag
from sync import export
from tests.desktop.conftest import log_in
from tests.desktop.exchange.test_sync_roundtrip import (
    DUPLICATES,
    KEY,
    WAIT,
    cell,
    opened,
    pick_files,
    screen,
    settle,
    trigger,
)
from tests.sync.conftest import enroll_pair, make_county, make_station

A, B = "513431100", "513431101"


@dataclass
class Bundles:
    a1: Path
    a2: Path
    b1: Path
    county: Path


@pytest.fixture
def bundles(tmp_path: Path) -> Bundles:
    county = make_county(tmp_path)
    a = make_station(tmp_path, A, households=12, seed=1)
    b = make_station(tmp_path, B, households=12, seed=2)
    usb = tmp_path / "usb"
    usb.mkdir()
    try:
        for st in (a, b):
            enroll_pair(st, county, tmp_path)
        plant_duplicates(a, b, exact=2, likely=1, rng=random.Random(5))
        a1 = export.export_station(a, usb).path
        demo.generate(a, 2, seed=9)
        a2 = export.export_station(a, usb).path
        b1 = export.export_station(b, usb).path
        return Bundles(a1, a2, b1, county.path)
    finally:
        for store in (a, b, county):
            store.close()


@pytest.fixture
def county_window(qtbot: QtBot, bundles: Bundles, shell_factory: list[Shell],
                  monkeypatch: pytest.MonkeyPatch) -> MainWindow:
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: pytest.fail(str(a)))
    monkeypatch.setattr(ErrorDialog, "open", lambda d: pytest.fail(d.message.text()))
    shell = Shell(bundles.county)
    shell_factory.append(shell)
    return log_in(qtbot, shell)


def test_many_files_gap_then_fill_and_duplicates(qtbot: QtBot, county_window: MainWindow,
                                                 bundles: Bundles, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    window = county_window
    junk = tmp_path / "usb" / "损坏的数据包.fpb"
    junk.write_bytes(bundles.b1.read_bytes()[:500])
    pick_files(monkeypatch, [bundles.a2, bundles.b1, junk])
    trigger(window, "syncImport")
    importing = opened(window, ImportDialog)
    settle(qtbot, importing)
    by_file = {r.file: r for r in importing.results}
    assert by_file[bundles.a2.name].status == "waiting"
    assert "第 1 号数据包缺失" in by_file[bundles.a2.name].message
    assert by_file[bundles.b1.name].status == "applied"
    assert by_file[junk.name].status == "refused"
    rows = {cell(importing.table, r, 0): r for r in range(importing.table.rowCount())}
    assert importing.table.row_color(rows[bundles.a2.name]) == AMBER
    assert importing.table.row_color(rows[junk.name]) == RED
    assert "第 1 号数据包缺失" in cell(importing.table, rows[bundles.a2.name],
                                      importing.table.message_column)
    assert importing.gaps.text() == "仍缺少:乡镇 新城镇: 第 1 号数据包缺失"
    screen(qtbot, importing, tmp_path, "sync-county-import-mixed")

    trigger(window, "syncStations")
    stations = opened(window, StationsDialog)
    settle(qtbot, stations)
    table = {cell(stations.table, r, 1): r for r in range(stations.table.rowCount())}
    assert set(table) == {A, B}
    assert cell(stations.table, table[A], 2) == "0"
    assert cell(stations.table, table[A], 3) == "第 1 号"
    assert cell(stations.table, table[A], 4) == "2"
    assert cell(stations.table, table[B], 2) == "1"
    screen(qtbot, stations, tmp_path, "sync-county-stations-gap")

    # The missing bundle arrives: it applies, and the waiting one follows.
    pick_files(monkeypatch, [bundles.a1])
    trigger(window, "syncImport")
    importing = opened(window, ImportDialog)
    settle(qtbot, importing)
    [filled] = importing.results
    assert filled.status == "applied" and filled.also_applied == [2]
    assert importing.gaps.isHidden()
    stations.load()
    settle(qtbot, stations)
    assert cell(stations.table, table[A], 2) == "2" and cell(stations.table, table[A], 3) == ""
    assert int(cell(stations.table, table[B], DUPLICATES)) >= 3  # open duplicates, both townships
    screen(qtbot, stations, tmp_path, "sync-county-stations-two")

    # Duplicates: the planted pairs are listed; a ruling removes one from the open list.
    trigger(window, "syncDuplicates")
    dups = opened(window, DuplicatesDialog)
    settle(qtbot, dups)
    flags = dups.table.model()
    before = flags.rowCount()
    assert before >= 3
    kinds = {flags.index(r, 0).data() for r in range(before)}
    assert "身份证号相同" in kinds
    screen(qtbot, dups, tmp_path, "sync-county-duplicates")
    flag_id = dups.flags[0].id
    assert not dups.same_button.isEnabled()  # nothing chosen yet
    asked: list[str] = []

    def answer_yes(_parent: object, _title: str, text: str, *_a: object, **_k: object
                   ) -> QMessageBox.StandardButton:
        asked.append(text)
        return QMessageBox.StandardButton.Yes
    monkeypatch.setattr(QMessageBox, "question", answer_yes)
    dups.table.selectRow(0)
    assert dups.same_button.isEnabled()
    dups.note.setText("核实为同一人")
    dups.same_button.click()
    settle(qtbot, dups)
    assert flags.rowCount() == before - 1
    assert len(asked) == 1 and "同一人" in asked[0]
    with window.workspace.store.session() as s:
        flag = s.get(DuplicateFlag, flag_id)
        assert flag is not None and flag.ruling == "same" and flag.note == "核实为同一人"

    # A station's key is revoked (reason asked, then confirmed): the table says so in red.
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("U盘丢失", True))
    informed: list[str] = []
    monkeypatch.setattr(QMessageBox, "information",
                        lambda _p, _t, text, *a, **k: informed.append(text))
    stations.table.selectRow(table[A])
    stations.revoke_button.click()
    settle(qtbot, stations)
    qtbot.waitUntil(lambda: cell(stations.table, table[A], KEY) == "已吊销", timeout=WAIT)
    key_cell = stations.table.item(table[A], KEY)
    assert key_cell is not None and key_cell.foreground().color() == RED
    assert "已吊销 新城镇 的 1 个密钥" in informed[0]
