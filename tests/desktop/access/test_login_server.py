"""The app on a store on a PostgreSQL server: `fupin-station --store postgresql://…` opens
the login there (the URL shown without its password), the users are the server's, errors
are said beside the field, and what needs a file (backup, the recovery key) says why not."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from desktop import app
from desktop.access.login import LoginDialog
from desktop.backup.actions import BackupActions
from desktop.shell import Shell
from registry import household_access
from registry.search import HouseholdFilter
from tests import postgres
from tests.conftest import PASSWORD
from tests.desktop.conftest import log_in, save_screen

SECRET = "db-secret-42"  # the database role's password in the URL: never shown


@pytest.fixture
def server_url(demo_store_pg_url: str) -> Iterator[str]:
    """A copy of the 300-household demo station on the test server, its URL carrying a
    password (the test server trusts its socket and ignores it)."""
    url = postgres.create_database(template=demo_store_pg_url)
    try:
        head, _, rest = url.partition("@")
        yield f"{head}:{SECRET}@{rest}"
    finally:
        postgres.drop_database(url)


def _login(qtbot: QtBot, shell: Shell) -> LoginDialog:
    login = shell.start()
    assert isinstance(login, LoginDialog)
    qtbot.addWidget(login)
    return login


def test_the_command_line_takes_a_url() -> None:
    url = f"postgresql://fupin:{SECRET}@db.county.example/fupin?sslmode=verify-full"
    assert app.store_target(url) == url
    assert app.store_target("station.db") == Path("station.db")
    shown = app._shown_args(["--store", url])
    assert SECRET not in shown and "db.county.example/fupin" in shown


def test_log_in_on_a_server_lists_and_searches(qtbot: QtBot, server_url: str,
                                               shell_factory: list[Shell],
                                               tmp_path: Path) -> None:
    shell = Shell(server_url)
    shell_factory.append(shell)
    login = _login(qtbot, shell)
    where = login.findChild(type(login.hint), "loginWhere")
    assert where is not None and "服务器数据库:postgresql://postgres:***@/" in where.text()
    socket_dir = parse_qs(urlsplit(server_url).query)["host"][0]  # the test server's
    assert f"host={socket_dir}" in where.text()
    assert SECRET not in where.text()
    assert not login.recovery_button.isVisible()  # a server has no recovery key
    assert "管理员重设" in login.hint.text()
    save_screen(login, tmp_path, "login-on-server")

    window = log_in(qtbot, shell)
    qtbot.waitUntil(lambda: window.model.rowCount() == 300, timeout=10000)
    assert window.tree.root is not None and window.tree.root.text(1) == "300"
    store = window.workspace.store
    assert store.server and SECRET not in store.location

    # A search as the user types, answered by the server's trigram index.
    first = household_access.household_rows(store, window.model.ids()[:1])[0]
    assert first.head_name
    with qtbot.waitSignal(window.search_finished, timeout=10000):
        window.search_box.setText(first.head_name)
    ids = window.model.ids()
    assert first.id in ids and 0 < len(ids) < 300
    assert window.found_label.text() == f"找到 {len(ids)} 户"
    assert set(ids) == set(household_access.find_households(
        store, HouseholdFilter(text=first.head_name)).ids)

    # The next login on this server offers the same user.
    login2 = shell.return_to_login()
    qtbot.addWidget(login2)
    assert login2.user.currentText() == "admin"


def test_a_wrong_password_is_refused_beside_the_field(qtbot: QtBot, server_url: str,
                                                     shell_factory: list[Shell]) -> None:
    shell = Shell(server_url)
    shell_factory.append(shell)
    login = _login(qtbot, shell)
    login.user.setEditText("admin")
    qtbot.keyClicks(login.password, "not-the-password")
    qtbot.keyClick(login.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: login.error.text() == "用户名或密码不正确", timeout=10000)
    assert login.isVisible() and shell.main_window is None and shell.store is None
    assert login.login_button.isEnabled()
    login.user.setEditText("nobody")
    login.password.setText(PASSWORD)
    login.try_login()
    qtbot.waitUntil(lambda: login.error.text() == "用户名或密码不正确", timeout=10000)
    assert shell.main_window is None


def test_an_unreachable_server_and_a_missing_server_key_are_said(
        qtbot: QtBot, shell_factory: list[Shell], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """No server needed: nothing answers on this socket."""
    url = f"postgresql://fupin:{SECRET}@/fupin?host={tmp_path}&connect_timeout=2"
    shell = Shell(url)
    shell_factory.append(shell)
    login = _login(qtbot, shell)
    login.user.setEditText("admin")
    login.password.setText(PASSWORD)
    login.try_login()
    qtbot.waitUntil(lambda: login.login_button.isEnabled(), timeout=10000)
    assert login.error.text().startswith("无法连接数据库服务器 postgresql://fupin:***@/fupin")
    assert SECRET not in login.error.text() and "Traceback" not in login.error.text()
    assert shell.main_window is None
    save_screen(login, tmp_path, "login-server-unreachable")

    monkeypatch.delenv("FUPIN_SERVER_KEY", raising=False)
    monkeypatch.delenv("FUPIN_SERVER_KEY_FILE", raising=False)
    login.try_login()
    qtbot.waitUntil(lambda: login.login_button.isEnabled(), timeout=10000)
    assert login.error.text().startswith("服务器数据库需要服务器密钥")
    assert shell.main_window is None


def test_what_needs_a_file_says_why_not_on_a_server(qtbot: QtBot, server_url: str,
                                                     shell_factory: list[Shell]) -> None:
    shell = Shell(server_url)
    shell_factory.append(shell)
    window = log_in(qtbot, shell)
    actions = window.findChild(BackupActions)
    assert actions is not None and actions.on_server
    assert not actions.due_button.isVisible() and actions.reminder is None  # no reminder
    for action in (actions.backup_action, actions.restore_action):
        assert action.isEnabled() and "pg_dump" in action.toolTip()
        action.trigger()
        box = window.findChild(QMessageBox, "backupOnServer")
        assert isinstance(box, QMessageBox) and "服务器管理员" in box.text()
        box.close()
        qtbot.waitUntil(lambda: window.findChild(QMessageBox, "backupOnServer") is None,
                        timeout=5000)
    assert actions.backup_dialog is None and actions.restore_dialog is None
    texts = [a.text() for a in window.menu("文件").actions()]
    assert "查看恢复密钥…" not in texts  # no data key on a server

    # Locking asks for the password again; the server's user table checks it.
    window.lock_action.trigger()
    assert window.is_locked()
    window.cover.password.setText("wrong-password")
    window.cover.try_unlock()
    assert window.is_locked() and window.cover.error.text() == "密码不正确,请重新输入"
    window.cover.password.setText(PASSWORD)
    window.cover.try_unlock()
    assert not window.is_locked()
