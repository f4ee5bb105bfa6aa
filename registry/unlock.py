"""Proving again who is at the keyboard of an open store (the window was locked after idle
time, or the recovery key is asked for): the logged-in user's password, or the recovery key
when the store was opened with it. Nothing is opened or written."""

from __future__ import annotations

import hmac

from registry.errors import WrongPassword
from registry.keyslots import parse_recovery_key
from registry.store import Store


def confirm_user(store: Store, password: str) -> None:
    """Raises WrongPassword, with the message to show, unless `password` is the logged-in
    user's (or the recovery key, for a store opened by recovery key)."""
    slots = store.keyslots
    if slots is not None and slots.find(store.user):
        try:
            slots.unlock(store.user, password)
        except WrongPassword:
            raise WrongPassword("密码不正确,请重新输入") from None
        return
    try:
        key = parse_recovery_key(password)
    except WrongPassword:
        raise WrongPassword("恢复密钥不正确") from None
    if not hmac.compare_digest(key, store._data_key()):
        raise WrongPassword("恢复密钥不正确")
