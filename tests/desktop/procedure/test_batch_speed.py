"""The issue's figure for the batch screen: a 300-household village's 按村办理 opened and a
first notice started for all of them, through the windows (the program's time: from the
menu to the rows shown, from 发起公示 to the notice recorded and the rows reloaded)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop.main_window import MainWindow
from desktop.procedure.actions import ProcedureActions
from desktop.procedure.batch import VillageBatchDialog
from registry.procedure import access
from registry.store import Store
from tests.conftest import PASSWORD, TOWNSHIP
from tests.desktop.procedure.conftest import days_ago
from tests.registry.procedure.applicants import add_applicants, first_village

Opener = Callable[[Path, str], tuple[MainWindow, ProcedureActions]]
TARGET_S = 1.0


def test_a_300_household_village_opens_and_goes_on_notice_in_a_second(
        qtbot: QtBot, open_window: Opener, tmp_path: Path) -> None:
    path = tmp_path / "big.db"
    store, _ = Store.create(path, kind="station", region_code=TOWNSHIP, user="admin",
                            password=PASSWORD)
    with store:
        village = first_village(store)
        ids = add_applicants(store, village, 300)
        access.record_step(store, "evaluate", ids, days_ago(50))
        access.record_step(store, "verify", ids, days_ago(45))
    window, actions = open_window(path, "admin")

    start = time.perf_counter()
    with qtbot.waitSignal(actions.opened, timeout=10000) as opened:
        actions.batch_action.trigger()
    batch = opened.args[0]
    assert isinstance(batch, VillageBatchDialog)
    qtbot.waitUntil(lambda: batch.model.rowCount() == 300, timeout=10000)
    opening = time.perf_counter() - start

    batch.model.check_all()
    with qtbot.waitSignal(batch.step_dialog_opened, timeout=10000) as opened:
        batch.buttons["first_notice"].click()
    dialog = opened.args[0]
    start = time.perf_counter()
    with qtbot.waitSignal(batch.loaded, timeout=10000):
        dialog.ok_button.click()
    notice = time.perf_counter() - start
    assert batch.last_notice is not None and batch.last_notice.households == 300
    batch.print_offer.reject()
    print(f"\n按村办理 300 户:打开 {opening:.3f} s,发起公示 {notice:.3f} s,"
          f"合计 {opening + notice:.3f} s(目标 ≤ {TARGET_S} s)")
    # The target is 1 s; a loaded test machine gets three times that before failing.
    assert opening + notice <= 3 * TARGET_S
