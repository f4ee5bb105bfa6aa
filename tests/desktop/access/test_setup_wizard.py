"""First run: the setup wizard makes the station, then the main window opens."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot

from desktop.access.setup_wizard import SetupWizard
from desktop.shell import Shell
from registry.store import Store
from registry.villages import list_villages
from tests.desktop.conftest import save_screen

TOWNSHIP = "513431102"  # 昭觉县竹核镇


def test_setup_wizard_makes_the_station(qtbot: QtBot, tmp_path: Path,
                                        shell_factory: list[Shell]) -> None:
    path = tmp_path / "new" / "station.db"
    shell = Shell(path)
    shell_factory.append(shell)
    wizard = shell.start()
    assert isinstance(wizard, SetupWizard)
    qtbot.addWidget(wizard)
    next_button = wizard.button(QWizard.WizardButton.NextButton)
    assert not next_button.isEnabled()  # no township yet

    place = wizard.place
    place.select(TOWNSHIP)
    assert place.township.currentText() == "竹核镇"
    assert "个村" in place.villages.text()
    save_screen(wizard, tmp_path, "setup-wizard")
    assert place.path.text() == str(path)
    wizard.next()

    page = wizard.user_page
    page.user.setText("张明")
    qtbot.keyClicks(page.password, "short")
    qtbot.keyClicks(page.again, "short")
    wizard.next()
    assert page.error.text() == "密码至少8位" and wizard.currentPage() is page
    page.password.setText("station-pass-1")
    page.again.setText("station-pass-2")
    wizard.next()
    assert page.error.text() == "两次输入的密码不一致"
    page.again.setText("station-pass-1")
    wizard.next()
    assert wizard.currentPage() is wizard.villages_page and wizard.store is not None

    villages = wizard.villages_page
    assert villages.table.rowCount() > 3
    first_code = villages.table.item(0, 0).text()  # type: ignore[union-attr]
    villages.set_village(0, name="尼日新村", groups=5)
    villages.set_village(1, groups=3)
    save_screen(wizard, tmp_path, "setup-wizard-villages")
    wizard.next()

    recovery = wizard.recovery_page
    assert wizard.currentPage() is recovery
    key = wizard.recovery_key
    assert key and key.split("-")[0] in recovery.key.text()
    save_screen(wizard, tmp_path, "setup-wizard-recovery")
    finish = wizard.button(QWizard.WizardButton.FinishButton)
    assert not finish.isEnabled()  # the key must be confirmed as printed or copied
    recovery.done.setChecked(True)
    assert finish.isEnabled()
    with qtbot.waitSignal(shell.main_window_shown, timeout=10000):
        wizard.accept()
    window = shell.main_window
    assert window is not None
    qtbot.waitUntil(lambda: window.tree.root is not None, timeout=5000)
    assert window.tree.root.child(0).text(0) == "尼日新村"  # type: ignore[union-attr]
    assert window.tree.root.child(0).childCount() == 5  # type: ignore[union-attr]
    shell.close()

    with Store.open(path, "张明", "station-pass-1") as store, store.session() as s:
        found = {v.code: v for v in list_villages(s)}
        assert found[first_code].name == "尼日新村"
        assert [n for n, _ in found[first_code].groups] == [1, 2, 3, 4, 5]
        assert store.info.region_code == TOWNSHIP
        from sync.keys import active_key
        assert active_key(s, required=False) is not None  # sync keys made at setup
    from registry.keyslots import parse_recovery_key
    with Store.open_with_recovery_key(path, parse_recovery_key(key)) as store:
        assert store.info.region_name == "竹核镇"
