"""Proving again who is at the keyboard of an open store (the window was locked after idle
time, or the recovery key is asked for): the logged-in user's password, or the recovery key
when the store was opened with it. Nothing is opened or written."""

from __future__ import annotations

import hmac

from sqlalchemy import select

from registry import server
from registry.errors import WrongPassword
from registry.keyslots import parse_recovery_key
from registry.models import AppUser
from registry.store import Store


def confirm_user(store: Store, password: str) -> None:
    """Raises WrongPassword, with the message to show, unless `password` is the logged-in
    user's (or the recovery key, for a store opened by recovery key)."""
    if store.server:  # the user's scrypt hash in app_user; a server has no recovery key
        with store.session() as s:
            stored = s.scalar(select(AppUser.password_hash).where(AppUser.name == store.user))
        if not server.password_matches(stored, password):
            raise WrongPassword("密码不正确,请重新输入")
        return
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
