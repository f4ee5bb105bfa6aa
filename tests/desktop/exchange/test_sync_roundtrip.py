"""USB sync through the real dialogs: a station window and a county window, each with its
own store and DB worker. Enrollment, export, county import (applied, then a tampered
bundle refused with the county store unchanged), the per-station table, and the return
bundle back at the station."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot

from desktop.errors.dialog import ErrorDialog
from desktop.exchange.sync_actions import SyncActions
from desktop.exchange.sync_county import (
    STATUS_HEADERS,
    EnrollStationDialog,
    ReturnDialog,
    StationsDialog,
)
from desktop.exchange.sync_dialog import SyncDialog
from desktop.exchange.sync_import import ImportDialog
from desktop.exchange.sync_station import (
    AnswerDialog,
    EnrollRequestDialog,
    ExportDialog,
    StationStatusDialog,
)
from desktop.look import RED
from desktop.main_window import MainWindow
from desktop.shell import Shell
from registry.store import Store
from tests.conftest import COUNTY, PASSWORD
from tests.desktop.conftest import log_in, save_screen
from tests.sync.conftest import content_hash

WAIT = 20000
KEY, DUPLICATES, SENT = (STATUS_HEADERS.index(h) for h in ("密钥", "待裁定重复", "已回传至"))


def actions(window: MainWindow) -> SyncActions:
    found = getattr(window, "sync_actions", None)
    assert isinstance(found, SyncActions)
    return found


D = TypeVar("D", bound=SyncDialog)


def opened(window: MainWindow, kind: type[D]) -> D:
    """The dialog of this kind the window's sync actions opened last."""
    dialog = actions(window).dialogs[kind]
    assert isinstance(dialog, kind)
    return dialog


def trigger(window: MainWindow, name: str) -> None:
    action = next(a for a in window.menu("数据交换").actions() if a.objectName() == name)
    action.trigger()


def settle(qtbot: QtBot, dialog: SyncDialog) -> None:
    qtbot.waitUntil(lambda: not dialog.busy(), timeout=WAIT)


def screen(qtbot: QtBot, widget: Any, tmp_path: Path, name: str) -> None:
    qtbot.wait(100)  # let the layout catch up with the texts just set
    save_screen(widget, tmp_path, name)


def cell(table: Any, row: int, column: int) -> str:
    item = table.item(row, column)
    return item.text() if item is not None else ""


@pytest.fixture
def county_window(qtbot: QtBot, tmp_path: Path, shell_factory: list[Shell]) -> MainWindow:
    path = tmp_path / "county.db"
    store, _ = Store.create(path, kind="county", region_code=COUNTY, user="admin",
                            password=PASSWORD)
    store.close()
    shell = Shell(path)
    shell_factory.append(shell)
    return log_in(qtbot, shell)


