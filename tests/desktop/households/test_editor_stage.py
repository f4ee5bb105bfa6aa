"""识别阶段 is derived from the recorded steps: the editor shows its label read-only and
never sends it; a new household shows that saving records its application."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from desktop.households.editor import NEW_STAGE_TEXT, HouseholdEditor
from desktop.main_window import MainWindow


def test_the_editor_shows_the_stage_by_its_label_and_does_not_send_it(
        qtbot: QtBot, main_window: MainWindow) -> None:
    window = main_window
    window.stage_filter.setCurrentIndex(window.stage_filter.findData("80"))
    qtbot.waitUntil(lambda: window.model.rowCount() > 0
                    and window.workspace.worker.pending() == 0, timeout=10000)
    assert all(window.model.index(r, 8).data() == "已建档立卡"
               for r in range(min(20, window.model.rowCount())))
    window.table.selectRow(0)
    with qtbot.waitSignal(window.editor_opened, timeout=10000) as opened:
        window.edit_household()
    editor = opened.args[0]
    assert isinstance(editor, HouseholdEditor)
    assert editor.derived["stage"].text() == "已建档立卡"
    assert "stage" not in editor.inputs and "stage" not in editor.raw_household()
    editor.discard()

    with qtbot.waitSignal(window.editor_opened, timeout=10000) as opened:
        window.new_household()
    new = opened.args[0]
    assert new.derived["stage"].text() == NEW_STAGE_TEXT
    assert "stage" not in new.raw_household()
    new.discard()
