"""The county's side through the windows: the households a station sent are read-only
(新增/修改/删除 greyed, the editor opens for viewing); 县复审 lists the queue per township;
抽查 10 %, each sampled household checked; 审定 refused while a sample is unchecked, then
all approved under one 文号; 公告 of that 文号."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import shiboken6
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from desktop.households.editor import READ_ONLY_NOTE, HouseholdEditor
from desktop.main_window import MainWindow
from desktop.procedure.actions import ProcedureActions
from desktop.procedure.county_review import (
    AnnounceDialog,
    CheckDialog,
    CountyReviewDialog,
    DecideDialog,
    SampleDialog,
)
from desktop.procedure.form_dialog import FormDialog
from registry.procedure import access, quota
from registry.store import Store
from tests.conftest import PASSWORD, TOWNSHIP
from tests.desktop.conftest import save_screen as _save_screen

Opener = Callable[[Path, str], tuple[MainWindow, ProcedureActions]]
REF = "昭扶贫〔2026〕12号"


def save_screen(widget: object, tmp_path: Path, name: str) -> Path:
    QApplication.processEvents()
    return _save_screen(widget, tmp_path, name)


def idle(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: window.workspace.worker.pending() == 0, timeout=10000)


def form(qtbot: QtBot, review: CountyReviewDialog, key: str) -> FormDialog:
    with qtbot.waitSignal(review.form_opened, timeout=10000) as opened:
        review.buttons[key].click()
    dialog = opened.args[0]
    assert isinstance(dialog, FormDialog)
    return dialog


def submit(qtbot: QtBot, review: CountyReviewDialog, dialog: FormDialog) -> None:
    with qtbot.waitSignal(review.loaded, timeout=10000):
        dialog.ok_button.click()
    assert not shiboken6.isValid(dialog) or not dialog.isVisible()
    idle(qtbot, review.main)


def test_the_county_reviews_samples_and_approves_under_a_ref(
        qtbot: QtBot, county_with_queue: Path, open_window: Opener, tmp_path: Path) -> None:
    # The township's quota is exactly what it sent: the households at 县复审 already count
    # against it, so approving them all stays within it (20/20) and needs no override.
    with Store.open(county_with_queue, "admin", PASSWORD) as store:
        people = sum(r.size for r in access.review_queue(store))
        with store.transaction() as s:
            quota.set_township_quota(s, access.actor(store), TOWNSHIP, 20, people)
    window, actions = open_window(county_with_queue, "admin")
    # The stations' households: viewed, never edited here.
    assert not window.new_action.isEnabled()
    assert not window.edit_action.isEnabled()
    assert not window.delete_action.isEnabled()
    assert not window.villages_action.isEnabled()
    qtbot.waitUntil(lambda: window.model.rowCount() == 20, timeout=10000)
    window.table.selectRow(0)
    qtbot.waitUntil(lambda: "县复审" in window.detail.toPlainText(), timeout=10000)
    with qtbot.waitSignal(window.editor_opened, timeout=10000) as opened:
        window.edit_household()
    editor = opened.args[0]
    assert isinstance(editor, HouseholdEditor)
    assert editor.read_only and not editor.save_button.isVisible()
    assert editor.summary.text() == READ_ONLY_NOTE
    assert editor.derived["stage"].text() == "县复审"
    save_screen(editor, tmp_path, "procedure-30-county-editor-read-only")
    editor.reject()
    save_screen(window, tmp_path, "procedure-31-county-main-window")

    with qtbot.waitSignal(actions.opened, timeout=10000) as opened:
        actions.review_action.trigger()
    review = opened.args[0]
    assert isinstance(review, CountyReviewDialog)
    qtbot.waitUntil(lambda: review.model.rowCount() == 20, timeout=10000)
    idle(qtbot, window)
    assert review.station.findText("竹核镇") > 0
    assert "已用" in review.quota.text()
    save_screen(review, tmp_path, "procedure-32-county-queue")

    # 抽查 10 %: two households, each to be checked.
    dialog = form(qtbot, review, "sample")
    assert isinstance(dialog, SampleDialog) and dialog.share() == 0.1
    save_screen(dialog, tmp_path, "procedure-33-sample")
    submit(qtbot, review, dialog)
    sampled = [r for r in review.model.rows() if r.sample == "pending"]
    assert len(sampled) == 2
    save_screen(review, tmp_path, "procedure-34-sampled")

    # 审定 while a sample is unchecked: refused, said in the dialog.
    review.model.check_all()
    with qtbot.waitSignal(review.form_opened, timeout=10000) as opened:
        review.buttons["approve"].click()
    decide = opened.args[0]
    assert isinstance(decide, DecideDialog)
    decide.ok_button.click()
    assert decide.errors["ref"].isVisible()  # 文号 is asked beside its field first
    decide.ref_edit.setText(REF)
    decide.ok_button.click()
    qtbot.waitUntil(decide.message.isVisible, timeout=10000)
    assert "尚未核查" in decide.message.text()
    save_screen(decide, tmp_path, "procedure-35-decide-refused")
    decide.reject()

    for row in sampled:
        index = next(i for i, r in enumerate(review.model.rows())
                     if r.household_id == row.household_id)
        review.table.selectRow(index)
        check = form(qtbot, review, "check")
        assert isinstance(check, CheckDialog)
        check.note_box.setPlainText("入户核查,情况属实")
        if row is sampled[0]:
            save_screen(check, tmp_path, "procedure-36-check")
        submit(qtbot, review, check)
    assert {r.sample for r in review.model.rows() if r.sample} == {"pass"}

    review.model.check_all()
    with qtbot.waitSignal(review.form_opened, timeout=10000) as opened:
        review.buttons["approve"].click()
    decide = opened.args[0]
    decide.ref_edit.setText(REF)
    assert "20/20 户" in decide.findChild(QLabel, "quota").text()
    assert not decide.override.isVisible()
    save_screen(decide, tmp_path, "procedure-37-decide")
    submit(qtbot, review, decide)
    assert review.model.rowCount() == 0
    assert "已审定 20 户" in review.status.text()

    announce = form(qtbot, review, "announce")
    assert isinstance(announce, AnnounceDialog)
    assert announce.ref() == REF
    save_screen(announce, tmp_path, "procedure-38-announce")
    with qtbot.waitSignal(review.decided, timeout=10000):
        announce.ok_button.click()
    offer = review.print_offer
    qtbot.waitUntil(offer.isVisible)
    save_screen(offer, tmp_path, "procedure-39-announce-print-offer")
    offer.reject()
    idle(qtbot, window)
    with Store.open(county_with_queue, "admin", PASSWORD) as store:
        assert access.refs(store) == [(REF, 20, True)]