@pytest.fixture
def warnings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What the dialogs said in a message box (or the 程序出错 dialog), in order."""
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning",
                        lambda _p, _t, text, *a, **k: shown.append(text))
    monkeypatch.setattr(QMessageBox, "open", lambda box: shown.append(box.text()))
    monkeypatch.setattr(ErrorDialog, "open",
                        lambda d: shown.append(f"程序出错:{d.message.text()}"))
    return shown


def pick_files(monkeypatch: pytest.MonkeyPatch, files: list[Path]) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileNames",
                        lambda *a, **k: ([str(f) for f in files], ""))


def pick_file(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))


def test_station_to_county_and_back(qtbot: QtBot, main_window: MainWindow,
                                    county_window: MainWindow, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch, warnings: list[str]
                                    ) -> None:
    station, county = main_window, county_window
    usb = tmp_path / "usb"
    usb.mkdir()
    names = [a.text() for a in station.menu("数据交换").actions()]
    assert "导出数据包…" in names and "登记乡镇…" not in names
    assert "登记乡镇…" in [a.text() for a in county.menu("数据交换").actions()]

    # Station: the enrollment request, with the fingerprint to read out.
    trigger(station, "syncRequest")
    request = opened(station, EnrollRequestDialog)
    request.folder.set_folder(str(usb))
    request.write_button.click()
    settle(qtbot, request)
    request_file = usb / "注册申请-513431102.json"
    assert request_file.exists() and request.enrolled is not None
    station_print = request.fingerprint.text()
    assert station_print == request.enrolled.fingerprint and len(station_print) == 19
    screen(qtbot, request, tmp_path, "sync-station-enroll-request")

    # County: the request shows the same fingerprint; enrolling writes the answer.
    trigger(county, "syncEnrollStation")
    enrolling = opened(county, EnrollStationDialog)
    pick_file(monkeypatch, request_file)
    enrolling.choose_button.click()
    assert enrolling.fingerprint.text() == station_print
    assert "竹核镇" in enrolling.station.text()
    enrolling.folder.set_folder(str(usb))
    enrolling.enroll_button.click()
    settle(qtbot, enrolling)
    assert enrolling.enrolled is not None and enrolling.answer is not None
    assert enrolling.answer.exists()
    screen(qtbot, enrolling, tmp_path, "sync-county-enroll")

    # Station: the answer gives the county's keys and fingerprint.
    pick_file(monkeypatch, enrolling.answer)
    trigger(station, "syncAnswer")
    answer = opened(station, AnswerDialog)
    settle(qtbot, answer)
    assert answer.enrolled is not None and answer.enrolled.name == "昭觉县"
    assert answer.fingerprint.text() in enrolling.done_label.text()

    # Station: the first export is full; the result names the file and the counts.
    trigger(station, "syncExport")
    export = opened(station, ExportDialog)
    settle(qtbot, export)
    assert export.full.isChecked() and not export.full.isEnabled()
    export.folder.set_folder(str(usb))
    export.export_button.click()
    settle(qtbot, export)
    assert export.exported is not None and export.exported.seq == 1
    first = export.exported.path
    assert first.exists() and first.name in export.outcome.text()
    shown_counts = {cell(export.counts, r, 0): cell(export.counts, r, 1)
                    for r in range(export.counts.rowCount())}
    assert shown_counts["农户"] == "300"
    screen(qtbot, export, tmp_path, "sync-export-dialog")

    # County: the import applies the bundle and shows the buckets.
    pick_files(monkeypatch, [first])
    trigger(county, "syncImport")
    importing = opened(county, ImportDialog)
    settle(qtbot, importing)
    [result] = importing.results
    assert result.status == "applied", result.message
    table = importing.table
    assert cell(table, 0, 3) == "已导入" and cell(table, 0, 1) == "竹核镇"
    inserted = sum(c["inserted"] for c in result.counts.values())
    assert inserted >= 300 and cell(table, 0, 4) == str(inserted)
    assert result.counts["household"]["inserted"] == 300
    qtbot.waitUntil(lambda: county.found_label.text() == "共 300 户", timeout=WAIT)

    # Station: a second (full) bundle; a tampered copy is refused in red and the county
    # store is not touched; the genuine one then applies.
    export.full.setChecked(True)
    export.export_button.click()
    settle(qtbot, export)
    assert export.exported is not None and export.exported.seq == 2
    second = export.exported.path
    data = bytearray(second.read_bytes())
    data[len(data) - 40] ^= 0x01
    tampered = usb / "改动过的数据包.fpb"
    tampered.write_bytes(bytes(data))
    county_store = county.workspace.store
    before = content_hash(county_store)
    pick_files(monkeypatch, [tampered])
    trigger(county, "syncImport")
    importing = opened(county, ImportDialog)
    settle(qtbot, importing)
    [refused] = importing.results
    assert refused.status == "refused" and refused.message
    assert importing.table.row_color(0) == RED
    assert cell(importing.table, 0, 3) == "已拒绝"
    assert cell(importing.table, 0, importing.table.message_column) == refused.message
    assert "拒绝" in importing.summary.text()
    screen(qtbot, importing, tmp_path, "sync-county-import-refused")
    assert content_hash(county_store) == before

    pick_files(monkeypatch, [second, first])  # a replay next to the new one
    trigger(county, "syncImport")
    importing = opened(county, ImportDialog)
    settle(qtbot, importing)
    assert sorted(r.status for r in importing.results) == ["applied", "replay"]
    screen(qtbot, importing, tmp_path, "sync-county-import-results")

    # County: the per-station table lists the station with its last sequence number.
    trigger(county, "syncStations")
    stations = opened(county, StationsDialog)
    settle(qtbot, stations)
    assert stations.table.rowCount() == 1
    assert cell(stations.table, 0, 0) == "竹核镇" and cell(stations.table, 0, 1) == "513431102"
    assert cell(stations.table, 0, 2) == "2" and cell(stations.table, 0, KEY) == "有效"
    screen(qtbot, stations, tmp_path, "sync-county-stations")

    # County → station: the return bundle carries the two receipts back.
    stations.table.selectRow(0)
    stations.return_button.click()
    back = next(d for d in county.findChildren(ReturnDialog) if d.isVisible())
    settle(qtbot, back)
    assert back.station.currentData() == "513431102"
    back.folder.set_folder(str(usb))
    back.export_button.click()
    settle(qtbot, back)
    assert back.exported is not None and back.exported.path.name.endswith("-R000001.fpb")
    qtbot.waitUntil(lambda: not stations.busy() and cell(stations.table, 0, SENT) == "1",
                    timeout=WAIT)

    pick_files(monkeypatch, [back.exported.path])
    trigger(station, "syncImport")
    at_station = opened(station, ImportDialog)
    settle(qtbot, at_station)
    [returned] = at_station.results
    assert returned.status == "applied", returned.message
    assert "回执 2" in cell(at_station.table, 0, 4)
    screen(qtbot, at_station, tmp_path, "sync-station-import-return")

    trigger(station, "syncStatus")
    state = opened(station, StationStatusDialog)
    settle(qtbot, state)
    assert state.table.rowCount() == 2
    assert {cell(state.table, r, 0) for r in range(2)} == {"1", "2"}
    assert "第 <b>2</b> 号" in state.facts.text()
    screen(qtbot, state, tmp_path, "sync-station-status")
    assert warnings == []


def test_export_before_enrollment_says_what_to_do(qtbot: QtBot, main_window: MainWindow,
                                                  tmp_path: Path, warnings: list[str]
                                                  ) -> None:
    trigger(main_window, "syncExport")
    export = opened(main_window, ExportDialog)
    settle(qtbot, export)
    assert "尚未在县扶贫办注册" in export.state.text()
    assert not export.export_button.isEnabled()


def test_bad_request_file_is_named(qtbot: QtBot, county_window: MainWindow, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "注册申请-假.json"
    bad.write_text('{"type": "fupin-enroll-request", "station": "513431102"}')
    trigger(county_window, "syncEnrollStation")
    enrolling = opened(county_window, EnrollStationDialog)
    pick_file(monkeypatch, bad)
    enrolling.choose_button.click()
    assert "签名无效" in enrolling.station.text()
    assert not enrolling.enroll_button.isEnabled()


def test_bundle_for_another_store_is_refused(qtbot: QtBot, county_window: MainWindow,
                                            tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                            ) -> None:
    junk = tmp_path / "not-a-bundle.fpb"
    junk.write_bytes(b"FUPINBDL" + bytes(40))
    pick_files(monkeypatch, [junk])
    trigger(county_window, "syncImport")
    importing = opened(county_window, ImportDialog)
    settle(qtbot, importing)
    [r] = importing.results
    assert r.status == "refused" and importing.table.row_color(0) == RED
    assert cell(importing.table, 0, importing.table.message_column) == r.message


def test_answer_for_another_station_is_refused(qtbot: QtBot, main_window: MainWindow,
                                               tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               warnings: list[str]) -> None:
    from sync import enroll
    from tests.sync.conftest import make_county, make_station

    other = make_station(tmp_path, "513431100", households=0)
    county = make_county(tmp_path)
    try:
        enroll.write_request(other, tmp_path / "req.json")
        enroll.enroll(county, tmp_path / "req.json", tmp_path / "ans.json")
    finally:
        other.close()
        county.close()
    pick_file(monkeypatch, tmp_path / "ans.json")
    trigger(main_window, "syncAnswer")
    answer = opened(main_window, AnswerDialog)
    settle(qtbot, answer)
    assert answer.enrolled is None and answer.fingerprint.isHidden()
    assert warnings == ["此答复是给乡镇 513431100 的,不是本站(513431102)"]
