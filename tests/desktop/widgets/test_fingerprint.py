"""The fingerprint view read out by phone."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from desktop.widgets.fingerprint import FingerprintView


def test_fingerprint_in_four_groups(qtbot: QtBot) -> None:
    view = FingerprintView()
    qtbot.addWidget(view)
    view.show_fingerprint("25D0-E105-ECA4-3E6F", "本站指纹")
    assert [g.text() for g in view.groups] == ["25D0", "E105", "ECA4", "3E6F"]
    assert view.text() == "25D0-E105-ECA4-3E6F"
