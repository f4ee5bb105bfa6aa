"""Finding removable drives, and the folder chooser that offers them first."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QStorageInfo
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from desktop.widgets import drives as drives_module
from desktop.widgets.drives import Drive, FolderPicker


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
    drives = drives_module.removable_drives()
    assert [str(d.path) for d in drives] == ["/media/clerk/KINGSTON", "/run/media/clerk/U盘"]
    assert "可移动磁盘" in drives[0].label and "3.0 GB" in drives[0].label


def test_folder_picker_offers_the_stick_first(qtbot: QtBot, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    stick = tmp_path / "stick"
    stick.mkdir()
    monkeypatch.setattr(drives_module, "removable_drives",
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
