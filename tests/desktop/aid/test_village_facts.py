"""贫困村基本情况 in 按村帮扶: the dialog generated from forms/village.py shows the counted
figures (贫困户数、贫困人口、贫困发生率) read-only above the fields; a wrong value is said
beside its field; saving stores the year's facts and the figures follow (贫困发生率 computed
from the typed 农业户籍人口). Screenshot to /tmp/fupin-screens."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop.aid.record_dialog import RecordDialog
from desktop.aid.village_aid import VillageAidDialog
from desktop.main_window import MainWindow
from registry.poor_villages import access
from registry.poor_villages.facts import incidence
from registry.store import Store
from tests.conftest import PASSWORD
from tests.desktop.aid.test_aid_screens import VILLAGE, aid_actions, idle, save_screen, submit


def test_village_facts_dialog(qtbot: QtBot, main_window: MainWindow, station_copy: Path,
                              tmp_path: Path) -> None:
    window = main_window
    window.tree.select_place(VILLAGE, None)
    idle(qtbot, window)
    with qtbot.waitSignal(aid_actions(window).opened, timeout=10000) as opened:
        aid_actions(window).village_action.trigger()
    screen = opened.args[0]
    assert isinstance(screen, VillageAidDialog)
    idle(qtbot, window)
    screen.tabs.setCurrentIndex(1)
    with qtbot.waitSignal(screen.dialog_opened, timeout=10000) as got:
        screen.edit_village_facts()
    dialog = got.args[0]
    assert isinstance(dialog, RecordDialog)
    assert "贫困发生率" in dialog.about.text() and "系统计算" in dialog.about.text()
    dialog.inputs["people_agricultural"].widget.setText("-5")  # type: ignore[attr-defined]
    dialog.ok_button.click()
    assert dialog.errors["people_agricultural"].isVisible()
    dialog.inputs["people_agricultural"].widget.setText("1500")  # type: ignore[attr-defined]
    dialog.inputs["households_registered"].widget.setText("400")  # type: ignore[attr-defined]
    save_screen(dialog, tmp_path, "village-facts-dialog")
    submit(qtbot, window, dialog)
    assert "基本情况" in screen.status.text()
    with Store.open(station_copy, "admin", PASSWORD) as store:
        sheet = access.load_sheet(store, VILLAGE)
    assert sheet.facts["people_agricultural"] == 1500
    assert sheet.facts["households_registered"] == 400
    assert sheet.figures.incidence == incidence(sheet.figures.poor_people, 1500)
