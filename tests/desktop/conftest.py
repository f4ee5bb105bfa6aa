"""Fixtures for driving the real windows offscreen: a private copy of the demo station (so
tests may write), a logged-in shell, and a place for screenshots."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from desktop.main_window import MainWindow
from desktop.shell import Shell, application
from tests.conftest import PASSWORD

SCREENS = Path("/tmp/fupin-screens")


@pytest.fixture(autouse=True)
def private_settings(tmp_path: Path) -> Iterator[None]:
    """QSettings the windows write (lock minutes, folders, phone numbers) go to the test's
    folder, never to the user's own settings."""
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                      str(tmp_path / "settings"))
    yield


@pytest.fixture
def station_copy(demo_store_path: Path, tmp_path: Path) -> Path:
    """The 300-household demo station, copied so a test can change it."""
    target = tmp_path / "station.db"
    for suffix in ("", ".keys", "-wal", "-shm"):
        source = Path(f"{demo_store_path}{suffix}")
        if source.exists():
            shutil.copy(source, f"{target}{suffix}")
    return target


@pytest.fixture
def shell_factory(qtbot: QtBot) -> Iterator[list[Shell]]:
    application()
    shells: list[Shell] = []
    yield shells
    for shell in shells:
        shell.close()


def log_in(qtbot: QtBot, shell: Shell, user: str = "admin", password: str = PASSWORD
           ) -> MainWindow:
    login = shell.start()
    from desktop.access.login import LoginDialog
    assert isinstance(login, LoginDialog)
    qtbot.addWidget(login)
    login.user.setEditText(user)
    login.password.setText(password)
    with qtbot.waitSignal(shell.main_window_shown, timeout=15000):
        qtbot.keyClick(login.password, "\r")
    window = shell.main_window
    assert window is not None  # closed by the shell fixture (it discards open editors)
    # Ready: the tree is filled and the first query has answered.
    qtbot.waitUntil(lambda: window.tree.root is not None and window.found_label.text() != ""
                    and window.workspace.worker.pending() == 0, timeout=10000)
    return window


@pytest.fixture
def main_window(qtbot: QtBot, station_copy: Path, shell_factory: list[Shell]) -> MainWindow:
    shell = Shell(station_copy)
    shell_factory.append(shell)
    return log_in(qtbot, shell)


def save_screen(widget: object, tmp_path: Path, name: str) -> Path:
    """Saves a PNG under the test's folder and copies it to /tmp/fupin-screens for review."""
    from PySide6.QtWidgets import QWidget
    assert isinstance(widget, QWidget)
    path = tmp_path / f"{name}.png"
    assert widget.grab().save(str(path))
    SCREENS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SCREENS / path.name)
    return path
