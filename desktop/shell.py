"""Starting the program: the application object and its look, then either the setup wizard
(no station yet) or the login dialog, then the main window.

`Shell` holds the flow so tests drive the real windows without `app.exec()`:

    shell = Shell(path)            # the station database's file (may not exist yet), or
                                   # the postgresql:// URL of a store on a server
    shell.start()                  # shows the wizard or the login dialog
    shell.main_window              # set once logged in
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QWidget

from desktop import look
from desktop.access.login import LoginDialog
from desktop.errors import hooks
from desktop.operations.worker import DbWorker
from registry import server

if TYPE_CHECKING:  # imported when first needed: the login window comes up sooner
    from desktop.access.setup_wizard import SetupWizard
    from desktop.backup.restore_dialog import RestoreDialog
    from desktop.main_window import MainWindow
    from registry.store import Store

# Set: quit as soon as the first window (login or wizard) is shown; the time from launch to
# exit is the cold start to a usable login window.
QUIT_WHEN_SHOWN_ENV = "FUPIN_QUIT_WHEN_SHOWN"
DEFAULT_STORE = Path.home() / "扶贫工作站" / "station.db"
# What `_logged_in` imports: loaded by the login's warm-up while the password is typed.
WINDOW_MODULES = (
    "desktop.main_window", "desktop.workspace", "desktop.access.user_actions",
    "desktop.aid.actions", "desktop.backup.actions", "desktop.exchange.excel_actions",
    "desktop.exchange.sync_actions", "desktop.help.guide", "desktop.printing.actions",
    "desktop.procedure.actions", "desktop.statistics.screen",
)


def application() -> QApplication:
    app = QApplication.instance()
    if app is None:
        QCoreApplication.setOrganizationName("fupin")
        QCoreApplication.setApplicationName("fupin-station")
        app = QApplication(sys.argv)
    assert isinstance(app, QApplication)
    look.apply(app)
    return app


class Shell(QObject):
    main_window_shown = Signal(object)

    def __init__(self, store: Path | str | None, demo_login: tuple[str, str] | None = None,
                 idle_ms: int | None = None) -> None:
        super().__init__()
        # The file, or a server's URL (made there by `fupin init --store URL`: no wizard).
        self.target: Path | str = (
            store if isinstance(store, str) and server.is_server(store)
            else Path(store) if store else DEFAULT_STORE)
        self.demo_login = demo_login
        self.idle_ms = idle_ms
        self.worker = DbWorker()
        self.wizard: SetupWizard | None = None
        self.restore_dialog: RestoreDialog | None = None  # the wizard's 从备份恢复
        self.login: LoginDialog | None = None
        self.main_window: MainWindow | None = None
        self.store: Store | None = None

    def start(self) -> QWidget:
        if isinstance(self.target, str) or self.target.exists():
            return self.show_login()
        return self.show_wizard()

    def show_wizard(self) -> SetupWizard:
        from desktop.access.setup_wizard import SetupWizard
        assert isinstance(self.target, Path)  # a server's store is made by `fupin init`
        self.target.parent.mkdir(parents=True, exist_ok=True)
        wizard = SetupWizard(self.target)
        wizard.station_ready.connect(self._logged_in)
        wizard.restore_requested.connect(self.restore_at_setup)
        self.wizard = wizard
        wizard.show()
        return wizard

    def show_login(self) -> LoginDialog:
        login = LoginDialog(self.target, self.worker, self.demo_login,
                            warm_up=WINDOW_MODULES)
        login.logged_in.connect(self._logged_in)
        self.login = login
        login.show()
        return login

    def _logged_in(self, store: Store | None) -> None:
        if store is None:
            return
        # The main window and its features (WINDOW_MODULES), imported after the login
        # window is up (start-up time), by the login's warm-up.
        from desktop.access import user_actions
        from desktop.aid import actions as aid_actions
        from desktop.backup import actions as backup_actions
        from desktop.exchange import excel_actions, sync_actions
        from desktop.help import guide
        from desktop.main_window import MainWindow
        from desktop.printing import actions as print_actions
        from desktop.procedure import actions as procedure_actions
        from desktop.statistics import screen as statistics_screen
        from desktop.workspace import Workspace
        self.store = store
        self.main_window = MainWindow(Workspace(store, self.worker), idle_ms=self.idle_ms)
        sync_actions.install(self.main_window)
        print_actions.install(self.main_window)
        procedure_actions.install(self.main_window)
        aid_actions.install(self.main_window)
        statistics_screen.install(self.main_window)
        excel_actions.install(self.main_window)
        backup_actions.install(self.main_window, self.return_to_login)
        user_actions.install(self.main_window, self.return_to_login)
        guide.install(self.main_window)
        self.main_window.show()
        self.main_window_shown.emit(self.main_window)

    def restore_at_setup(self, path: Path) -> RestoreDialog:
        """The wizard's 从备份恢复 (a new PC): the backup goes to the wizard's path, then
        the login opens instead of the wizard."""
        from desktop.backup.restore_dialog import RestoreDialog
        if self.restore_dialog is not None and self.restore_dialog.isVisible():
            self.restore_dialog.raise_()
            return self.restore_dialog
        dialog = RestoreDialog(self.worker, path, None, self.wizard)
        self.restore_dialog = dialog

        def restored(_result: object) -> None:
            self.target = path
            self.show_login()  # first: the program must never be without a window
            dialog.accept()
            if self.wizard is not None:
                self.wizard.close()

        dialog.restored.connect(restored)
        dialog.show()
        return dialog

    def return_to_login(self) -> LoginDialog:
        """After a restore, and on 注销: the login opens (first, so the program does not
        quit), then the main window closes; the (restored) store is opened by the next
        login."""
        window, self.main_window = self.main_window, None
        login = self.show_login()
        if window is not None:
            if window.editor is not None:
                window.editor.discard()
            window.close()
            window.deleteLater()
        self.worker.set_parent_widget(None)
        if self.store is not None:
            self.store.close()
            self.store = None
        return login

    def close(self) -> None:
        """Closes the windows, finishes queued work, closes the store."""
        if self.main_window is not None and self.main_window.editor is not None:
            self.main_window.editor.discard()
        for w in (self.main_window, self.login, self.restore_dialog, self.wizard):
            if w is not None:
                w.close()
        self.worker.stop()
        if self.store is not None:
            self.store.close()


def run(store: Path | str | None, demo_login: tuple[str, str] | None = None) -> int:
    app = application()
    hooks.install()  # a bug in a slot shows 程序出错 and is logged, never lost
    shell = Shell(store, demo_login)
    shell.start()
    app.setQuitOnLastWindowClosed(True)
    if os.environ.get(QUIT_WHEN_SHOWN_ENV):  # cold start measured by tests/test_installer.py
        QTimer.singleShot(0, app.quit)
    try:
        return app.exec()
    finally:
        shell.close()
