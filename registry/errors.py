"""Errors the user sees: every message is Chinese and says what to do."""

from __future__ import annotations


class UserError(Exception):
    """An expected refusal: its text is a Chinese message for the user and says what to do.
    Every package's refusals derive from it, so one function (registry.failures) can tell
    them from bugs."""


class StoreError(UserError):
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
