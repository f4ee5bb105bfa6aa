"""A city's store (the roll-up: its counties' data) in the station's windows: the
households read-only, the tree and statistics above the county level."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop.aid.review_screen import ReviewDialog
from desktop.aid.village_aid import VillageAidDialog
from desktop.exchange.excel_actions import ExcelActions
from desktop.exchange.sync_duplicates import DuplicatesDialog
from desktop.shell import Shell
from registry.households import not_owner
from registry.models import Household
from registry.store import Store
from registry.sync_state import DuplicateFlag
from tests.conftest import PASSWORD
from tests.desktop.aid.test_aid_screens import aid_actions
from tests.desktop.conftest import log_in, save_screen
from tests.desktop.exchange.test_sync_roundtrip import actions
from tests.desktop.statistics.test_statistics_screen import open_screen
from tests.sync.test_rollup import LIANGSHAN, _county, _enroll_up, _send


def _city_with_a_county(folder: Path) -> Path:
    county = _county(folder, "513431", seed=4)
    city, _ = Store.create(folder / "city.db", kind="city", region_code=LIANGSHAN,
                           user="admin", password=PASSWORD)
    with city:
        _enroll_up(county.store, city, folder)
        assert _send(county.store, city, folder).status == "applied"
    county.store.close()
    county.station.close()
    return folder / "city.db"


def test_a_city_store_opens_read_only_with_its_households(
        qtbot: QtBot, tmp_path: Path, shell_factory: list[Shell]) -> None:
    shell = Shell(_city_with_a_county(tmp_path))
    shell_factory.append(shell)
    window = log_in(qtbot, shell)
    qtbot.waitUntil(lambda: window.table.model().rowCount() == 12, timeout=15000)
    assert not window.new_action.isEnabled()  # households belong to their stations
    assert not window.villages_action.isEnabled()  # and so do villages and groups
    excel = window.findChild(ExcelActions)
    assert excel is not None and excel.export_action.isEnabled()
    assert not any(a.isEnabled() for a in (excel.template_action, excel.import_action,
                                           excel.update_action))
    # The steps and notices are the stations' too: no 按村办理, no 到期公示 to close.
    procedure = [a.text() for a in window.menu("识别程序").actions() if a.text()]
    assert procedure == ["档案…"], procedure
    assert window.findChild(QPushButton, "dueBadge").isHidden()  # type: ignore[union-attr]
    assert "公示/公告…" not in [a.text() for a in window.menu("打印").actions()]
    # The tree: the city, its counties, their townships, villages and groups.
    root = window.tree.root
    assert root is not None and root.text(1) == "12"
    counties = {root.child(i).text(0): root.child(i) for i in range(root.childCount())}
    zhaojue = counties["昭觉县"]
    assert zhaojue.text(1) == "12" and counties["西昌市"].text(1) == "0"
    window.tree.setCurrentItem(zhaojue)  # the county filters the table by its code
    qtbot.waitUntil(lambda: window.found_label.text().startswith("共 12"), timeout=15000)
    zhaojue.setExpanded(True)
    # The township with the households: its villages (from the tally) made when it is
    # opened, a village's groups counted from the households when it is opened.
    township = next(zhaojue.child(i) for i in range(zhaojue.childCount())
                    if zhaojue.child(i).text(1) == "12")
    township.setExpanded(True)
    villages = [township.child(i) for i in range(township.childCount())]
    assert sum(int(v.text(1)) for v in villages) == 12
    village = next(v for v in villages if v.text(1) != "0")
    village.setExpanded(True)
    groups = [village.child(i) for i in range(village.childCount())]
    assert groups and all(g.text(1) == "" for g in groups)  # being counted
    qtbot.waitUntil(lambda: all(g.text(1) for g in groups), timeout=15000)
    assert sum(int(g.text(1)) for g in groups) == int(village.text(1))
    window.tree.setCurrentItem(village)
    save_screen(window, tmp_path, "office-city-main")
    # A household and the village's aid open read-only, saying why in the city's words.
    qtbot.waitUntil(lambda: window.table.model().rowCount() > 0, timeout=15000)
    window.table.selectRow(0)
    with qtbot.waitSignal(window.editor_opened, timeout=15000) as opened:
        window.edit_household()
    editor = opened.args[0]
    assert editor.read_only and editor.summary.text() == not_owner("city")
    assert "逐级报送" in editor.summary.text()
    editor.close()
    with qtbot.waitSignal(aid_actions(window).opened, timeout=15000) as opened:
        aid_actions(window).village_action.trigger()
    aid = opened.args[0]
    assert isinstance(aid, VillageAidDialog)
    notes = " ".join(lbl.text() for lbl in aid.findChildren(QLabel))
    assert "不能修改乡镇工作站的帮扶记录" in notes and "县管理员" not in notes
    # Nothing to tick households for: no check column, no 全选, no count of the ticked.
    qtbot.waitUntil(lambda: aid.roster_count.text() != "", timeout=15000)
    assert aid.roster_view.isColumnHidden(0) and "已勾选" not in aid.roster_count.text()
    assert not any(b.isVisible() for b in aid.findChildren(QPushButton)
                   if b.text() in ("全选", "全不选"))
    notes = " ".join(lbl.text() for lbl in aid.findChildren(QLabel))
    assert "勾选多户" not in notes and "只看无帮扶责任人的户" in notes
    # Its village is chosen by county, township and name, typed in part to find it.
    box = aid.village
    labels = [box.itemText(i) for i in range(box.count())]
    assert box.isEditable() and all(len(label.split(" ")) == 3 for label in labels)
    assert "昭觉县 竹核镇 尼日村" in labels
    completer = box.completer()
    assert completer is not None
    completer.setCompletionPrefix("尼日")
    found = [completer.completionModel().index(i, 0).data()
             for i in range(completer.completionCount())]
    assert "昭觉县 竹核镇 尼日村" in found and all("尼日" in f for f in found)
    aid.close()
    # 年度动态调整: the years the stations' reviews are of (they open them, not the city).
    with qtbot.waitSignal(aid_actions(window).opened, timeout=15000) as opened:
        aid_actions(window).review_action.trigger()
    review = opened.args[0]
    assert isinstance(review, ReviewDialog)
    qtbot.waitUntil(lambda: review.year.count() > 0, timeout=15000)
    assert [review.year.itemData(i) for i in range(review.year.count())] == [2016, 2015]
    assert not review.open_button.isEnabled() and "乡镇工作站开启" in review.open_button.toolTip()
    review.close()
    # 统计's 范围: the city, its counties, and each county's townships after it.
    screen = open_screen(qtbot, window)
    scopes = [(screen.unit.itemData(i), screen.unit.itemText(i))
              for i in range(screen.unit.count())]
    assert scopes[0] == (None, "全部(凉山彝族自治州)")
    assert {len(code) for code, _ in scopes[1:]} == {6, 9}  # no village
    assert ("513431", "    昭觉县") in scopes
    zhaojue_at = scopes.index(("513431", "    昭觉县"))
    assert scopes[zhaojue_at + 1][0].startswith("513431")
    assert scopes[zhaojue_at + 1][1].startswith("        ")  # a township, under it


def test_a_city_lists_duplicates_between_its_counties_without_ruling(
        qtbot: QtBot, tmp_path: Path, shell_factory: list[Shell]) -> None:
    """The county rules a duplicate (sync.duplicates.rule refuses anywhere else); a city's
    疑似重复 lists the flags between its counties, with no 同一人 / 不同人 to press."""
    path = _city_with_a_county(tmp_path)
    with Store.open(path, "admin", PASSWORD) as city, city.transaction() as s:
        village = s.execute(select(Household.village_code)).scalars().first()
        assert village is not None
        s.add(DuplicateFlag(kind="id_number", member_a="a", member_b="b", name_a="张三",
                            name_b="张三", id_number_a="513431199001010011",
                            id_number_b="513431199001010011", birth_date=date(1990, 1, 1),
                            household_a="ha", household_b="hb", village_a=village,
                            village_b="513401001001", station_a=village[:9],
                            station_b="513401001"))
    shell = Shell(path)
    shell_factory.append(shell)
    window = log_in(qtbot, shell)
    dialog = actions(window).duplicates()
    assert isinstance(dialog, DuplicatesDialog)
    qtbot.waitUntil(lambda: not dialog.busy() and dialog.model.rowCount() == 1, timeout=15000)
    assert dialog.summary.text() == "共 1 条"
    assert all(w.isHidden() for w in (dialog.note, dialog.same_button, dialog.different_button))
    row = [dialog.model.index(0, c).data() for c in range(dialog.model.columnCount())]
    assert row[0] == "身份证号相同" and row[1] == "张三" and row[7] == "1990-01-01"
    assert not row[3].endswith(village)  # the village by its name, after its county
    assert row[3].startswith("昭觉县 ") and len(row[3].split()) == 3
    headers = [dialog.model.headerData(c, Qt.Orientation.Horizontal)
               for c in range(dialog.model.columnCount())]
    assert headers[3] == "县 乡镇 村(甲)"
    said = " ".join(lbl.text() for lbl in dialog.findChildren(QLabel))
    assert "本市(州)各县之间" in said and "县扶贫办核实" in said
    save_screen(dialog, tmp_path, "office-duplicates")
