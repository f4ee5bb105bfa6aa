"""A key file rebuilt from the recovery key: it opens the store, the old passwords do not."""

from __future__ import annotations

from pathlib import Path

import pytest

from registry import recovery
from registry.errors import NotAStore, WrongPassword
from registry.keyslots import KeySlots, parse_recovery_key
from registry.store import Store
from tests.conftest import PASSWORD, TOWNSHIP


@pytest.fixture
def made(tmp_path: Path) -> tuple[Path, bytes]:
    path = tmp_path / "station.db"
    store, key = Store.create(path, kind="station", region_code=TOWNSHIP, user="admin",
                              password=PASSWORD)
    with store:
        store.add_user("clerk1", "clerk-pass-1", "clerk")
    return path, parse_recovery_key(key)


def test_rebuilt_key_file_opens_and_old_passwords_do_not(made: tuple[Path, bytes]) -> None:
    path, key = made
    result = recovery.rebuild_keys(path, key, "管理员", "brand-new-1")
    assert result.old_keys_existed
    with Store.open(path, "管理员", "brand-new-1") as store:
        assert store.role == "admin"
        assert ("管理员", "admin") in store.users()
    assert KeySlots.load(path).users()[0][0] == "管理员" and len(KeySlots.load(path).slots) == 1
    for user, password in (("admin", PASSWORD), ("clerk1", "clerk-pass-1")):
        with pytest.raises(WrongPassword):
            Store.open(path, user, password)


def test_lost_key_file(made: tuple[Path, bytes]) -> None:
    path, key = made
    KeySlots.path_for(path).unlink()
    assert not recovery.rebuild_keys(path, key, "站长", "brand-new-0").old_keys_existed
    KeySlots.path_for(path).unlink()
    with pytest.raises(NotAStore, match="恢复密钥"):
        Store.open(path, "admin", PASSWORD)
    with recovery.open_rebuilt(path, key, "站长", "brand-new-1") as store:
        assert store.user == "站长" and store.role == "admin"
        assert store.verify() == []


def test_wrong_recovery_key_writes_nothing(made: tuple[Path, bytes]) -> None:
    path, _ = made
    keys = KeySlots.path_for(path).read_bytes()
    with pytest.raises(WrongPassword, match="恢复密钥不正确"):
        recovery.rebuild_keys(path, b"\x02" * 32, "管理员", "brand-new-1")
    assert KeySlots.path_for(path).read_bytes() == keys


def test_short_new_password_writes_nothing(made: tuple[Path, bytes]) -> None:
    path, key = made
    keys = KeySlots.path_for(path).read_bytes()
    with pytest.raises(Exception, match="密码至少8位"):
        recovery.rebuild_keys(path, key, "管理员", "short")
    assert KeySlots.path_for(path).read_bytes() == keys
