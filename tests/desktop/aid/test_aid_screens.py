"""The 帮扶 windows against a copy of the demo station: one cadre assigned to two households
at once (按村帮扶), a death recorded through 成员变更 in the household editor (the member
stays, with the reason), a review year opened and one household's review saved, and an exit
proposal refused with the core's words in the dialog. Screenshots go to /tmp/fupin-screens."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import shiboken6
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.aid.actions import AidActions
from desktop.aid.aid_tab import AidTab
from desktop.aid.member_change import MemberChangeDialog
from desktop.aid.record_dialog import RecordDialog
from desktop.aid.review_screen import OpenYearDialog, ReviewDialog
from desktop.aid.village_aid import VillageAidDialog
from desktop.households.editor import HouseholdEditor
from desktop.main_window import MainWindow
from desktop.procedure.actions import ProcedureActions
from desktop.procedure.batch import EXIT_TRACK, VillageBatchDialog
from desktop.procedure.step_dialogs import ExitProposeDialog
from forms import codelists as cl
from registry.aid import access
from registry.households import get_household
from registry.store import Store
from tests.conftest import PASSWORD
from tests.desktop.conftest import save_screen as _save_screen

VILLAGE = "513431102200"  # 尼日村


def save_screen(widget: object, tmp_path: Path, name: str) -> Path:
    QApplication.processEvents()
    return _save_screen(widget, tmp_path, name)


def idle(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: window.workspace.worker.pending() == 0, timeout=10000)


def aid_actions(window: MainWindow) -> AidActions:
    found = window.findChild(AidActions)
    assert found is not None
    return found


def submit(qtbot: QtBot, window: MainWindow, dialog: object) -> None:
    from desktop.procedure.form_dialog import FormDialog
    assert isinstance(dialog, FormDialog)
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog) or not dialog.isVisible()
                    or dialog.message.isVisible()
                    or any(e.isVisible() for e in dialog.errors.values()), timeout=10000)
    idle(qtbot, window)


def test_one_cadre_for_two_households_at_once(
        qtbot: QtBot, main_window: MainWindow, station_copy: Path, tmp_path: Path) -> None:
    window = main_window
    window.tree.select_place(VILLAGE, None)
    idle(qtbot, window)
    with qtbot.waitSignal(aid_actions(window).opened, timeout=10000) as opened:
        aid_actions(window).village_action.trigger()
    screen = opened.args[0]
    assert isinstance(screen, VillageAidDialog)
    qtbot.waitUntil(lambda: screen.roster.rowCount() > 0, timeout=10000)
    idle(qtbot, window)
    before = screen.roster.uncovered()
    save_screen(screen, tmp_path, "aid-01-village-roster")
    two = screen.roster.rows()[:2]
    screen.roster.set_checked([r.household_id for r in two])
    with qtbot.waitSignal(screen.dialog_opened, timeout=5000) as got:
        screen.assign_button.click()
    dialog = got.args[0]
    assert isinstance(dialog, RecordDialog)
    dialog.ok_button.click()  # no name yet: said beside the field
    assert dialog.errors["name"].isVisible()
    assert "姓名" in dialog.errors["name"].text() or "填" in dialog.errors["name"].text()
    dialog.inputs["name"].widget.setText("李干部")  # type: ignore[attr-defined]
    dialog.inputs["unit"].widget.setText("县农业局")  # type: ignore[attr-defined]
    dialog.inputs["unit_kind"].set_value("1")
    save_screen(dialog, tmp_path, "aid-02-assign-dialog")
    with qtbot.waitSignal(screen.loaded, timeout=10000):
        submit(qtbot, window, dialog)
    assert "已为 2 户指定帮扶责任人" in screen.status.text()
    shown = {r.household_id: r.helper for r in screen.roster.rows()}
    assert all(shown[r.household_id] == "李干部" for r in two)
    assert screen.roster.uncovered() <= before
    screen.uncovered_only.setChecked(True)
    assert all(not r.helper for r in screen.roster.rows())
    screen.uncovered_only.setChecked(False)
    screen.tabs.setCurrentIndex(1)
    save_screen(screen, tmp_path, "aid-03-team")
    screen.tabs.setCurrentIndex(0)
    save_screen(screen, tmp_path, "aid-04-roster-after")
    with Store.open(station_copy, "admin", PASSWORD) as store:
        for r in two:
            now = access.household_aid(store, r.household_id).current_helper
            assert now is not None and now.values["name"] == "李干部"


def open_editor(qtbot: QtBot, window: MainWindow) -> HouseholdEditor:
    window.tree.select_place(VILLAGE, None)
    idle(qtbot, window)
    window.table.selectRow(0)
    idle(qtbot, window)
    with qtbot.waitSignal(window.editor_opened, timeout=10000) as opened:
        window.edit_household()
    editor = opened.args[0]
    assert isinstance(editor, HouseholdEditor)
    assert isinstance(editor.aid_tab, AidTab)
    tab = editor.aid_tab
    qtbot.waitUntil(lambda: tab.aid is not None, timeout=10000)
    return editor


def test_a_death_through_the_member_change_dialog(
        qtbot: QtBot, main_window: MainWindow, station_copy: Path, tmp_path: Path) -> None:
    window = main_window
    editor = open_editor(qtbot, window)
    tab = editor.aid_tab
    assert isinstance(tab, AidTab)
    editor.tabs.setCurrentWidget(tab)
    save_screen(editor, tmp_path, "aid-05-editor-aid-tab")
    assert "脱贫状态" in tab.status.text()
    editor.tabs.setCurrentIndex(0)
    save_screen(editor, tmp_path, "aid-06-editor-basic")

    rows = editor.members.raw_rows()
    assert len(rows) >= 2, "the first demo household has a member besides its head"
    row = next(i for i, r in enumerate(rows) if r.get("relation") != cl.HEAD_OF_HOUSEHOLD)
    leaving = rows[row]
    household_id = editor.household_id
    assert household_id is not None
    editor.member_view.setCurrentIndex(editor.members.index(row, 0))
    with qtbot.waitSignal(tab.dialog_opened, timeout=5000) as got:
        editor.remove_member()
    dialog = got.args[0]
    assert isinstance(dialog, MemberChangeDialog)
    assert editor.members.rowCount() == len(rows)  # nothing removed before the dialog
    dialog.ok_button.click()  # no reason yet
    assert dialog.errors["reason"].isVisible()
    save_screen(dialog, tmp_path, "aid-07-leave-reason-missing")
    dialog.reason.set_code("1")  # 死亡
    dialog.evidence.setPlainText("死亡医学证明 No.2016-0031")
    submit(qtbot, window, dialog)
    qtbot.waitUntil(lambda: editor.members.rowCount() == len(rows) - 1, timeout=10000)
    assert "减员" in editor.summary.text()
    assert not editor.is_dirty()
    with Store.open(station_copy, "admin", PASSWORD) as store, store.session() as s:
        h = get_household(s, household_id)
        m = next(m for m in h.members if m.id == leaving["id"])
        assert (m.change_reason, m.change_evidence) == ("1", "死亡医学证明 No.2016-0031")
        assert not m.deleted and h.size == len(rows) - 1

    # 增员: a newborn without an ID number, sex and birth date typed.
    with qtbot.waitSignal(tab.dialog_opened, timeout=5000) as got:
        editor.join_button.click()
    born = got.args[0]
    assert isinstance(born, MemberChangeDialog)
    born.reason.set_code("6")  # 新生儿
    born.inputs["name"].widget.setText("吉克小妹")  # type: ignore[attr-defined]
    born.inputs["no_id_number"].set_value(True)
    assert not born.inputs["id_number"].widget.isEnabled()
    assert born.inputs["sex"].widget.isEnabled()
    born.inputs["sex"].set_value("2")
    born.inputs["birth_date"].set_value(date(date.today().year, 1, 2).isoformat())
    born.inputs["relation"].set_value("03")
    born.inputs["ethnicity"].set_value("07")
    save_screen(born, tmp_path, "aid-08-newborn")
    submit(qtbot, window, born)
    qtbot.waitUntil(lambda: editor.members.rowCount() == len(rows), timeout=10000)
    save_screen(editor, tmp_path, "aid-09-members-after")
    editor.discard()


def test_open_a_year_and_set_a_review(
        qtbot: QtBot, main_window: MainWindow, station_copy: Path, tmp_path: Path) -> None:
    window = main_window
    window.tree.select_place(VILLAGE, None)
    idle(qtbot, window)
    with qtbot.waitSignal(aid_actions(window).opened, timeout=10000) as opened:
        aid_actions(window).review_action.trigger()
    screen = opened.args[0]
    assert isinstance(screen, ReviewDialog)
    idle(qtbot, window)
    year = date.today().year - 1  # the demo opened 2015 and 2016 only
    assert all(str(year) not in screen.year.itemText(i) for i in range(screen.year.count()))
    with qtbot.waitSignal(screen.dialog_opened, timeout=5000) as got:
        screen.open_button.click()
    dialog = got.args[0]
    assert isinstance(dialog, OpenYearDialog)
    dialog.year.setValue(year)
    with qtbot.waitSignal(screen.loaded, timeout=10000):
        submit(qtbot, window, dialog)
    assert screen.chosen_year() == year
    qtbot.waitUntil(lambda: screen.model.rowCount() > 0, timeout=10000)
    started = __import__("time").perf_counter()
    with qtbot.waitSignal(screen.detail_loaded, timeout=10000):
        screen.table.selectRow(0)
    assert __import__("time").perf_counter() - started < 3
    for check in screen.checks.values():
        check.setChecked(True)
    row = screen.model.row(0)
    if row.stage != "95":
        screen.proposal.setCurrentIndex(screen.proposal.findData("continue"))
    with qtbot.waitSignal(screen.saved, timeout=10000):
        screen.save_button.click()
    idle(qtbot, window)
    assert "已保存" in screen.status.text()
    assert screen.model.row(0).met == screen.model.row(0).items
    save_screen(screen, tmp_path, "aid-10-review")
    with Store.open(station_copy, "admin", PASSWORD) as store:
        detail = access.review_detail(store, row.household_id, year)
        assert all(detail.answers.values()) and len(detail.answers) == len(detail.items)


def test_an_exit_proposal_refused_with_what_is_missing(
        qtbot: QtBot, main_window: MainWindow, tmp_path: Path) -> None:
    window = main_window
    window.tree.select_place(VILLAGE, None)
    idle(qtbot, window)
    actions = window.findChild(ProcedureActions)
    assert actions is not None
    with qtbot.waitSignal(actions.opened, timeout=10000) as opened:
        actions.batch_action.trigger()
    batch = opened.args[0]
    assert isinstance(batch, VillageBatchDialog)
    qtbot.waitUntil(lambda: batch.model.rowCount() > 0, timeout=10000)
    idle(qtbot, window)
    batch.track.setCurrentIndex(batch.track.findData(EXIT_TRACK))
    assert batch.buttons["exit_propose"].isVisible()
    assert not batch.buttons["evaluate"].isVisible()
    batch.stage.setCurrentIndex(batch.stage.findData("80"))
    assert batch.model.rowCount() > 0
    batch.model.set_checked([batch.model.rows()[0].household_id])
    save_screen(batch, tmp_path, "aid-11-batch-exit-track")
    with qtbot.waitSignal(batch.step_dialog_opened, timeout=5000) as got:
        batch.buttons["exit_propose"].click()
    dialog = got.args[0]
    assert isinstance(dialog, ExitProposeDialog)
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: dialog.message.isVisible(), timeout=10000)
    text = dialog.message.text()
    assert "不能申报退出" in text and "核查记录" in text
    save_screen(dialog, tmp_path, "aid-12-exit-refused")
    assert batch.model.rows()[0].stage == "80"


def test_closing_a_screen_before_its_rows_arrive(
        qtbot: QtBot, main_window: MainWindow) -> None:
    """As 按村帮扶 opens, the worker is held busy (its rows are read after that) and the
    screen is closed and deleted; when its rows arrive they are dropped (before the owner
    guard: RuntimeError, QTableWidget already deleted), and the window goes on working."""
    import threading

    from desktop.operations.store_op import StoreOp

    window = main_window
    window.tree.select_place(VILLAGE, None)
    idle(qtbot, window)
    release = threading.Event()
    gone: list[bool] = []

    def close_at_once(screen: object) -> None:
        assert isinstance(screen, VillageAidDialog)
        StoreOp(window.workspace.worker, "测试", lambda _p: release.wait(10)).run()
        screen.destroyed.connect(lambda _o=None: gone.append(True))
        screen.close()  # WA_DeleteOnClose: deleted when the loop next runs

    aid_actions(window).opened.connect(close_at_once)
    aid_actions(window).village_action.trigger()
    qtbot.waitUntil(lambda: bool(gone), timeout=10000)
    release.set()
    idle(qtbot, window)
    done: list[int] = []
    window.op("测试", lambda _p: 7).success(done.append).run()
    qtbot.waitUntil(lambda: done == [7], timeout=5000)
