"""The sync dialogs' shared pieces: finding removable drives, the folder chooser, the
fingerprint view, and cancelling work from a dialog's own progress bar."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QStorageInfo
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from desktop import sync_widgets
from desktop.sync_widgets import Drive, FingerprintView, FolderPicker, SyncDialog
from desktop.worker import DbWorker
from desktop.workspace import Workspace
from registry.progress import Cancelled
from registry.store import Store


@dataclass
class FakeVolume:
    root: str
    read_only: bool = False

    def isValid(self) -> bool:  # noqa: N802 - QStorageInfo's names
        return True

    def isReady(self) -> bool:  # noqa: N802
        return True

    def isReadOnly(self) -> bool:  # noqa: N802
        return self.read_only

    def rootPath(self) -> str:  # noqa: N802
        return self.root

    def displayName(self) -> str:  # noqa: N802
        return self.root.rsplit("/", 1)[-1] or self.root

    def bytesAvailable(self) -> int:  # noqa: N802
        return 3 * 1024 ** 3


@pytest.mark.skipif(sys.platform == "win32", reason="the Linux mount points")
def test_removable_drives_are_those_under_media(monkeypatch: pytest.MonkeyPatch) -> None:
    volumes = [FakeVolume("/"), FakeVolume("/home"), FakeVolume("/media/clerk/KINGSTON"),
               FakeVolume("/run/media/clerk/U盘"), FakeVolume("/media/clerk/CDROM", True)]
    monkeypatch.setattr(QStorageInfo, "mountedVolumes", staticmethod(lambda: volumes))
    drives = sync_widgets.removable_drives()
    assert [str(d.path) for d in drives] == ["/media/clerk/KINGSTON", "/run/media/clerk/U盘"]
    assert "可移动磁盘" in drives[0].label and "3.0 GB" in drives[0].label


def test_folder_picker_offers_the_stick_first(qtbot: QtBot, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    stick = tmp_path / "stick"
    stick.mkdir()
    monkeypatch.setattr(sync_widgets, "removable_drives",
                        lambda: [Drive(stick, "KINGSTON(可移动磁盘,剩余 3.0 GB)")])
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *a, **k: shown.append(text))
    picker = FolderPicker("test_folder")
    qtbot.addWidget(picker)
    assert picker.combo.itemText(0).startswith("KINGSTON")
    assert picker.folder() == stick
    assert "已找到" in picker.hint.text()

    picker.set_folder(str(tmp_path / "没有这个文件夹"))
    assert picker.folder() is None and "文件夹不存在" in shown[-1]
    picker.set_folder(str(tmp_path))
    assert picker.folder() == tmp_path


def test_fingerprint_in_four_groups(qtbot: QtBot) -> None:
    view = FingerprintView()
    qtbot.addWidget(view)
    view.show_fingerprint("25D0-E105-ECA4-3E6F", "本站指纹")
    assert [g.text() for g in view.groups] == ["25D0", "E105", "ECA4", "3E6F"]
    assert view.text() == "25D0-E105-ECA4-3E6F"


def test_cancel_from_the_dialog_stops_the_work(qtbot: QtBot, station: Store,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *a, **k: shown.append(text))
    worker = DbWorker()
    try:
        dialog = SyncDialog(Workspace(station, worker), "测试")
        qtbot.addWidget(dialog)
        dialog.show()
        steps: list[int] = []

        def slow(progress: Callable[[int, int], bool]) -> None:
            for i in range(2000):
                steps.append(i)
                if not progress(i, 2000):
                    raise Cancelled("已取消")
                time.sleep(0.005)

        dialog.run(slow, lambda _r: None)
        qtbot.waitUntil(lambda: len(steps) > 3 and dialog.bar.maximum() == 2000, timeout=5000)
        assert dialog.cancel_button.isVisible() and dialog.busy()
        dialog.reject()  # cannot close while the work runs
        assert dialog.isVisible()
        dialog.cancel_button.click()
        qtbot.waitUntil(lambda: not dialog.busy(), timeout=5000)
        assert shown == ["已取消,未作任何改动。"] and len(steps) < 2000
        assert not dialog.bar.isVisible()
    finally:
        worker.stop()

