"""Unlocking a locked window: the logged-in user's password, or the recovery key for a store
opened with it; a wrong one is refused with the message the cover shows."""

from __future__ import annotations

from pathlib import Path

import pytest

from registry.errors import WrongPassword
from registry.keyslots import parse_recovery_key
from registry.store import Store
from registry.unlock import confirm_user
from tests.conftest import PASSWORD, TOWNSHIP


def test_password_of_the_logged_in_user(station: Store) -> None:
    confirm_user(station, PASSWORD)
    with pytest.raises(WrongPassword, match="密码不正确,请重新输入"):
        confirm_user(station, "not-the-password")


def test_recovery_key_when_opened_with_it(tmp_path: Path) -> None:
    store, key = Store.create(tmp_path / "s.db", kind="station", region_code=TOWNSHIP,
                              user="admin", password=PASSWORD)
    store.close()
    with Store.open_with_recovery_key(tmp_path / "s.db", parse_recovery_key(key)) as opened:
        confirm_user(opened, key.lower())  # typed by hand: case and dashes do not matter
        for wrong in ("0" * 64, "not a key", PASSWORD):
            with pytest.raises(WrongPassword, match="恢复密钥不正确"):
                confirm_user(opened, wrong)


def test_password_on_a_server(demo_store_pg_url: str) -> None:
    """A store on a server has no key file: the user's scrypt hash in app_user decides."""
    with Store.open(demo_store_pg_url, "admin", PASSWORD) as store:
        confirm_user(store, PASSWORD)
        for wrong in ("not-the-password", "0" * 64):
            with pytest.raises(WrongPassword, match="密码不正确,请重新输入"):
                confirm_user(store, wrong)
