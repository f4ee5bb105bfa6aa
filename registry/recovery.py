"""The way back in with the recovery key (the data key written for printing): a new key file
with one 管理员 and a new password, when the key file is lost or every administrator's
password is forgotten. Every old password stops opening the store, since their slots are
gone with the old file; the other users keep their names and roles in the store and log in
again once the new administrator has reset their passwords.

    check_recovery_key(path, key)                    # WrongPassword when it is not this store's
    rebuild_keys(path, key, "管理员", new_password)  # the new key file
    store = open_rebuilt(path, key, "管理员", pw)     # the same, then logged in (the app)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from registry.keyslots import KeySlots
from registry.store import Store

DEFAULT_ADMIN = "管理员"


@dataclass(frozen=True)
class RebuildResult:
    keys_path: Path
    old_keys_existed: bool


def check_recovery_key(store_path: Path, key: bytes) -> None:
    """Raises WrongPassword (a clear message, after the failed-login delay) unless `key`
    opens the store. Nothing is written."""
    Store.open_with_recovery_key(store_path, key).close()


def rebuild_keys(store_path: Path, key: bytes, user: str, password: str) -> RebuildResult:
    store_path = Path(store_path)
    existed = KeySlots.path_for(store_path).exists()
    with Store.open_with_recovery_key(store_path, key) as store:
        store.rebuild_keyslots(user, password)
        keys = KeySlots.path_for(store.path)
    return RebuildResult(keys, existed)


def open_rebuilt(store_path: Path, key: bytes, user: str, password: str) -> Store:
    """rebuild_keys, then the store opened as the new administrator, as a login would."""
    rebuild_keys(store_path, key, user, password)
    return Store.open(store_path, user, password)
