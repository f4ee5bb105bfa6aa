"""Errors the user sees: every message is Chinese and says what to do."""

from __future__ import annotations


class StoreError(Exception):
    """Opening, unlocking or changing the store failed; nothing was written."""


class WrongPassword(StoreError):
    pass


class NotAStore(StoreError):
    pass


class NewerSchema(StoreError):
    pass


class NotFound(StoreError):
    pass


class DuplicateIdNumber(StoreError):
    pass
