"""The roll-up from the windows: a county's 数据交换 menu sends up (申请加入上级同步,
导入上级答复, 向上级报送数据包, 上级同步状态) and the city's receives from the offices below it
(登记下级单位, 导入下级单位数据包, 下级单位同步状况) — a county's request written and its answer
taken in the county's window, enrolled and imported in the city's window, the city then
holding the county's households. A city store's menu has no station commands (it used to
get them)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.exchange.sync_county import EnrollStationDialog, StationsDialog
from desktop.exchange.sync_import import ImportDialog
from desktop.exchange.sync_station import (
    AnswerDialog,
    EnrollRequestDialog,
    ExportDialog,
    StationStatusDialog,
)
from desktop.main_window import MainWindow
from desktop.shell import Shell
from registry.store import Store
from tests.conftest import PASSWORD
from tests.desktop.conftest import log_in
from tests.desktop.exchange.test_sync_roundtrip import (
    WAIT,
    cell,
    opened,
    pick_file,
    pick_files,
    screen,
    settle,
    trigger,
)
from tests.sync.test_rollup import LIANGSHAN, _county


def _menu(window: MainWindow) -> list[str]:
    return [a.text() for a in window.menu("数据交换").actions()
            if a.objectName().startswith("sync")]


def _window(qtbot: QtBot, shells: list[Shell], path: Path) -> MainWindow:
    shell = Shell(path)
    shells.append(shell)
    return log_in(qtbot, shell)


def test_a_county_sends_up_to_its_city_from_the_windows(
        qtbot: QtBot, tmp_path: Path, shell_factory: list[Shell],
        monkeypatch: pytest.MonkeyPatch) -> None:
    made = _county(tmp_path, "513431", seed=4)  # a county holding a station's 12 households
    made.store.close()
    made.station.close()
    city_path = tmp_path / "city.db"
    city, _ = Store.create(city_path, kind="city", region_code=LIANGSHAN, user="admin",
                           password=PASSWORD)
    city.close()
    county = _window(qtbot, shell_factory, tmp_path / "county-513431.db")
    city_window = _window(qtbot, shell_factory, city_path)
    assert _menu(county) == [
        "登记乡镇…", "导入乡镇数据包…", "乡镇同步状况", "疑似重复…", "生成回传数据包…",
        "申请加入上级同步…", "导入上级答复…", "向上级报送数据包…", "上级同步状态"]
    assert _menu(city_window) == [
        "登记下级单位…", "导入下级单位数据包…", "下级单位同步状况", "疑似重复…",
        "申请加入上级同步…", "导入上级答复…", "向上级报送数据包…", "上级同步状态"]
    usb = tmp_path / "usb"
    usb.mkdir()

    # Before enrolling: the export says what to do first.
    trigger(county, "syncExport")
    export = opened(county, ExportDialog)
    settle(qtbot, export)
    assert "尚未在上级扶贫办注册" in export.state.text() and not export.export_button.isEnabled()
    export.close()

    # The county's request: to its city by default (the province is the other choice).
    trigger(county, "syncRequest")
    request = opened(county, EnrollRequestDialog)
    assert request.windowTitle() == "申请加入上级同步"
    assert [request.to.itemData(i) for i in range(request.to.count())] == [LIANGSHAN, "51"]
    request.folder.set_folder(str(usb))
    request.write_button.click()
    settle(qtbot, request)
    request_file = usb / "注册申请-513431.json"
    assert request_file.exists() and request.enrolled is not None
    screen(qtbot, request, tmp_path, "rollup-county-request")

    # The city enrolls it: the same fingerprint, in an office's words.
    trigger(city_window, "syncEnrollStation")
    enrolling = opened(city_window, EnrollStationDialog)
    assert enrolling.windowTitle() == "登记下级单位"
    # Its key-replacement panel (shown when a county comes with another key) in its words.
    panel = enrolling.replacement.texts
    assert panel.heading == "该下级单位已经登记过,本单位存有它的另一把密钥"
    assert "“本单位指纹”" in panel.phone and "乡镇" not in panel.warning + panel.phone
    pick_file(monkeypatch, request_file)
    enrolling.choose_button.click()
    assert enrolling.fingerprint.text() == request.fingerprint.text()
    assert "申请下级单位" in enrolling.station.text() and "昭觉县" in enrolling.station.text()
    enrolling.folder.set_folder(str(usb))
    enrolling.enroll_button.click()
    settle(qtbot, enrolling)
    assert enrolling.answer is not None and enrolling.answer.exists()
    assert "本单位指纹" in enrolling.done_label.text()

    # The county takes the answer, then sends its bundle up.
    pick_file(monkeypatch, enrolling.answer)
    trigger(county, "syncAnswer")
    answer = opened(county, AnswerDialog)
    settle(qtbot, answer)
    panel = answer.replacement.texts
    assert panel.button == "更换上级扶贫办密钥…" and "“本单位指纹”" in panel.phone
    assert "县扶贫办" not in panel.heading + panel.warning + panel.phone.replace("上级扶贫办", "")
    assert answer.enrolled is not None and "凉山" in answer.enrolled.name
    assert "本单位可以导出数据包了" in answer.done_label.text()
    trigger(county, "syncExport")
    export = opened(county, ExportDialog)
    settle(qtbot, export)
    assert export.windowTitle() == "向上级报送数据包" and export.full.isChecked()
    assert export.to.isHidden()  # one office above: no choice to make
    export.folder.set_folder(str(usb))
    export.export_button.click()
    settle(qtbot, export)
    assert export.exported is not None and export.exported.seq == 1
    screen(qtbot, export, tmp_path, "rollup-county-export")

    # The city imports it and holds the county's households.
    pick_files(monkeypatch, [export.exported.path])
    trigger(city_window, "syncImport")
    importing = opened(city_window, ImportDialog)
    settle(qtbot, importing)
    [result] = importing.results
    assert result.status == "applied", result.message
    assert result.counts["household"]["inserted"] == 12
    qtbot.waitUntil(lambda: city_window.found_label.text() == "共 12 户", timeout=WAIT)
    trigger(city_window, "syncStations")
    stations = opened(city_window, StationsDialog)
    settle(qtbot, stations)
    assert cell(stations.table, 0, 1) == "513431"
    assert stations.table.horizontalHeaderItem(0).text() == "下级单位"
    headers = [stations.table.horizontalHeaderItem(c).text()
               for c in range(stations.table.columnCount())]
    assert "疑似重复" in headers and "待裁定重复" not in headers  # a city rules on none

    # The county's 上级同步状态 names the city and what was sent there.
    trigger(county, "syncStatus")
    status = opened(county, StationStatusDialog)
    settle(qtbot, status)
    assert status.windowTitle() == "上级同步状态" and status.table.isHidden()
    assert "已报送数据包至第 <b>1</b> 号" in status.facts.text()
    screen(qtbot, status, tmp_path, "rollup-county-status")
