"""The station's part of 精准识别 through the windows: a village's households checked in
按村办理 → 民主评议 (two 未通过) → 入户核实 → 发起第一次公示 → (period over) 到期公示: an
objection returns one, 结束公示 → 乡镇审核 → 发起第二次公示 → 结束公示; a 录入员 finds the
review steps greyed out. Screenshots of every screen go to /tmp/fupin-screens."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import shiboken6
from PySide6.QtCore import QDate
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.main_window import MainWindow
from desktop.procedure.actions import ProcedureActions
from desktop.procedure.batch import VillageBatchDialog
from desktop.procedure.form_dialog import FormDialog
from desktop.procedure.history_dialog import HistoryDialog
from desktop.procedure.notice_screens import NoticesDialog, NoticeWindow
from desktop.procedure.step_dialogs import EvaluateDialog, NoticeDialog, VerifyDialog
from registry.procedure import access
from registry.store import Store
from tests.conftest import PASSWORD
from tests.desktop.conftest import save_screen as _save_screen
from tests.desktop.procedure.conftest import APPLICANTS, CLERK, Station, days_ago

Opener = Callable[[Path, str], tuple[MainWindow, ProcedureActions]]


def save_screen(widget: object, tmp_path: Path, name: str) -> Path:
    """After pending layout requests (a label just changed its text) are handled."""
    QApplication.processEvents()
    return _save_screen(widget, tmp_path, name)


def qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


def idle(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: window.workspace.worker.pending() == 0, timeout=10000)


def open_batch(qtbot: QtBot, window: MainWindow, actions: ProcedureActions
               ) -> VillageBatchDialog:
    with qtbot.waitSignal(actions.opened, timeout=10000) as opened:
        actions.batch_action.trigger()
    batch = opened.args[0]
    assert isinstance(batch, VillageBatchDialog)
    qtbot.waitUntil(lambda: batch.model.rowCount() > 0, timeout=10000)
    idle(qtbot, window)
    return batch


def start(qtbot: QtBot, batch: VillageBatchDialog, key: str) -> FormDialog:
    with qtbot.waitSignal(batch.step_dialog_opened, timeout=10000) as opened:
        batch.buttons[key].click()
    dialog = opened.args[0]
    assert isinstance(dialog, FormDialog)
    return dialog


def submit(qtbot: QtBot, window: MainWindow, dialog: FormDialog) -> None:
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog) or not dialog.isVisible(),
                    timeout=10000)
    idle(qtbot, window)


def stages(store_path: Path, village: str) -> dict[str, int]:
    with Store.open(store_path, "admin", PASSWORD) as store:
        counts: dict[str, int] = {}
        for r in access.village_batch(store, village):
            counts[r.stage] = counts.get(r.stage, 0) + 1
        return counts


def test_a_village_from_application_to_the_county(
        qtbot: QtBot, applicants_station: Station, open_window: Opener,
        tmp_path: Path) -> None:
    station = applicants_station
    window, actions = open_window(station.path, "admin")
    batch = open_batch(qtbot, window, actions)
    assert batch.model.rowCount() == APPLICANTS
    assert all(r.stage_name == "农户申请" for r in batch.model.rows())
    assert all(b.isEnabled() for b in batch.buttons.values())
    batch.model.check_all()
    save_screen(batch, tmp_path, "procedure-01-batch")

    # 民主评议: two do not pass; the reason is asked beside its field first.
    rows = batch.model.rows()
    failing = [r.household_id for r in rows[:2]]
    batch.model.check_all(False)
    batch.model.set_checked(failing)
    dialog = start(qtbot, batch, "evaluate")
    assert isinstance(dialog, EvaluateDialog)
    dialog.date.setDate(qdate(days_ago(50)))
    dialog.participants.setValue(40)
    dialog.votes_for.setValue(12)
    dialog.votes_against.setValue(25)
    dialog.votes_abstain.setValue(3)
    dialog.result_buttons["reject"].setChecked(True)
    dialog.ok_button.click()
    assert dialog.errors["reason"].isVisible()
    assert "原因" in dialog.errors["reason"].text()
    save_screen(dialog, tmp_path, "procedure-02-evaluate-reason-missing")
    dialog.reason.setPlainText("家有稳定务工收入,评议未通过")
    submit(qtbot, window, dialog)
    assert "已记录民主评议" in batch.status.text()

    batch.stage.setCurrentIndex(batch.stage.findData("10"))
    assert batch.model.rowCount() == APPLICANTS - 2
    batch.model.check_all()
    dialog = start(qtbot, batch, "evaluate")
    assert isinstance(dialog, EvaluateDialog)
    dialog.date.setDate(qdate(days_ago(50)))
    dialog.participants.setValue(40)
    dialog.votes_for.setValue(36)
    dialog.votes_against.setValue(3)
    dialog.votes_abstain.setValue(1)
    save_screen(dialog, tmp_path, "procedure-03-evaluate")
    submit(qtbot, window, dialog)

    # 入户核实 of those that passed.
    batch.stage.setCurrentIndex(batch.stage.findData("20"))
    assert batch.model.rowCount() == APPLICANTS - 2
    batch.model.check_all()
    dialog = start(qtbot, batch, "verify")
    assert isinstance(dialog, VerifyDialog)
    dialog.date.setDate(qdate(days_ago(45)))
    dialog.checkers.setText("村两委 王书记、驻村工作队 李队员")
    dialog.findings.setPlainText("住房为土坯房,无稳定收入,家中有长期病人")
    save_screen(dialog, tmp_path, "procedure-04-verify")
    submit(qtbot, window, dialog)

    # 发起第一次公示, 40 days ago for 7 days: its period is over.
    batch.stage.setCurrentIndex(batch.stage.findData("25"))
    batch.model.check_all()
    dialog = start(qtbot, batch, "first_notice")
    assert isinstance(dialog, NoticeDialog)
    dialog.start.setDate(qdate(days_ago(40)))
    assert dialog.days.value() == 7
    save_screen(dialog, tmp_path, "procedure-05-first-notice")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: batch.last_notice is not None, timeout=10000)
    notice = batch.last_notice
    assert notice is not None and notice.households == APPLICANTS - 2
    offer = batch.print_offer
    qtbot.waitUntil(offer.isVisible)
    save_screen(offer, tmp_path, "procedure-06-print-offer")
    offer.reject()
    idle(qtbot, window)
    batch.stage.setCurrentIndex(0)
    save_screen(batch, tmp_path, "procedure-07-batch-after-notice")

    # The main window counts the notice as due; its table filters by stage.
    qtbot.waitUntil(lambda: actions.due == 1, timeout=10000)
    assert actions.due_action.text() == "到期公示(1)"
    assert actions.due_badge.isVisible() and "1" in actions.due_badge.text()
    window.stage_filter.setCurrentIndex(window.stage_filter.findData("30"))
    qtbot.waitUntil(lambda: window.model.rowCount() == APPLICANTS - 2, timeout=10000)
    idle(qtbot, window)
    save_screen(window, tmp_path, "procedure-08-main-window-due")

    # 到期公示: an objection returns one household, then 结束公示.
    with qtbot.waitSignal(actions.opened, timeout=10000) as opened:
        actions.due_action.trigger()
    notices = opened.args[0]
    assert isinstance(notices, NoticesDialog)
    qtbot.waitUntil(lambda: notices.table.rowCount() == 1, timeout=10000)
    save_screen(notices, tmp_path, "procedure-09-due-notices")
    with qtbot.waitSignal(notices.notice_opened, timeout=10000) as opened:
        notices.open_selected()
    notice_window = opened.args[0]
    assert isinstance(notice_window, NoticeWindow)
    qtbot.waitUntil(lambda: notice_window.detail is not None, timeout=10000)
    assert notice_window.households.rowCount() == APPLICANTS - 2
    assert notice_window.close_button.isEnabled()

    with qtbot.waitSignal(notice_window.form_opened) as opened:
        notice_window.objection_button.click()
    objection = opened.args[0]
    returned = notice_window.on_notice()[0]
    objection.household.setCurrentIndex(objection.household.findData(returned.household_id))
    objection.date.setDate(qdate(days_ago(38)))
    objection.anonymous.setChecked(True)
    objection.content.setPlainText("反映该户子女在外务工,收入较高")
    objection.checking.setPlainText("村两委入户核查,情况属实,需重新评议")
    objection.outcome.setCurrentIndex(objection.outcome.findData("return"))
    save_screen(objection, tmp_path, "procedure-10-objection")
    submit(qtbot, window, objection)
    qtbot.waitUntil(lambda: notice_window.objections.rowCount() == 1, timeout=10000)
    assert notice_window.objections.item(0, 2).text() == "匿名"

    with qtbot.waitSignal(notice_window.form_opened) as opened:
        notice_window.close_button.click()
    closing = opened.args[0]
    closing.date.setDate(qdate(days_ago(30)))
    save_screen(closing, tmp_path, "procedure-11-close-notice")
    submit(qtbot, window, closing)
    qtbot.waitUntil(lambda: "进入下一步" in notice_window.message.text(), timeout=10000)
    assert f"{APPLICANTS - 3} 户" in notice_window.message.text()
    idle(qtbot, window)
    assert not notice_window.objection_button.isEnabled()
    assert not notice_window.close_button.isEnabled()
    save_screen(notice_window, tmp_path, "procedure-12-notice-closed")
    notice_window.accept()
    notices.accept()
    qtbot.waitUntil(lambda: actions.due == 0, timeout=10000)
    assert not actions.due_badge.isVisible()

    # 乡镇审核 (规模 shown), then the township's second notice.
    batch.load()
    batch.stage.setCurrentIndex(batch.stage.findData("35"))
    qtbot.waitUntil(lambda: batch.model.rowCount() == APPLICANTS - 3, timeout=10000)
    batch.model.check_all()
    dialog = start(qtbot, batch, "township_review")
    dialog.date.setDate(qdate(days_ago(29)))
    assert "已用" in dialog.quota.text()
    save_screen(dialog, tmp_path, "procedure-13-township-review")
    submit(qtbot, window, dialog)

    batch.stage.setCurrentIndex(batch.stage.findData("40"))
    qtbot.waitUntil(lambda: batch.model.rowCount() == APPLICANTS - 3, timeout=10000)
    batch.model.check_all()
    batch.last_notice = None
    dialog = start(qtbot, batch, "second_notice")
    dialog.start.setDate(qdate(days_ago(28)))
    save_screen(dialog, tmp_path, "procedure-14-second-notice")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: batch.last_notice is not None, timeout=10000)
    batch.print_offer.reject()
    second = batch.last_notice
    assert second is not None and second.kind == "second"
    idle(qtbot, window)

    with qtbot.waitSignal(actions.opened, timeout=10000) as opened:
        actions.due_action.trigger()
    notices = opened.args[0]
    qtbot.waitUntil(lambda: notices.table.rowCount() == 1, timeout=10000)
    with qtbot.waitSignal(notices.notice_opened, timeout=10000) as opened:
        notices.open_selected()
    notice_window = opened.args[0]
    qtbot.waitUntil(lambda: notice_window.close_button.isEnabled(), timeout=10000)
    with qtbot.waitSignal(notice_window.form_opened) as opened:
        notice_window.close_button.click()
    submit(qtbot, window, opened.args[0])
    qtbot.waitUntil(lambda: "进入下一步" in notice_window.message.text(), timeout=10000)
    notice_window.accept()
    notices.accept()
    batch.stage.setCurrentIndex(0)
    batch.load()
    qtbot.waitUntil(lambda: batch.model.rowCount() == APPLICANTS, timeout=10000)
    idle(qtbot, window)
    save_screen(batch, tmp_path, "procedure-15-batch-at-county")
    assert stages(station.path, station.village) == {"60": APPLICANTS - 3, "90": 2, "10": 1}

    # 档案 of a household that went the whole way.
    window.stage_filter.setCurrentIndex(window.stage_filter.findData("60"))
    qtbot.waitUntil(lambda: window.model.rowCount() == APPLICANTS - 3, timeout=10000)
    window.table.selectRow(0)
    with qtbot.waitSignal(actions.opened, timeout=10000) as opened:
        actions.history_action.trigger()
    history = opened.args[0]
    assert isinstance(history, HistoryDialog)
    qtbot.waitUntil(lambda: len(history.items) > 0, timeout=10000)
    titles = [i.title for i in history.items]
    for step in ("农户申请", "民主评议 — 通过", "入户核实 — 通过", "第一次公示",
                 "乡镇审核 — 通过", "第二次公示"):
        assert step in titles
    assert {i.user for i in history.items if i.kind == "step"} == {"admin"}
    save_screen(history, tmp_path, "procedure-16-history")


def test_an_entry_clerk_sees_the_steps_greyed_out(
        qtbot: QtBot, applicants_station: Station, open_window: Opener,
        tmp_path: Path) -> None:
    window, actions = open_window(applicants_station.path, CLERK)
    assert window.new_action.isEnabled()  # a 录入员 registers households
    assert window.villages_action.isEnabled()  # and adds a village's new groups
    batch = open_batch(qtbot, window, actions)
    assert not any(b.isEnabled() for b in batch.buttons.values())
    assert "录入员" in batch.buttons["evaluate"].toolTip()
    assert batch.role_note.isVisible()
    batch.model.check_all()
    save_screen(batch, tmp_path, "procedure-20-clerk-batch")
    # The core refuses anyway (a modified app, the command line).
    with Store.open(applicants_station.path, CLERK, PASSWORD) as store:
        from registry.roles import NotAllowed
        try:
            access.record_step(store, "evaluate", applicants_station.ids, days_ago(1))
        except NotAllowed as e:
            assert "录入员" in str(e)
        else:
            raise AssertionError("a 录入员 recorded 民主评议")


def test_a_refusal_is_said_in_the_dialog(qtbot: QtBot, applicants_station: Station,
                                          open_window: Opener, tmp_path: Path) -> None:
    """入户核实 before 民主评议: the core names the missing step; the dialog stays open."""
    window, actions = open_window(applicants_station.path, "admin")
    batch = open_batch(qtbot, window, actions)
    batch.model.check_all()
    dialog = start(qtbot, batch, "verify")
    assert isinstance(dialog, VerifyDialog)
    dialog.checkers.setText("村两委")
    dialog.ok_button.click()
    qtbot.waitUntil(dialog.message.isVisible, timeout=10000)
    assert "须先完成“民主评议”" in dialog.message.text()
    assert dialog.isVisible() and dialog.ok_button.isEnabled()
    save_screen(dialog, tmp_path, "procedure-21-refused")
    dialog.reject()

