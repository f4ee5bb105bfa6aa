"""The screenshots of the user guide (docs/使用手册.md), made by driving the real windows.
Every run makes them (and checks the guide names no missing picture); with
FUPIN_GUIDE_IMAGES=1 they are also written to docs/images/ to be committed:

    FUPIN_GUIDE_IMAGES=1 .venv/bin/python -m pytest tests/desktop/test_guide_images.py
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from desktop.access.login import LoginDialog
from desktop.access.setup_wizard import SetupWizard
from desktop.backup.actions import BackupActions
from desktop.printing.actions import PrintActions
from desktop.shell import Shell
from registry import backup
from registry.store import Store
from tests.conftest import PASSWORD
from tests.desktop.conftest import log_in

DOCS = Path(__file__).resolve().parents[2] / "docs"
GUIDE = DOCS / "使用手册.md"


def _shot(widget: QWidget, qtbot: QtBot, folder: Path, name: str) -> None:
    qtbot.wait(60)  # laid out and painted
    path = folder / f"{name}.png"
    assert widget.grab().save(str(path))
    if os.environ.get("FUPIN_GUIDE_IMAGES"):
        (DOCS / "images").mkdir(parents=True, exist_ok=True)
        shutil.copy(path, DOCS / "images" / path.name)


def test_guide_screenshots(qtbot: QtBot, demo_store_path: Path, shell_factory: list[Shell],
                           tmp_path: Path) -> None:
    # Fixed, short paths: they show in the windows.
    place = Path("/tmp/扶贫工作站-手册")
    shutil.rmtree(place, ignore_errors=True)
    place.mkdir()
    station = place / "station.db"
    for suffix in ("", ".keys"):
        shutil.copy(f"{demo_store_path}{suffix}", f"{station}{suffix}")
    usb = place / "U盘"
    usb.mkdir()

    wizard_shell = Shell(place / "新工作站.db")
    shell_factory.append(wizard_shell)
    wizard = wizard_shell.start()
    assert isinstance(wizard, SetupWizard)
    qtbot.addWidget(wizard)  # deleted by pytest-qt: the shell alone leaves it dangling
    wizard.place.select("513431102")
    _shot(wizard, qtbot, tmp_path, "setup-place")
    wizard.hide()

    shell = Shell(station)
    shell_factory.append(shell)
    login = shell.start()
    assert isinstance(login, LoginDialog)
    login.user.setEditText("admin")
    _shot(login, qtbot, tmp_path, "login")
    window = log_in(qtbot, shell)
    window.resize(1280, 720)
    window.table.selectRow(2)
    qtbot.waitUntil(lambda: window.detail.isVisible(), timeout=5000)
    qtbot.wait(300)
    _shot(window, qtbot, tmp_path, "main-window")

    window.new_household()
    editor = window.editor
    assert editor is not None
    _shot(editor, qtbot, tmp_path, "household-editor")
    editor.discard()

    prints = window.findChild(PrintActions)
    assert prints is not None
    with qtbot.waitSignal(prints.dialog_opened, timeout=10000) as opened:
        prints.open_notice()
    _shot(opened.args[0], qtbot, tmp_path, "print-notice")
    opened.args[0].reject()

    export = window.sync_actions.export()  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: not export.busy(), timeout=10000)
    _shot(export, qtbot, tmp_path, "sync-export")
    export.close()

    actions = window.findChild(BackupActions)
    assert actions is not None
    dialog = actions.open_backup()
    dialog.folder.set_folder(str(usb))
    with qtbot.waitSignal(dialog.work_done, timeout=20000):
        dialog.backup_button.click()
    _shot(dialog, qtbot, tmp_path, "backup")
    assert dialog.made is not None
    made = dialog.made.path
    dialog.close()
    restore = actions.open_restore(made)
    assert restore is not None
    qtbot.waitUntil(lambda: restore.preview is not None, timeout=10000)
    _shot(restore, qtbot, tmp_path, "restore")
    restore.close()

    with Store.open(station, "admin", PASSWORD) as store:
        assert backup.last_backup(store.path) is not None
    recovery = shell.login
    assert recovery is not None
    dialog_r = recovery.open_with_recovery_key()
    dialog_r.key.setText("0A1B-2C3D-…")
    _shot(dialog_r, qtbot, tmp_path, "recovery")
    dialog_r.reject()


def test_the_guide_names_only_pictures_that_exist() -> None:
    text = GUIDE.read_text("utf-8")
    pictures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert pictures
    missing = [p for p in pictures if not (DOCS / p).is_file()]
    assert not missing, missing


def test_help_opens_the_guide(qtbot: QtBot, main_window: object) -> None:
    from desktop.main_window import MainWindow
    from desktop.printing.preview import PreviewDialog
    assert isinstance(main_window, MainWindow)
    guide = main_window.guide_action  # type: ignore[attr-defined]
    assert main_window.menu("帮助").actions()[0] is guide.action
    guide.action.trigger()
    qtbot.waitUntil(lambda: guide.preview is not None, timeout=30000)
    assert isinstance(guide.preview, PreviewDialog) and guide.preview.page_count >= 5
    guide.preview.close()
